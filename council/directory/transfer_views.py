"""CSV import and export of the directory (routes on the directory blueprint)."""
from flask import abort

from council.auth.roles import Permission
from council.directory import bp
from council.security import requires


@bp.route("/directory/import", methods=["GET", "POST"])
@requires(Permission.IMPORT_DIRECTORY)
def import_csv():
    abort(404)  # replaced by the CSV import work in progress


@bp.get("/directory/export/organisations.csv")
@requires(Permission.EXPORT_DIRECTORY)
def export_organisations():
    abort(404)


@bp.get("/directory/export/people.csv")
@requires(Permission.EXPORT_DIRECTORY)
def export_people():
    abort(404)
