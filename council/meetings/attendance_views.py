"""Invitations and attendance: inviting members, organisations, sectors, the whole council and
guests; answering in one click; the attendance list on the day; the printable list; statistics."""
import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l, ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload
from wtforms import EmailField, SelectField, StringField, ValidationError

from council import htmx
from council.auth.forms import ConfirmForm
from council.auth.roles import Permission
from council.core.forms import email_address, max_length, no_control_characters, optional, required, strip
from council.directory.models import Organisation, Sector
from council.extensions import db
from council.meetings import bp, charts, invitations, permissions, services
from council.meetings.models import Attendance, Invitation, InvitationResponse, Meeting
from council.security import requires
from council.templating import format_day

RESPONSE_TARGETS = ("my-response", "panel-my-response")
RECORDABLE = (Attendance.PRESENT, Attendance.EXCUSED, Attendance.ABSENT)


MAX_ID = 2**31 - 1  # beyond any row id; larger numbers would overflow SQLite's integers


def _to_id(value) -> int:
    """A submitted id; anything that is not a plausible id becomes -1, which no record has."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return -1
    return number if 0 <= number <= MAX_ID else -1


# --- forms ---------------------------------------------------------------------------------

class InvitePersonForm(FlaskForm):
    person_id = SelectField(_l("Person"), coerce=_to_id, validate_choice=False)

    def __init__(self, *args, meeting_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = None
        self.person_id.choices = [(0, _l("— choose a person —"))] + invitations.person_choices(meeting_id)

    def validate_person_id(self, field):
        self.person = invitations.active_person(field.data)
        if self.person is None:
            raise ValidationError(_l("Choose a person from the list."))


def _people_count(count: int) -> str:
    return ngettext("%(num)d person", "%(num)d people", count)


class InviteOrganisationForm(FlaskForm):
    organisation_id = SelectField(_l("Organisation"), coerce=_to_id, validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = [(0, _l("— choose an organisation —"))] + [
            (org_id, f"{name} ({_people_count(count)})")
            for org_id, name, count in invitations.organisation_choices()
        ]

    def validate_organisation_id(self, field):
        found = db.session.scalar(sa.select(Organisation.id).where(
            Organisation.id == field.data, Organisation.active.is_(True)))
        if found is None:
            raise ValidationError(_l("Choose an organisation from the list."))


class InviteSectorForm(FlaskForm):
    sector_id = SelectField(_l("Sector"), coerce=_to_id, validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sector_id.choices = [(0, _l("— choose a sector —"))] + invitations.sector_choices()

    def validate_sector_id(self, field):
        found = db.session.scalar(sa.select(Sector.id).where(Sector.id == field.data,
                                                             Sector.active.is_(True)))
        if found is None:
            raise ValidationError(_l("Choose a sector from the list."))


class GuestForm(FlaskForm):
    name = StringField(_l("Name"), validators=[required(), max_length(120), no_control_characters],
                       filters=[strip])
    organisation = StringField(_l("Organisation"),
                               validators=[optional(), max_length(200), no_control_characters],
                               filters=[strip])
    email = EmailField(_l("Email"), validators=[required(), max_length(254), email_address()],
                       filters=[strip])

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting

    def validate_email(self, field):
        problem = invitations.guest_email_problem(self.meeting, field.data or "")
        if problem is not None:
            raise ValidationError(problem)


class WalkInForm(FlaskForm):
    """Someone who came uninvited: chosen from the people with an account, or typed in."""

    person_id = SelectField(_l("A person with an account"), coerce=_to_id, validate_choice=False)
    name = StringField(_l("Or their name"), validators=[optional(), max_length(120), no_control_characters],
                       filters=[strip])
    organisation = StringField(_l("Their organisation"),
                               validators=[optional(), max_length(200), no_control_characters],
                               filters=[strip])

    def __init__(self, *args, meeting_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = None
        self.person_id.choices = [(0, _l("— nobody from the list —"))] + invitations.person_choices(meeting_id)

    def validate_person_id(self, field):
        if field.data in (0, None):
            return
        self.person = invitations.active_person(field.data)
        if self.person is None:
            raise ValidationError(_l("Choose a person from the list."))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.person_id.errors or self.name.errors:
            return False
        # Checked here, not in validate_name: an empty name stops that field's validators.
        if self.person is not None and self.name.data:
            self.name.errors.append(_l("Choose a person from the list or type a name, not both."))
            return False
        if self.person is None and not self.name.data:
            self.name.errors.append(
                _l("Choose a person from the list or type the name of someone without an account."))
            return False
        return valid


# --- template helpers ------------------------------------------------------------------------

@bp.app_template_global("meeting_answers_open")
def _answers_open(meeting):
    return invitations.answers_open(meeting)


@bp.app_template_global("meeting_attendance_open")
def _attendance_open(meeting):
    return invitations.attendance_open(meeting)


@bp.app_template_global("meeting_can_invite")
def _can_invite(person, meeting):
    return invitations.can_invite(person, meeting)


@bp.app_template_global("invitee_organisation")
def _invitee_organisation(invitation):
    return invitations.organisation_label(invitation)


# --- loading and access ----------------------------------------------------------------------

def _meeting_with_invitations(meeting_id: int) -> Meeting:
    meeting = db.one_or_404(invitations.meeting_with_invitations(meeting_id))
    if not permissions.can_view(current_user, meeting):
        abort(403)
    return meeting


def _meeting_to_manage(meeting_id: int) -> Meeting:
    meeting = _meeting_with_invitations(meeting_id)
    if not permissions.can_manage(current_user, meeting):
        abort(403)
    return meeting


def _meeting_with_type(meeting_id: int) -> Meeting:
    return db.one_or_404(sa.select(Meeting).where(Meeting.id == meeting_id).options(joinedload(Meeting.type)))


def _meeting_for_attendance(meeting_id: int) -> Meeting:
    meeting = _meeting_with_type(meeting_id)
    if not permissions.can_keep_attendance(current_user, meeting):
        abort(403)
    return meeting


def _meeting_page(meeting: Meeting):
    return redirect(url_for("meetings.meeting_detail", meeting_id=meeting.id) + "#invitations")


# --- inviting --------------------------------------------------------------------------------

def _invite_page(meeting: Meeting, status: int = 200, **forms):
    context = {
        "meeting": meeting,
        "invitees": sorted(meeting.invitations, key=invitations.sort_key),
        "open": invitations.can_invite(current_user, meeting),
        "person_form": forms.get("person_form") or InvitePersonForm(
            prefix="person", meeting_id=meeting.id, formdata=None),
        "organisation_form": forms.get("organisation_form") or InviteOrganisationForm(
            prefix="organisation", formdata=None),
        "sector_form": forms.get("sector_form") or InviteSectorForm(prefix="sector", formdata=None),
        "guest_form": forms.get("guest_form") or GuestForm(prefix="guest", meeting=meeting, formdata=None),
        "council_form": ConfirmForm(formdata=None),
        "council_size": invitations.whole_council_size(),
    }
    return render_template("meetings/invite.html", **context), status


def _closed(meeting: Meeting):
    """The answer to an invitation to a cancelled meeting."""
    flash(_("The meeting is cancelled; restore it before inviting anyone."), "error")
    return _meeting_page(meeting)


def _report(result: invitations.InviteResult, nobody: str):
    if result.added:
        flash(ngettext("%(num)d person is invited.", "%(num)d people are invited.", result.added), "success")
    if result.skipped:
        flash(ngettext("%(num)d person was already invited and is skipped.",
                       "%(num)d people were already invited and are skipped.", result.skipped), "info")
    if not result.added and not result.skipped:
        flash(nobody, "error")


def _invite(meeting: Meeting, people, nobody: str) -> None:
    try:
        result = invitations.invite_people(meeting, people)
    except invitations.InvitationError as error:
        flash(str(error.message), "error")
    else:
        _report(result, nobody)


@bp.get("/<int:meeting_id>/invite")
def invite(meeting_id: int):
    meeting = _meeting_to_manage(meeting_id)
    return _invite_page(meeting)


@bp.post("/<int:meeting_id>/invite/person")
def invite_person(meeting_id: int):
    meeting = _meeting_to_manage(meeting_id)
    if not invitations.can_invite(current_user, meeting):
        return _closed(meeting)
    form = InvitePersonForm(prefix="person", meeting_id=meeting.id)
    if not form.validate_on_submit():
        return _invite_page(meeting, 422, person_form=form)
    _invite(meeting, [form.person], _("Nobody was invited."))
    return redirect(url_for("meetings.invite", meeting_id=meeting.id))


@bp.post("/<int:meeting_id>/invite/organisation")
def invite_organisation(meeting_id: int):
    meeting = _meeting_to_manage(meeting_id)
    if not invitations.can_invite(current_user, meeting):
        return _closed(meeting)
    form = InviteOrganisationForm(prefix="organisation")
    if not form.validate_on_submit():
        return _invite_page(meeting, 422, organisation_form=form)
    _invite(meeting, invitations.people_of_organisation(form.organisation_id.data),
            _("Nobody was invited: the organisation has no active people in the directory."))
    return redirect(url_for("meetings.invite", meeting_id=meeting.id))


@bp.post("/<int:meeting_id>/invite/sector")
def invite_sector(meeting_id: int):
    meeting = _meeting_to_manage(meeting_id)
    if not invitations.can_invite(current_user, meeting):
        return _closed(meeting)
    form = InviteSectorForm(prefix="sector")
    if not form.validate_on_submit():
        return _invite_page(meeting, 422, sector_form=form)
    _invite(meeting, invitations.people_of_sector(form.sector_id.data),
            _("Nobody was invited: no active organisation of this sector has active people."))
    return redirect(url_for("meetings.invite", meeting_id=meeting.id))


@bp.post("/<int:meeting_id>/invite/council")
def invite_council(meeting_id: int):
    meeting = _meeting_to_manage(meeting_id)
    if not invitations.can_invite(current_user, meeting):
        return _closed(meeting)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    _invite(meeting, invitations.whole_council(), _("Nobody was invited: the council has no active members."))
    return redirect(url_for("meetings.invite", meeting_id=meeting.id))


@bp.post("/<int:meeting_id>/invite/guest")
def invite_guest(meeting_id: int):
    meeting = _meeting_to_manage(meeting_id)
    if not invitations.can_invite(current_user, meeting):
        return _closed(meeting)
    form = GuestForm(prefix="guest", meeting=meeting)
    if not form.validate_on_submit():
        return _invite_page(meeting, 422, guest_form=form)
    try:
        invited = invitations.invite_guest(meeting, name=form.name.data, organisation=form.organisation.data or "",
                                           email=form.email.data, created_by=current_user)
    except invitations.InvitationError as error:
        form.email.errors = [*form.email.errors, error.message]
        return _invite_page(meeting, 422, guest_form=form)
    if invited.token is None:
        flash(_("%(name)s already has an account with this email and is now invited.",
                name=invited.person.name), "success")
        return redirect(url_for("meetings.invite", meeting_id=meeting.id))
    return render_template("meetings/invite_guest_link.html", meeting=meeting, person=invited.person,
                           link=url_for("auth.set_password", token=invited.token, _external=True))


@bp.post("/<int:meeting_id>/invitations/send")
def send_invitations(meeting_id: int):
    meeting = _meeting_to_manage(meeting_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        invitations.send_invitations(meeting)
    except invitations.InvitationError as error:
        flash(str(error.message), "error")
    except services.EditConflict:
        flash(_("Someone else changed the meeting at the same time. Try again."), "error")
    else:
        flash(ngettext(
            "Invitations are sent: the invitee can now see the meeting and answer. "
            "E-mail notices are not sent yet; tell them the meeting is in Council.",
            "Invitations are sent: the %(num)d invitees can now see the meeting and answer. "
            "E-mail notices are not sent yet; tell them the meeting is in Council.",
            len(meeting.invitations)), "success")
    return _meeting_page(meeting)


@bp.post("/<int:meeting_id>/invitations/<int:invitation_id>/remove")
def remove_invitation(meeting_id: int, invitation_id: int):
    meeting = _meeting_to_manage(meeting_id)
    invitation = next((i for i in meeting.invitations if i.id == invitation_id), None)
    if invitation is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = invitation.display_name
    invitations.remove_invitation(invitation)
    flash(_("%(name)s is no longer invited.", name=name), "success")
    return redirect(url_for("meetings.invite", meeting_id=meeting.id))


# --- answering -------------------------------------------------------------------------------

@bp.post("/<int:meeting_id>/respond")
def respond(meeting_id: int):
    """The signed-in person's own answer; there is no way to answer for someone else."""
    meeting = db.one_or_404(sa.select(Meeting).where(Meeting.id == meeting_id))
    if not permissions.can_view(current_user, meeting):
        abort(403)
    invitation = invitations.invitation_of(meeting.id, current_user.id)
    if invitation is None:
        abort(403)
    target = request.headers.get("HX-Target") if htmx.is_htmx() else None
    error, status = None, 200
    try:
        answer = InvitationResponse(request.form.get("response", ""))
        if answer == InvitationResponse.PENDING:
            raise ValueError
    except ValueError:
        error, status = _("Choose whether you will attend or are excused."), 422
    else:
        try:
            invitations.respond(invitation, answer)
        except invitations.InvitationError as problem:
            error, status = str(problem.message), 409
    if target in RESPONSE_TARGETS:
        # On the meeting page the counts change with the answer.
        counts = invitations.answers(meeting.id) if target == "my-response" and error is None else None
        return render_template("meetings/_respond.html", meeting=meeting, invitation=invitation,
                               response_id=target, error=error, saved=error is None,
                               counts=counts), status
    if error:
        flash(error, "error")
    else:
        flash(_("Your answer is saved."), "success")
    if request.form.get("back") == "dashboard":
        return redirect(url_for("core.dashboard"))
    return _meeting_page(meeting)


# --- attendance ------------------------------------------------------------------------------

def _attendance_context(meeting: Meeting, walk_in_form=None) -> dict:
    """The invitees with their answers for everyone who may see the meeting; the toggles and
    the walk-in form for those who keep the list, from the meeting's day on."""
    rows = invitations.attendance_rows(meeting.id)
    may_keep = permissions.can_keep_attendance(current_user, meeting)
    is_open = may_keep and invitations.attendance_open(meeting)
    if is_open and walk_in_form is None:
        walk_in_form = WalkInForm(prefix="walk_in", meeting_id=meeting.id, formdata=None)
    counts = invitations.attendance_counts(rows)
    return {
        "meeting": meeting, "rows": rows, "counts": counts, "walk_in_form": walk_in_form,
        "open": is_open, "may_keep": may_keep, "locked": invitations.attendance_locked(meeting),
        "show_attendance": is_open or counts[Attendance.UNKNOWN.value] < len(rows),
        "may_invite": invitations.can_invite(current_user, meeting),
    }


@bp.get("/<int:meeting_id>/attendance")
def attendance(meeting_id: int):
    meeting = _meeting_with_type(meeting_id)
    if not permissions.can_view(current_user, meeting):
        abort(403)
    if htmx.targets("attendance-summary"):
        rows = invitations.attendance_rows(meeting.id)
        return render_template("meetings/_attendance_summary.html", meeting=meeting,
                               counts=invitations.attendance_counts(rows))
    context = _attendance_context(meeting)
    if htmx.targets("attendance-list"):
        return render_template("meetings/_attendance_list.html", **context)
    return render_template("meetings/attendance.html", **context)


@bp.post("/<int:meeting_id>/attendance/<int:invitation_id>")
def record_attendance(meeting_id: int, invitation_id: int):
    meeting = _meeting_for_attendance(meeting_id)
    invitation = db.one_or_404(
        sa.select(Invitation).where(Invitation.id == invitation_id, Invitation.meeting_id == meeting.id)
        .options(joinedload(Invitation.person), joinedload(Invitation.organisation)))
    error, status = None, 200
    try:
        value = Attendance(request.form.get("attendance", ""))
        if value not in RECORDABLE:
            raise ValueError
    except ValueError:
        error, status = _("Choose present, excused or absent."), 422
    else:
        try:
            invitations.set_attendance(invitation, value)
        except invitations.InvitationError as problem:
            error, status = str(problem.message), 409
    if htmx.targets(f"attendance-row-{invitation.id}"):
        response = render_template("meetings/_attendance_row.html", meeting=meeting, invitation=invitation,
                                   error=error, open=invitations.attendance_open(meeting)), status
        if error is None:
            return (*response, {"HX-Trigger": "attendance-changed"})
        return response
    if error:
        flash(error, "error")
    return redirect(url_for("meetings.attendance", meeting_id=meeting.id) + f"#attendance-row-{invitation.id}")


@bp.post("/<int:meeting_id>/attendance/walk-in")
def add_walk_in(meeting_id: int):
    meeting = _meeting_for_attendance(meeting_id)
    form = WalkInForm(prefix="walk_in", meeting_id=meeting.id)
    fragment = htmx.targets("attendance-list")
    if form.validate_on_submit():
        try:
            invitation, created = invitations.add_walk_in(
                meeting, person=form.person, name=form.name.data or "",
                organisation=form.organisation.data or "")
        except invitations.InvitationError as problem:
            if not invitations.attendance_open(meeting):  # closed meanwhile: the form is gone
                if fragment:
                    return render_template("meetings/_attendance_list.html", problem=problem.message,
                                           **_attendance_context(meeting)), 409
                flash(str(problem.message), "error")
                return redirect(url_for("meetings.attendance", meeting_id=meeting.id))
            form.name.errors = [*form.name.errors, problem.message]
        else:
            if created:
                message = _("%(name)s is added and marked present.", name=invitation.display_name)
            else:
                message = _("%(name)s was invited and is now marked present.", name=invitation.display_name)
            if fragment:
                context = _attendance_context(meeting)
                return render_template("meetings/_attendance_list.html", message=message, **context), \
                    200, {"HX-Trigger": "attendance-changed"}
            flash(message, "success")
            return redirect(url_for("meetings.attendance", meeting_id=meeting.id))
    context = _attendance_context(meeting, walk_in_form=form)
    template = "meetings/_attendance_list.html" if fragment else "meetings/attendance.html"
    return render_template(template, **context), 422


# --- statistics ------------------------------------------------------------------------------

@bp.get("/statistics")
@requires(Permission.VIEW_MEETINGS)
def statistics():
    type_id = _to_id(request.args.get("type")) if request.args.get("type") else None
    type_id = type_id if type_id and type_id > 0 else None
    year = request.args.get("year", type=int)
    figures_year = year if year and 1900 < year < 3000 else None
    if figures_year is None:
        figures_year = invitations.default_statistics_year(invitations.held_meeting_figures(type_id))
    stats = invitations.statistics(figures_year, type_id)
    series = [str(stats.previous), str(stats.year)]
    meeting_chart = None
    if stats.meetings:
        meeting_chart = charts.column_chart(
            [charts.Column(format_day(m.starts_at, "short"), m.present, 1 if m.year == stats.year else 0,
                           _("%(date)s, %(title)s: %(num)d present", date=format_day(m.starts_at, "short"),
                             title=m.title, num=m.present))
             for m in stats.meetings],
            chart_id="chart-meetings",
            title=_("People present per meeting, %(previous)d and %(year)d",
                    previous=stats.previous, year=stats.year),
            description=_("%(previous)d: %(a)d meetings, %(b)d present in all. "
                          "%(year)d: %(c)d meetings, %(d)d present in all. "
                          "The table below lists every meeting.",
                          previous=stats.previous, year=stats.year,
                          a=stats.summary[stats.previous]["meetings"],
                          b=stats.summary[stats.previous]["attendances"],
                          c=stats.summary[stats.year]["meetings"],
                          d=stats.summary[stats.year]["attendances"]),
            series_names=series,
        )
    sector_chart = None
    if stats.sectors:
        sector_chart = charts.grouped_bar_chart(
            [(s.label, [s.attendances.get(stats.previous, 0), s.attendances.get(stats.year, 0)])
             for s in stats.sectors],
            chart_id="chart-sectors",
            title=_("People present by sector, %(previous)d compared with %(year)d",
                    previous=stats.previous, year=stats.year),
            description=_("One pair of bars per sector: the grey bar is %(previous)d, the blue bar "
                          "%(year)d. The table below gives the same figures.",
                          previous=stats.previous, year=stats.year),
            series_names=series,
        )
    return render_template("meetings/statistics.html", stats=stats, type_id=type_id,
                           types=services.active_meeting_types(),
                           year_choices=_year_choices(stats), meeting_chart=meeting_chart,
                           sector_chart=sector_chart)


def _year_choices(stats: invitations.Statistics) -> list[int]:
    years = {figure.year for figure in stats.years} | {stats.year}
    return sorted(years, reverse=True)
