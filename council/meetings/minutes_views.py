"""Minutes in the browser: written per agenda item with conclusions, reviewed by named people,
approved and locked by the secretary, corrected only by amendments; the register of decisions.

Every handler: load the meeting (404) -> check who may act (403) -> call a rule in
``minutes``/``conclusions`` -> render the page, or the fragment htmx asked for.
"""
from babel.lists import format_list
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_translations, gettext as _
from flask_login import current_user
from markupsafe import Markup

from council import htmx
from council.auth.forms import ConfirmForm
from council.auth.roles import Permission
from council.errors import render_error
from council.meetings import agenda, bp, conclusions, minutes, permissions
from council.meetings.minutes_forms import (
    AmendmentForm,
    ConclusionForm,
    GeneralMinutesForm,
    ItemMinutesForm,
    ReturnReviewForm,
    SendForReviewForm,
)
from council.meetings.models import Meeting, MinutesStatus, ReviewState
from council.meetings.services import EditConflict, WorkflowError
from council.meetings.views import load_meeting
from council.security import requires
from council.templating import Formats, format_day

# --- what templates use -----------------------------------------------------------------------

@bp.app_template_global()
def minutes_signature(record, names=None, reviews=None) -> str:
    """ "Recorded by … on …; reviewed by … on … and … on …; approved by … on …."
    ``names``, ``reviews``: as for ``minutes.signature``."""
    if record is None:
        return ""
    signed = minutes.signature(record, names, reviews)
    # The translations and the formats looked up once, not for each part (this ``_`` takes no
    # variables: the parts are %-formatted).
    _, formats = get_translations().ugettext, Formats()

    def on(name, day):
        return _("%(name)s on %(date)s") % {"name": name, "date": formats.day(day, "long")} if day else name

    parts = []
    if signed.recorded_by:
        parts.append(_("Recorded by %(name_and_date)s") % {
            "name_and_date": on(signed.recorded_by, signed.recorded_on)})
    if signed.reviewed:
        people = format_list([on(name, day) for name, day in signed.reviewed], locale=formats.locale)
        parts.append(_("reviewed by %(people)s") % {"people": people})
    if signed.approved_by:
        parts.append(_("approved by %(name_and_date)s") % {
            "name_and_date": on(signed.approved_by, signed.approved_on)})
    return "; ".join(parts) + "." if parts else ""


# A conclusion's parts, shown in the minutes, under the standing agenda item and in the register
# of decisions. Functions rather than macros: importing a macro file in the partial that shows
# one conclusion, and calling its macros, cost more than the rest of the minutes page.

@bp.app_template_global()
def decision_badge(conclusion) -> Markup:
    if not conclusion.is_decision:
        return Markup("")
    if conclusion.decision_label:
        label = _("Decision %(number)s", number=conclusion.decision_label)
    else:
        label = _("Decision (numbered when the minutes are approved)")
    return Markup('<span class="badge badge--decision">%s</span>') % label


@bp.app_template_global()
def conclusion_responsible(conclusion) -> str:
    return ", ".join([person.name for person in conclusion.responsible_people]
                     + [organisation.name for organisation in conclusion.responsible_organisations])


@bp.app_template_global()
def conclusion_due(conclusion) -> str:
    if not conclusion.due_date:
        return ""
    day = format_day(conclusion.due_date, "long")
    return _("from %(date)s", date=day) if conclusion.due_kind == "from" else _("by %(date)s", date=day)


@bp.app_template_global()
def conclusion_votes(conclusion) -> str:
    parts = []
    if conclusion.votes_for is not None:
        parts.append(_("%(n)s for", n=conclusion.votes_for))
    if conclusion.votes_against is not None:
        parts.append(_("%(n)s against", n=conclusion.votes_against))
    if conclusion.votes_abstained is not None:
        parts.append(_("%(n)s abstained", n=conclusion.votes_abstained))
    return ", ".join(parts)


@bp.app_template_global()
def minutes_current_reviews(record, reviews=None) -> list:
    return minutes.current_reviews(record, reviews) if record is not None else []


@bp.app_template_global()
def minutes_may_start(meeting: Meeting) -> bool:
    return conclusions.may_start_minutes(current_user, meeting)


STATUS_LABELS = {
    MinutesStatus.DRAFT: lambda: _("Draft"),
    MinutesStatus.IN_REVIEW: lambda: _("In review"),
    MinutesStatus.REVIEWED: lambda: _("Reviewed, waiting for approval"),
    MinutesStatus.APPROVED: lambda: _("Approved and locked"),
}
REVIEW_LABELS = {
    ReviewState.PENDING: lambda: _("waiting"),
    ReviewState.APPROVED: lambda: _("approved"),
    ReviewState.RETURNED: lambda: _("returned with comments"),
    ReviewState.WITHDRAWN: lambda: _("no longer needed (returned by another reviewer)"),
}


@bp.app_template_filter("minutes_status_label")
def minutes_status_label(status: str) -> str:
    return STATUS_LABELS[MinutesStatus(status)]()


@bp.app_template_filter("review_state_label")
def review_state_label(state: str) -> str:
    return REVIEW_LABELS[ReviewState(state)]()


# --- shared steps -----------------------------------------------------------------------------

def _minutes_url(meeting: Meeting, anchor: str | None = None) -> str:
    return url_for("meetings.minutes_page", meeting_id=meeting.id, _anchor=anchor)


def _refuse(meeting: Meeting, message: str, status: int = 403):
    """A clear "no" with the reason: an error page, or for htmx a flash and a reload of the
    minutes page (htmx does not swap error responses, so the person would see nothing)."""
    if htmx.is_htmx():
        flash(message, "error")
        response = Response(status=status)
        response.headers["HX-Redirect"] = _minutes_url(meeting)
        return response
    return render_error(status, message)


def _state_message(meeting: Meeting) -> str:
    record = meeting.minutes
    if record is None:
        return _("The minutes of this meeting are not started yet.")
    if record.locked:
        return _("The minutes are approved and locked. A correction is made as an amendment with a reason.")
    return _("The minutes are with the reviewers and cannot be changed now. "
             "They can be edited again if a reviewer returns them.")


def _writing_refused(meeting: Meeting):
    """None when the person may change the draft; otherwise the answer to give (403 + reason)."""
    if not conclusions.is_recorder(current_user, meeting):
        abort(403)
    if not permissions.can_write_minutes(current_user, meeting, meeting.minutes) or meeting.minutes is None:
        return _refuse(meeting, _state_message(meeting))
    return None


def _item_of(meeting: Meeting, item_id: int):
    for item in meeting.agenda_items:
        if item.id == item_id:
            return item
    abort(404)


def _conclusion_of(meeting: Meeting, conclusion_id: int):
    for item in meeting.agenda_items:
        for conclusion in item.conclusions:
            if conclusion.id == conclusion_id:
                return conclusion
    abort(404)


def _numbers(meeting: Meeting) -> dict[int, int]:
    return {entry.item.id: entry.number for entry in agenda.schedule(meeting)}


def _item_form(item) -> ItemMinutesForm:
    return ItemMinutesForm(formdata=None, text=item.minutes_text, version=item.version,
                          id_prefix=f"minutes-item-{item.id}")


def _general_form(record) -> GeneralMinutesForm:
    return GeneralMinutesForm(formdata=None, obj=record)


def _send_form(record) -> SendForReviewForm:
    form = SendForReviewForm(formdata=None)
    form.reviewers.data = [review.reviewer_id for review in minutes.current_reviews(record)]
    return form


def _page(meeting: Meeting, status: int = 200, **overrides):
    """The minutes page; ``overrides`` carry a submitted form back with its errors or conflict."""
    record = meeting.minutes
    can_write = record is not None and permissions.can_write_minutes(current_user, meeting, record)
    context = {
        "meeting": meeting, "record": record, "numbers": _numbers(meeting), "can_write": can_write,
        "item_forms": {}, "item_conflicts": {}, "general_form": None, "general_conflict": None,
        "send_form": None, "return_form": None, "confirm_form": ConfirmForm(),
        "permissions": permissions,
    }
    if can_write:
        context["item_forms"] = {item.id: _item_form(item) for item in meeting.agenda_items}
        context["general_form"] = _general_form(record)
        context["send_form"] = _send_form(record)
    if permissions.can_review(current_user, record):
        context["return_form"] = ReturnReviewForm(formdata=None)
    for name, value in overrides.items():
        if name == "item_forms" or name == "item_conflicts":
            context[name].update(value)
        else:
            context[name] = value
    return render_template("meetings/minutes.html", **context), status


def _minutes_meeting(meeting_id: int) -> Meeting:
    """The meeting for the minutes' page and actions (404/403): without its invitees, which the
    minutes do not list (loading 60 of them cost a fifth of the page)."""
    return load_meeting(meeting_id, with_invitees=False)


# --- the minutes page and writing ---------------------------------------------------------------

@bp.get("/<int:meeting_id>/minutes")
def minutes_page(meeting_id: int):
    meeting = _minutes_meeting(meeting_id)
    return _page(meeting)


@bp.post("/<int:meeting_id>/minutes/start")
def minutes_start(meeting_id: int):
    meeting = _minutes_meeting(meeting_id)
    if not conclusions.is_recorder(current_user, meeting):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if meeting.minutes is None:
        if not conclusions.may_start_minutes(current_user, meeting):
            return _refuse(meeting, _("The minutes can be written once the meeting has begun."))
        try:
            minutes.start_minutes(meeting, current_user)
        except WorkflowError:
            return _refuse(meeting, _("This meeting was cancelled; it has no minutes."))
    return htmx.redirect(_minutes_url(meeting))


@bp.post("/<int:meeting_id>/minutes/items/<int:item_id>")
def minutes_item_save(meeting_id: int, item_id: int):
    meeting = _minutes_meeting(meeting_id)
    item = _item_of(meeting, item_id)
    refused = _writing_refused(meeting)
    if refused is not None:
        return refused
    form = ItemMinutesForm(id_prefix=f"minutes-item-{item.id}")
    conflict, saved = None, False
    if form.validate_on_submit():
        try:
            minutes.save_item_minutes(item, form.text.data or "", form.version.data)
        except EditConflict as error:
            conflict = error.current
        except WorkflowError:
            return _refuse(meeting, _state_message(meeting))
        else:
            saved = True
    status = 200 if saved else (409 if conflict is not None else 422)
    fragment_id = f"minutes-item-{item.id}-minutes"
    if htmx.targets(fragment_id):
        return render_template("meetings/_minutes_item_form.html", meeting=meeting, item=item,
                               form=_item_form(item) if saved else form, conflict=conflict,
                               saved=saved), status
    if saved:
        flash(_("The minutes of this item are saved."), "success")
        return redirect(_minutes_url(meeting, f"minutes-item-{item.id}"))
    return _page(meeting, status, item_forms={item.id: form}, item_conflicts={item.id: conflict})


@bp.post("/<int:meeting_id>/minutes/general")
def minutes_general_save(meeting_id: int):
    meeting = _minutes_meeting(meeting_id)
    refused = _writing_refused(meeting)
    if refused is not None:
        return refused
    record = meeting.minutes
    form = GeneralMinutesForm()
    conflict, saved = None, False
    if form.validate_on_submit():
        data = {"general_notes": form.general_notes.data or "",
                "next_meeting_date": form.next_meeting_date.data,
                "next_meeting_note": form.next_meeting_note.data or ""}
        try:
            minutes.save_general(record, data, form.version.data)
        except EditConflict as error:
            conflict = error.current
        except WorkflowError:
            return _refuse(meeting, _state_message(meeting))
        else:
            saved = True
    status = 200 if saved else (409 if conflict is not None else 422)
    if htmx.targets("minutes-general"):
        return render_template("meetings/_minutes_general_form.html", meeting=meeting, record=record,
                               form=_general_form(record) if saved else form, conflict=conflict,
                               saved=saved), status
    if saved:
        flash(_("The general notes are saved."), "success")
        return redirect(_minutes_url(meeting, "minutes-general"))
    return _page(meeting, status, general_form=form, general_conflict=conflict)


# --- conclusions --------------------------------------------------------------------------------

def _conclusions_fragment(meeting, item, status=200, form=None, editing=None, conflict=None):
    """The item's conclusions (htmx swaps them in place), or without htmx the page it belongs to."""
    fragment_id = f"minutes-item-{item.id}-conclusions"
    if htmx.targets(fragment_id):
        return render_template("meetings/_minutes_conclusions.html", meeting=meeting, item=item,
                               can_write=True, form=form, editing=editing, conflict=conflict), status
    if form is None:
        return redirect(_minutes_url(meeting, f"minutes-item-{item.id}"))
    return render_template("meetings/minutes_conclusion.html", meeting=meeting, item=item, form=form,
                           editing=editing, conflict=conflict, numbers=_numbers(meeting)), status


@bp.get("/<int:meeting_id>/minutes/items/<int:item_id>/conclusions")
def minutes_item_conclusions(meeting_id: int, item_id: int):
    meeting = _minutes_meeting(meeting_id)
    item = _item_of(meeting, item_id)
    fragment_id = f"minutes-item-{item.id}-conclusions"
    if htmx.targets(fragment_id):
        return render_template("meetings/_minutes_conclusions.html", meeting=meeting, item=item,
                               can_write=conclusions.can_edit_conclusions(current_user, meeting),
                               form=None, editing=None, conflict=None)
    return redirect(_minutes_url(meeting, f"minutes-item-{item.id}"))


@bp.route("/<int:meeting_id>/minutes/items/<int:item_id>/conclusions/new", methods=["GET", "POST"])
def conclusion_new(meeting_id: int, item_id: int):
    meeting = _minutes_meeting(meeting_id)
    item = _item_of(meeting, item_id)
    refused = _writing_refused(meeting)
    if refused is not None:
        return refused
    form = ConclusionForm(id_prefix=f"minutes-item-{item.id}-new-conclusion")
    if form.validate_on_submit():
        try:
            conclusions.add_conclusion(item, form.data_for_service())
        except WorkflowError:
            return _refuse(meeting, _state_message(meeting))
        if not htmx.is_htmx():
            flash(_("The conclusion is added."), "success")
        return _conclusions_fragment(meeting, item)
    return _conclusions_fragment(meeting, item, 422 if request.method == "POST" else 200,
                                 form=form, editing="new")


@bp.route("/<int:meeting_id>/minutes/conclusions/<int:conclusion_id>/edit", methods=["GET", "POST"])
def conclusion_edit(meeting_id: int, conclusion_id: int):
    meeting = _minutes_meeting(meeting_id)
    conclusion = _conclusion_of(meeting, conclusion_id)
    item = conclusion.agenda_item
    refused = _writing_refused(meeting)
    if refused is not None:
        return refused
    form = ConclusionForm(obj=conclusion if request.method == "GET" else None, conclusion=conclusion,
                          id_prefix=f"conclusion-{conclusion.id}")
    if request.method == "GET":
        form.responsible_people.data = [person.id for person in conclusion.responsible_people]
        form.responsible_organisations.data = [org.id for org in conclusion.responsible_organisations]
    conflict = None
    if form.validate_on_submit():
        try:
            conclusions.update_conclusion(conclusion, form.data_for_service(), form.version.data)
        except EditConflict as error:
            conflict = error.current
        except WorkflowError:
            return _refuse(meeting, _state_message(meeting))
        else:
            if not htmx.is_htmx():
                flash(_("The conclusion is saved."), "success")
            return _conclusions_fragment(meeting, item)
    status = 409 if conflict is not None else (422 if request.method == "POST" else 200)
    return _conclusions_fragment(meeting, item, status, form=form, editing=conclusion.id, conflict=conflict)


@bp.post("/<int:meeting_id>/minutes/conclusions/<int:conclusion_id>/delete")
def conclusion_delete(meeting_id: int, conclusion_id: int):
    meeting = _minutes_meeting(meeting_id)
    conclusion = _conclusion_of(meeting, conclusion_id)
    item = conclusion.agenda_item
    refused = _writing_refused(meeting)
    if refused is not None:
        return refused
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        conclusions.delete_conclusion(conclusion)
    except WorkflowError:
        return _refuse(meeting, _state_message(meeting))
    if not htmx.is_htmx():
        flash(_("The conclusion is deleted."), "success")
    return _conclusions_fragment(meeting, item)


# --- review and approval ------------------------------------------------------------------------

@bp.post("/<int:meeting_id>/minutes/send")
def minutes_send(meeting_id: int):
    meeting = _minutes_meeting(meeting_id)
    refused = _writing_refused(meeting)
    if refused is not None:
        return refused
    form = SendForReviewForm()
    if not form.validate_on_submit():
        return _page(meeting, 422, send_form=form)
    try:
        minutes.send_for_review(meeting.minutes, form.chosen_people(), current_user)
    except (WorkflowError, EditConflict):
        return _refuse(meeting, _("The minutes changed in the meantime. Check them and send them again."), 409)
    flash(_("The minutes are sent to the reviewers."), "success")
    return htmx.redirect(url_for("meetings.meeting_detail", meeting_id=meeting.id))


def _review_refused(meeting: Meeting):
    record = meeting.minutes
    if permissions.can_review(current_user, record):
        return None
    if record is not None and any(review.reviewer_id == current_user.id for review in record.reviews):
        return _refuse(meeting, _("Your review of these minutes is no longer open."))
    abort(403)


@bp.post("/<int:meeting_id>/minutes/review/approve")
def minutes_review_approve(meeting_id: int):
    meeting = _minutes_meeting(meeting_id)
    refused = _review_refused(meeting)
    if refused is not None:
        return refused
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        minutes.approve_review(meeting.minutes, current_user)
    except (WorkflowError, EditConflict):
        return _refuse(meeting, _("Your review of these minutes is no longer open."), 409)
    flash(_("Thank you: your approval of the minutes is recorded."), "success")
    return htmx.redirect(url_for("meetings.meeting_detail", meeting_id=meeting.id))


@bp.post("/<int:meeting_id>/minutes/review/return")
def minutes_review_return(meeting_id: int):
    meeting = _minutes_meeting(meeting_id)
    refused = _review_refused(meeting)
    if refused is not None:
        return refused
    form = ReturnReviewForm()
    if not form.validate_on_submit():
        return _page(meeting, 422, return_form=form)
    try:
        minutes.return_review(meeting.minutes, current_user, form.comment.data)
    except (WorkflowError, EditConflict):
        return _refuse(meeting, _("Your review of these minutes is no longer open."), 409)
    flash(_("The minutes are returned to the recorder with your comments."), "success")
    return htmx.redirect(url_for("meetings.meeting_detail", meeting_id=meeting.id))


@bp.post("/<int:meeting_id>/minutes/approve")
@requires(Permission.APPROVE_MINUTES)
def minutes_approve(meeting_id: int):
    meeting = _minutes_meeting(meeting_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    record = meeting.minutes
    if not permissions.can_approve(current_user, record):
        if record is not None and record.locked:
            return _refuse(meeting, _("These minutes are already approved."))
        return _refuse(meeting, _("The minutes can be approved once every reviewer has approved them."))
    try:
        minutes.approve(record, current_user)
    except (WorkflowError, EditConflict):
        return _refuse(meeting, _("The minutes changed in the meantime. Check them and try again."), 409)
    flash(_("The minutes are approved and locked."), "success")
    return htmx.redirect(url_for("meetings.meeting_detail", meeting_id=meeting.id))


# --- amendments -----------------------------------------------------------------------------------

@bp.route("/<int:meeting_id>/minutes/amend", methods=["GET", "POST"], defaults={"item_id": None})
@bp.route("/<int:meeting_id>/minutes/items/<int:item_id>/amend", methods=["GET", "POST"])
def minutes_amend(meeting_id: int, item_id: int | None):
    """A correction of approved minutes: the corrected text with a reason, beside the original."""
    meeting = _minutes_meeting(meeting_id)
    item = _item_of(meeting, item_id) if item_id is not None else None
    record = meeting.minutes
    if not permissions.can_amend(current_user, record):
        if current_user.may(Permission.APPROVE_MINUTES):
            return _refuse(meeting, _("Only approved minutes are amended; while they are a draft, "
                                      "the recorder edits them."))
        abort(403)
    earlier = [a for a in record.amendments if a.agenda_item_id == (item.id if item else None)]
    form = AmendmentForm()
    if request.method == "GET":
        form.amended_text.data = earlier[-1].amended_text if earlier else (
            item.minutes_text if item is not None else record.general_notes)
    if form.validate_on_submit():
        try:
            minutes.amend(record, item, form.amended_text.data, form.reason.data, current_user)
        except WorkflowError:
            return _refuse(meeting, _state_message(meeting))
        flash(_("The amendment is recorded beside the original text."), "success")
        return redirect(_minutes_url(meeting, f"minutes-item-{item.id}" if item else "minutes-general"))
    status = 422 if request.method == "POST" else 200
    return render_template("meetings/minutes_amend.html", meeting=meeting, record=record, item=item,
                           form=form, earlier=earlier, numbers=_numbers(meeting)), status


# --- the register of decisions ------------------------------------------------------------------

@bp.get("/decisions")
@requires(Permission.VIEW_MEETINGS)
def decisions():
    filters = conclusions.DecisionFilter.from_args(request.args)
    context = {"decisions": conclusions.find_decisions(filters), "filters": filters}
    if htmx.targets("decision-results"):
        return render_template("meetings/_decisions_results.html", **context)
    return render_template("meetings/decisions.html", options=conclusions.decision_filter_options(), **context)
