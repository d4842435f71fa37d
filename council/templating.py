"""What every template can use."""
from flask import current_app
from flask_babel import format_date, format_time, get_locale
from flask_login import current_user

from council.auth.roles import Permission
from council.core.markdown import render_markdown


def init_app(app) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["when"] = format_when
    app.jinja_env.globals.update(Permission=Permission, may=_may)

    @app.context_processor
    def shared_context():
        return {
            "council_name": current_app.config["COUNCIL_NAME"],
            "languages": LANGUAGE_NAMES,
            "current_locale": str(get_locale()),
        }


LANGUAGE_NAMES = {"en": "English", "cs": "Čeština", "uk": "Українська"}


def _may(permission: Permission) -> bool:
    return current_user.is_authenticated and current_user.may(permission)


def format_when(value, date_format: str = "medium") -> str:
    """A date and time without seconds in the reader's locale and the council's time zone."""
    if value is None:
        return ""
    return f"{format_date(value, date_format)} {format_time(value, 'short')}"
