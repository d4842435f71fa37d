"""Printable pages, PDF downloads, calendar files and attachments of meetings."""
from flask import Response, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from council import htmx
from council.auth.forms import ConfirmForm
from council.core.forms import choice_values
from council.extensions import db
from council.meetings import attachments, bp, documents, permissions
from council.meetings.forms import attachment_form
from council.meetings.models import Attachment
from council.meetings.views import load_meeting, visible_meeting
from council.security import public


def _document_or_404(document: str) -> str:
    if document not in documents.DOCUMENTS:
        abort(404)
    return document


def _check_minutes(document: str, meeting) -> None:
    if document == "minutes" and meeting.minutes is None:
        abort(404)


@bp.get("/<int:meeting_id>/print/<document>")
def print_document(meeting_id: int, document: str):
    meeting = load_meeting(meeting_id)
    _check_minutes(_document_or_404(document), meeting)
    return documents.render_html(document, meeting, for_pdf=False)


@bp.get("/<int:meeting_id>/<document>.pdf")
def document_pdf(meeting_id: int, document: str):
    meeting = load_meeting(meeting_id)
    _check_minutes(_document_or_404(document), meeting)
    pdf = documents.render_pdf(document, meeting)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{documents.pdf_filename(document, meeting)}"',
    })


# --- calendars ------------------------------------------------------------------------------

def _ics_response(body: bytes, filename: str) -> Response:
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
    })


def _meeting_url(meeting) -> str:
    return url_for("meetings.meeting_detail", meeting_id=meeting.id, _external=True)


@bp.get("/<int:meeting_id>.ics")
def meeting_ics(meeting_id: int):
    meeting = load_meeting(meeting_id)
    body = documents.calendar([meeting], _meeting_url, documents.council_host(), meeting.title)
    return _ics_response(body, f"meeting-{meeting.id}.ics")


@bp.get("/calendar/<token>.ics")
@public
def calendar_feed(token: str):
    """A person's meetings for Outlook, Thunderbird or Google Calendar; the secret is the URL."""
    person = documents.person_by_calendar_token(token)
    if person is None:
        abort(404)
    body = documents.calendar(documents.meetings_of(person), _meeting_url, documents.council_host(),
                              current_app.config["COUNCIL_NAME"])
    response = _ics_response(body, "council.ics")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.route("/calendar", methods=["GET", "POST"])
def calendar_settings():
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        if request.form.get("action") == "revoke":
            documents.revoke_calendar_token(current_user)
            flash(_("The calendar link is revoked; calendars that used it get nothing more."), "success")
        else:
            documents.new_calendar_token(current_user)
            flash(_("A new calendar link is ready. An older link no longer works."), "success")
        return redirect(url_for("meetings.calendar_settings"))
    feed_url = None
    if current_user.calendar_token:
        feed_url = url_for("meetings.calendar_feed", token=current_user.calendar_token, _external=True)
    return render_template("meetings/calendar.html", feed_url=feed_url, form=form)


# --- attachments ----------------------------------------------------------------------------

@bp.route("/<int:meeting_id>/attachments", methods=["GET", "POST"])
def attachment_upload(meeting_id: int):
    """The upload form (alone for htmx, which opens it on the meeting page), and the upload."""
    meeting = visible_meeting(meeting_id)
    if not permissions.can_attach(current_user, meeting):
        abort(403)
    form = attachment_form(meeting)
    if request.method == "GET":
        if htmx.targets("attachment-upload"):
            return render_template("meetings/_attachment_upload.html", meeting=meeting, form=form)
        return render_template("meetings/attachment_form.html", meeting=meeting, form=form)
    if form.validate_on_submit():
        if form.agenda_item_id.data not in choice_values(form.agenda_item_id):
            form.agenda_item_id.errors.append(_("Choose from the list."))
        else:
            item = next((i for i in meeting.agenda_items if i.id == form.agenda_item_id.data), None)
            try:
                checked = attachments.check_upload(form.file.data)
            except attachments.RejectedFile:
                form.file.errors.append(_("Attach a PDF, an office document (Word, Excel, PowerPoint, "
                                          "OpenDocument) or a picture (PNG, JPEG, GIF, WebP)."))
            else:
                attachments.store(meeting, item, checked, current_user)
                flash(_("The file is attached."), "success")
                return redirect(url_for("meetings.meeting_detail", meeting_id=meeting.id) + "#attachments")
    return render_template("meetings/attachment_form.html", meeting=meeting, form=form), 422


@bp.get("/attachments/<int:attachment_id>")
def attachment_download(attachment_id: int):
    attachment = db.get_or_404(Attachment, attachment_id)
    if attachment.deleted_at is not None:
        abort(404)
    visible_meeting(attachment.meeting_id)  # 403 unless the person may see the meeting
    path = attachments.path_of(attachment)
    if not path.exists():
        abort(404)
    return send_file(path, mimetype=attachment.content_type, as_attachment=True,
                     download_name=attachment.filename, max_age=0)


@bp.post("/attachments/<int:attachment_id>/delete")
def attachment_delete(attachment_id: int):
    attachment = db.get_or_404(Attachment, attachment_id)
    meeting = visible_meeting(attachment.meeting_id)
    if not permissions.can_remove_attachment(current_user, meeting, attachment):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    attachments.delete(attachment)
    flash(_("The file is removed. The audit log keeps a record of it."), "success")
    return redirect(url_for("meetings.meeting_detail", meeting_id=meeting.id) + "#attachments")
