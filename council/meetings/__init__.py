from flask import Blueprint

bp = Blueprint("meetings", __name__, url_prefix="/meetings")

from council.meetings import (  # noqa: E402,F401
    agenda_views,
    attendance_views,
    document_views,
    minutes_views,
    models,
    panels,
    views,
)
