"""Council: the intranet of a drug-policy coordination council."""
import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask, abort, current_app, has_request_context, request, session
from flask_login import current_user
from sqlalchemy import event
from werkzeug.routing import IntegerConverter

from council.config import Config, database_url
from council.extensions import babel, csrf, db, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: type[Config] | dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("COUNCIL_INSTANCE_PATH", str(ROOT / "instance")),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_object(Config)
    app.config.from_pyfile("config.py", silent=True)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = database_url(app.instance_path)
    _configure_secret_key(app)
    _configure_cookies(app)

    if app.config["COUNCIL_PROXY_FIX"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_locale=app.config["COUNCIL_DEFAULT_LOCALE"],
        default_timezone=app.config["COUNCIL_TIMEZONE"],
        default_translation_directories=str(ROOT / "translations"),
    )
    _configure_login(app)
    with app.app_context():
        _configure_sqlite(db.engine)

    from council.audit import recorder
    from council.core import models as core_models  # noqa: F401 - registers the settings table

    recorder.init_app(app)
    _register_blueprints(app)
    _register_request_hooks(app)

    from council import cli, errors, templating

    errors.init_app(app)
    templating.init_app(app)
    cli.init_app(app)
    return app


def _configure_secret_key(app: Flask) -> None:
    if app.config.get("SECRET_KEY"):
        return
    if app.config["COUNCIL_ENV"] == "production":
        raise RuntimeError(
            "SECRET_KEY is not set. Set it in the environment or in instance/config.py "
            "(python -c 'import secrets; print(secrets.token_hex(32))'); "
            "for a local trial run use COUNCIL_ENV=development."
        )
    # Development: a key kept in instance/ so that sessions survive a restart.
    key_file = Path(app.instance_path) / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    app.config["SECRET_KEY"] = key_file.read_text().strip()


def _configure_cookies(app: Flask) -> None:
    https = app.config["COUNCIL_HTTPS"]
    app.config.update(
        SESSION_COOKIE_NAME="__Host-council" if https else "council_session",
        SESSION_COOKIE_SECURE=https,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_PATH="/",
        PREFERRED_URL_SCHEME="https" if https else "http",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=app.config["SESSION_LIFETIME_HOURS"]),
    )


def _configure_sqlite(engine) -> None:
    """WAL, a busy timeout, and writes that take SQLite's write lock when they begin.

    Requests that change data start with BEGIN IMMEDIATE, so that two writers queue on the
    busy timeout instead of one failing with "database is locked" when it upgrades its lock.
    """
    if engine.dialect.name != "sqlite":
        return
    busy_timeout = current_app.config["SQLITE_BUSY_TIMEOUT_MS"]

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        write = connection.get_execution_options().get("council_write")
        if write is None:
            # Only requests that change data take the lock up front; reads, and scripts or tests
            # that hold a session open, must not block the writers.
            write = has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _configure_login(app: Flask) -> None:
    from council.auth import services as auth_services

    login_manager.init_app(app)
    login_manager.session_protection = None  # sessions are server-side rows, checked below
    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    @login_manager.user_loader
    def load_person(person_id: str):
        return auth_services.load_session_person(session.get("sid"), person_id)

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import redirect, url_for

        from council.htmx import is_htmx

        login_url = url_for("auth.login", next=request.full_path.rstrip("?"))
        if is_htmx():
            return "", 401, {"HX-Redirect": login_url}
        return redirect(login_url)


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # command-line tools speak the council's default language
        return current_app.config["COUNCIL_DEFAULT_LOCALE"]
    try:
        if current_user and current_user.is_authenticated and current_user.locale in languages:
            return current_user.locale
    except Exception:
        pass
    if session.get("locale") in languages:
        return session["locale"]
    best = request.accept_languages.best_match(languages)
    return best or current_app.config["COUNCIL_DEFAULT_LOCALE"]


class IdConverter(IntegerConverter):
    """``<int:...>`` in URLs: ids beyond what the databases store are simply not found."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def _register_blueprints(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter
    from council.audit import bp as audit_bp
    from council.auth import bp as auth_bp
    from council.core.views import bp as core_bp
    from council.directory import bp as directory_bp
    from council.meetings import bp as meetings_bp

    for blueprint in (core_bp, auth_bp, directory_bp, meetings_bp, audit_bp):
        app.register_blueprint(blueprint)


def _register_request_hooks(app: Flask) -> None:
    from council.security import is_public_endpoint, set_security_headers

    @app.before_request
    def refuse_nul_characters():
        # Nobody types NUL; PostgreSQL refuses it in text, so it must never reach a query.
        values = list(request.args.values()) + (list(request.form.values()) if request.form else [])
        values += [value for value in (request.view_args or {}).values() if isinstance(value, str)]
        if any("\x00" in value for value in values):
            abort(400)

    @app.before_request
    def require_login():
        if not is_public_endpoint(request.endpoint) and not current_user.is_authenticated:
            return login_manager.unauthorized()
        return None

    app.after_request(set_security_headers)
