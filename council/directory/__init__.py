from flask import Blueprint

bp = Blueprint("directory", __name__)

from council.directory import panels, transfer_views, views  # noqa: E402,F401
