"""Meetings: the list, the meeting page, planning, series, cloning, cancelling, settings."""
from datetime import datetime

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from council import htmx
from council.auth.forms import ConfirmForm
from council.auth.roles import Permission
from council.core.text import utcnow
from council.core.timezones import local_to_utc, utc_to_local
from council.extensions import db
from council.meetings import agenda, bp, invitations, permissions, services
from council.meetings.forms import (
    CadenceForm,
    CloneForm,
    MeetingForm,
    MeetingTypeForm,
    SeriesForm,
)
from council.meetings.models import Attendance, Invitation, Meeting, MeetingStatus, MeetingType
from council.security import requires


def _visible(meeting: Meeting | None) -> Meeting:
    if meeting is None:
        abort(404)
    if not permissions.can_view(current_user, meeting):
        abort(403)
    return meeting


def load_meeting(meeting_id: int, *, with_invitees: bool = True) -> Meeting:
    """The meeting with its minutes, conclusions and (unless not needed) invitees (404), if the
    person may see it (403)."""
    return _visible(services.load_meeting_page(meeting_id, with_invitees=with_invitees))


def load_meeting_overview(meeting_id: int) -> services.MeetingOverview:
    """What the meeting's page shows (404), if the person may see the meeting (403)."""
    overview = services.load_meeting_overview(meeting_id, current_user.id)
    _visible(overview.meeting if overview is not None else None)
    return overview


def visible_meeting(meeting_id: int) -> Meeting:
    """The meeting alone (404), if the person may see it (403)."""
    return _visible(db.session.get(Meeting, meeting_id))


def _years() -> list[int]:
    first, last = db.session.execute(sa.select(sa.func.min(Meeting.starts_at), sa.func.max(Meeting.starts_at))).one()
    if first is None:
        return []
    return list(range(utc_to_local(last).year, utc_to_local(first).year - 1, -1))


@bp.get("/")
def meetings():
    type_id = request.args.get("type", type=int)
    year = request.args.get("year", type=int)
    present = (
        sa.select(Invitation.meeting_id, sa.func.count().label("present"))
        .where(Invitation.attendance == Attendance.PRESENT.value)
        .group_by(Invitation.meeting_id).subquery()
    )
    query = (
        sa.select(Meeting, sa.func.coalesce(present.c.present, 0))
        .outerjoin(present, present.c.meeting_id == Meeting.id)
        .options(sa.orm.joinedload(Meeting.type))
    )
    if not current_user.may(Permission.VIEW_MEETINGS):
        query = query.where(Meeting.id.in_(
            sa.select(Invitation.meeting_id).where(Invitation.person_id == current_user.id)))
    if type_id:
        query = query.where(Meeting.type_id == type_id)
    if year and 1900 < year < 3000:
        query = query.where(Meeting.starts_at >= local_to_utc(datetime(year, 1, 1)),
                            Meeting.starts_at < local_to_utc(datetime(year + 1, 1, 1)))
    rows = db.session.execute(query.order_by(Meeting.starts_at)).all()
    now = utcnow()
    upcoming = [(m, n) for m, n in rows if m.ends_at >= now]
    past = [(m, n) for m, n in reversed(rows) if m.ends_at < now]
    context = {
        "upcoming": upcoming, "past": past, "type_id": type_id, "year": year,
        "types": services.active_meeting_types(), "years": _years(),
        "cadence": services.cadence_warning() if current_user.may(Permission.VIEW_MEETINGS) else None,
    }
    if htmx.targets("meeting-results"):
        return render_template("meetings/_meeting_results.html", **context)
    return render_template("meetings/meetings.html", **context)


@bp.get("/<int:meeting_id>")
def meeting_detail(meeting_id: int):
    overview = load_meeting_overview(meeting_id)
    meeting = overview.meeting
    # The secretary sees who has not answered while answers are still coming in.
    with_names = permissions.can_manage(current_user, meeting) and meeting.status in (
        MeetingStatus.PLANNED, MeetingStatus.INVITED)
    return render_template(
        "meetings/meeting.html", meeting=meeting, schedule=agenda.schedule(meeting, overview.agenda),
        attachments=overview.attachments, names=overview.names, minutes_reviews=overview.reviews,
        answers=invitations.answers_from(overview.answer_counts, meeting.id, with_names=with_names),
        permissions=permissions,
    )


def _form_response(form, meeting, conflict=None):
    status = 409 if conflict is not None else (422 if request.method == "POST" else 200)
    return render_template("meetings/meeting_form.html", form=form, meeting=meeting,
                           conflict=conflict), status


def _meeting_data(form) -> dict:
    return {
        "title": form.title.data, "type_id": form.type_id.data,
        "starts_at": local_to_utc(form.local_start()), "ends_at": local_to_utc(form.local_end()),
        "place": form.place.data or "", "description": form.description.data or "",
        "chair_id": form.chair_id.data, "recorder_id": form.recorder_id.data,
        "facilitator_id": form.facilitator_id.data,
    }


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_MEETINGS)
def meeting_new():
    form = MeetingForm()
    if request.method == "GET":
        form.type_id.data = request.args.get("type", type=int)
    if form.validate_on_submit():
        meeting = services.save_meeting(None, _meeting_data(form))
        flash(_("The meeting is planned. Now build its agenda."), "success")
        return redirect(url_for("meetings.meeting_detail", meeting_id=meeting.id))
    return _form_response(form, None)


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@requires(Permission.MANAGE_MEETINGS)
def meeting_edit(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    form = MeetingForm(obj=meeting if request.method == "GET" else None, meeting=meeting)
    if request.method == "GET":
        start, end = utc_to_local(meeting.starts_at), utc_to_local(meeting.ends_at)
        form.day.data, form.start_time.data, form.end_time.data = start.date(), start.time(), end.time()
        for field in ("chair_id", "recorder_id", "facilitator_id"):
            getattr(form, field).data = getattr(meeting, field) or 0
    conflict = None
    if form.validate_on_submit():
        try:
            services.save_meeting(meeting, _meeting_data(form), form.version.data)
        except services.EditConflict as error:
            conflict = error.current
        else:
            flash(_("The meeting is saved."), "success")
            return redirect(url_for("meetings.meeting_detail", meeting_id=meeting.id))
    return _form_response(form, meeting, conflict)


def _confirmed_meeting(meeting_id: int) -> Meeting:
    meeting = db.get_or_404(Meeting, meeting_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return meeting


@bp.post("/<int:meeting_id>/cancel")
@requires(Permission.MANAGE_MEETINGS)
def meeting_cancel(meeting_id: int):
    meeting = _confirmed_meeting(meeting_id)
    try:
        services.cancel_meeting(meeting)
    except services.WorkflowError:
        flash(_("A meeting whose minutes are in review or approved cannot be cancelled."), "error")
    else:
        flash(_("The meeting is cancelled. Its record stays; you can restore it."), "success")
    return redirect(url_for("meetings.meeting_detail", meeting_id=meeting.id))


@bp.post("/<int:meeting_id>/restore")
@requires(Permission.MANAGE_MEETINGS)
def meeting_restore(meeting_id: int):
    meeting = _confirmed_meeting(meeting_id)
    services.restore_meeting(meeting)
    flash(_("The meeting is back on the calendar."), "success")
    return redirect(url_for("meetings.meeting_detail", meeting_id=meeting.id))


@bp.post("/<int:meeting_id>/held")
@requires(Permission.MANAGE_MEETINGS)
def meeting_held(meeting_id: int):
    meeting = _confirmed_meeting(meeting_id)
    if meeting.status in (MeetingStatus.PLANNED, MeetingStatus.INVITED):
        services.mark_held(meeting)
        db.session.commit()
        flash(_("The meeting is marked as held. The recorder can write the minutes."), "success")
    return redirect(url_for("meetings.meeting_detail", meeting_id=meeting.id))


@bp.route("/<int:meeting_id>/clone", methods=["GET", "POST"])
@requires(Permission.MANAGE_MEETINGS)
def meeting_clone(meeting_id: int):
    meeting = services.load_meeting_page(meeting_id) or abort(404)
    form = CloneForm()
    if form.validate_on_submit():
        start = utc_to_local(meeting.starts_at)
        new_start = local_to_utc(datetime.combine(form.day.data, start.time()))
        copy = services.clone_meeting(meeting, new_start)
        db.session.commit()
        flash(_("A copy of the meeting with its agenda is planned."), "success")
        return redirect(url_for("meetings.meeting_detail", meeting_id=copy.id))
    status = 422 if request.method == "POST" else 200
    return render_template("meetings/clone.html", form=form, meeting=meeting), status


@bp.route("/<int:meeting_id>/series", methods=["GET", "POST"])
@requires(Permission.MANAGE_MEETINGS)
def meeting_series(meeting_id: int):
    meeting = services.load_meeting_page(meeting_id) or abort(404)
    form = SeriesForm()
    if request.method == "GET":
        start = utc_to_local(meeting.starts_at)
        form.weekday.data = min(start.weekday(), 4)
        form.nth.data = min((start.day - 1) // 7 + 1, 4)
    if form.validate_on_submit():
        by_weekday = form.pattern.data == "weekday"
        rule = services.SeriesRule(form.interval_months.data,
                                   form.weekday.data if by_weekday else None,
                                   form.nth.data if by_weekday else None)
        created = services.create_series(meeting, rule, form.count.data)
        flash(_("%(n)d meetings are planned.", n=len(created)), "success")
        return redirect(url_for("meetings.meetings"))
    status = 422 if request.method == "POST" else 200
    return render_template("meetings/series.html", form=form, meeting=meeting), status


@bp.route("/settings", methods=["GET", "POST"])
@requires(Permission.MANAGE_SETTINGS)
def settings():
    cadence_form = CadenceForm(prefix="cadence")
    type_form = MeetingTypeForm(prefix="type")
    status = 200
    if request.method == "POST":
        if "cadence-months" in request.form:
            if cadence_form.validate_on_submit():
                services.set_cadence_months(cadence_form.months.data)
                flash(_("The settings are saved."), "success")
                return redirect(url_for("meetings.settings"))
        elif "type-name" in request.form:
            if type_form.validate_on_submit():
                db.session.add(MeetingType(name=type_form.name.data))
                db.session.commit()
                flash(_("Added to the list."), "success")
                return redirect(url_for("meetings.settings"))
        else:
            abort(400)
        status = 422
    if request.method == "GET" or not cadence_form.months.data:
        cadence_form.months.data = cadence_form.months.data or services.cadence_months()
    types = db.session.scalars(sa.select(MeetingType).order_by(MeetingType.id)).all()
    return render_template("meetings/settings.html", cadence_form=cadence_form, type_form=type_form,
                           types=types), status
