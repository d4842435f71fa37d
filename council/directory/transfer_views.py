"""CSV import and export of the directory (routes on the directory blueprint).

The import preview is stateless: the confirm form carries the decoded CSV text back, and the
confirm step checks it again exactly as the upload was checked; nothing else is trusted.
"""
from pathlib import PurePath

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, RadioField, ValidationError
from wtforms.fields import SelectChoice

from council.auth.roles import Permission
from council.core.text import utcnow
from council.directory import bp, transfer
from council.directory.search import DirectoryFilter, filter_options
from council.extensions import db
from council.security import requires

KIND_CHOICES = [SelectChoice(transfer.ORGANISATIONS, _l("Organisations")),
                SelectChoice(transfer.PEOPLE, _l("People"))]
LIST_ENDPOINTS = {transfer.ORGANISATIONS: "directory.organisations",
                  transfer.PEOPLE: "directory.people"}


def _validate_kind(form, field):
    if field.data not in transfer.KINDS:
        raise ValidationError(_l("Choose what the file contains."))


class ImportUploadForm(FlaskForm):
    kind = RadioField(_l("The file contains"), choices=KIND_CHOICES,
                      default=transfer.ORGANISATIONS, validate_choice=False,
                      validators=[_validate_kind])
    file = FileField(_l("CSV file"), validators=[
        FileRequired(message=_l("Choose a CSV file.")),
        FileAllowed(["csv", "txt"], message=_l(
            "Choose a file saved as CSV (.csv). In Excel: File › Save As › CSV UTF-8.")),
    ])


class ImportConfirmForm(FlaskForm):
    kind = HiddenField(validators=[_validate_kind])
    csv_text = HiddenField()
    filename = HiddenField()


def _filename(upload) -> str:
    # Only shown on the preview and written to the audit log; never used as a path.
    return PurePath((upload.filename or "").replace("\\", "/")).name[:100]


def _import_page(form, preview=None, confirm_form=None, status=200):
    kind = preview.kind if preview else (form.kind.data if form.kind.data in transfer.KINDS
                                         else transfer.ORGANISATIONS)
    sectors, localities = filter_options(db.session)
    return render_template(
        "directory/import.html", form=form, preview=preview, confirm_form=confirm_form,
        kind=kind, columns=transfer.COLUMNS, sectors=sectors, localities=localities,
        max_kb=(transfer.max_text_bytes() or 0) // 1024,
    ), status


def _preview_page(preview: transfer.ImportPreview, filename: str):
    form = ImportUploadForm(formdata=None, kind=preview.kind)
    confirm_form = None
    if preview.is_clean:
        confirm_form = ImportConfirmForm(formdata=None, kind=preview.kind,
                                         csv_text=preview.text, filename=filename)
    return _import_page(form, preview, confirm_form, 200 if preview.is_clean else 422)


@bp.route("/directory/import", methods=["GET", "POST"])
@requires(Permission.IMPORT_DIRECTORY)
def import_csv():
    if request.method == "POST" and "csv_text" in request.form:
        return _confirm_import()
    form = ImportUploadForm()
    if request.method == "GET" and request.args.get("kind") in transfer.KINDS:
        form.kind.data = request.args["kind"]
    if form.validate_on_submit():
        upload = form.file.data
        preview = transfer.preview_upload(form.kind.data, upload.read())
        return _preview_page(preview, _filename(upload))
    return _import_page(form, status=422 if request.method == "POST" else 200)


def _confirm_import():
    confirm = ImportConfirmForm()
    if not confirm.validate_on_submit():
        abort(400)
    filename = (confirm.filename.data or "")[:100]
    preview = transfer.run_import(confirm.kind.data, confirm.csv_text.data or "", filename)
    if not preview.imported:
        return _preview_page(preview, filename)
    flash(transfer.imported_message(preview.kind, preview.imported), "success")
    return redirect(url_for(LIST_ENDPOINTS[preview.kind]))


@bp.get("/directory/import/example-<kind>.csv")
@requires(Permission.IMPORT_DIRECTORY)
def import_example(kind: str):
    if kind not in transfer.KINDS:
        abort(404)
    return _csv_response(transfer.example_csv(kind), f"{kind}-example.csv")


def _csv_response(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _dated(name: str) -> str:
    return f"{name}-{utcnow():%Y-%m-%d}.csv"


@bp.get("/directory/export/organisations.csv")
@requires(Permission.EXPORT_DIRECTORY)
def export_organisations():
    body = transfer.export_organisations(DirectoryFilter.from_args(request.args))
    return _csv_response(body, _dated("organisations"))


@bp.get("/directory/export/people.csv")
@requires(Permission.EXPORT_DIRECTORY)
def export_people():
    body = transfer.export_people(DirectoryFilter.from_args(request.args))
    return _csv_response(body, _dated("people"))
