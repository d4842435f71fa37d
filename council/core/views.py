from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from council.core.dashboard import panels_for
from council.core.urls import safe_local_path
from council.extensions import db
from council.security import public

bp = Blueprint("core", __name__)


@bp.get("/")
def dashboard():
    return render_template("core/dashboard.html", panels=panels_for(current_user))


@bp.get("/health")
@public
def health():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}


@bp.get("/ping")
def ping():
    """The cheapest page that needs a signed-in person: the ceiling for benchmarks."""
    return f"ok {current_user.id}\n", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.post("/language")
@public
def set_language():
    """The language switcher: remembered on the profile when signed in, else in the session."""
    locale = request.form.get("locale", "")
    if locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
        if current_user.is_authenticated and current_user.locale != locale:
            current_user.locale = locale
            db.session.commit()
    return redirect(safe_local_path(request.form.get("next"), url_for("core.dashboard")))
