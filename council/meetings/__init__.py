from flask import Blueprint

bp = Blueprint("meetings", __name__, url_prefix="/meetings")

from council.meetings import models, panels, views  # noqa: E402,F401
