"""Friendly error pages in the reader's language; a small fragment for htmx requests."""
from flask import render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException, InternalServerError

from council.extensions import db
from council.htmx import is_htmx

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Reload the page and try again.")),
    401: (_l("Please sign in"), _l("You need to sign in to see this page.")),
    403: (_l("Not allowed"), _l("Your role does not allow this. Ask the council's secretary if you need access.")),
    404: (_l("Not found"), _l("This page does not exist or was moved.")),
    405: (_l("Not allowed"), _l("This address cannot be used this way.")),
    413: (_l("File too large"), _l("The file is larger than the allowed %(mb)d MB. Make it smaller and try again.")),
    429: (_l("Too many attempts"), _l("Too many failed sign-ins. Wait 15 minutes and try again.")),
    500: (_l("Something went wrong"), _l("The error was logged. Try again; if it keeps happening, tell the administrator.")),
}


def render_error(code: int, description=None):
    from flask import current_app

    title, message = MESSAGES.get(code, MESSAGES[500])
    message = str(message) % {"mb": current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)} \
        if code == 413 else str(message)
    template = "errors/_error.html" if is_htmx() else "errors/error.html"
    return render_template(template, code=code, title=title, message=description or message), code


def init_app(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        from flask_babel import gettext

        return render_error(400, gettext("The form has expired or was sent from elsewhere. Reload the page and try again."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code in MESSAGES:
            return render_error(error.code)
        return error

    @app.errorhandler(DataError)
    def data_error(error: DataError):
        # The database refused a value that no form check caught (on PostgreSQL a NUL character
        # or a number out of range): nothing was saved, and the fault is in the request.
        db.session.rollback()
        app.logger.warning("The database refused a value: %s", error.orig)
        return render_error(400)

    @app.errorhandler(InternalServerError)
    def internal_error(error):
        db.session.rollback()
        return render_error(500)
