"""Invitations and attendance: who is invited, their answers, the attendance list on the day,
walk-ins, and the attendance statistics the council compares year by year."""
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from council.auth import services as auth_services
from council.auth.models import Person
from council.auth.roles import Role
from council.core.text import fold, utcnow
from council.core.timezones import local_to_utc, utc_to_local
from council.directory.models import DEFAULT_SECTORS, Organisation, Sector
from council.extensions import db
from council.meetings import permissions, services
from council.meetings.models import (
    Attendance,
    Invitation,
    InvitationResponse,
    Meeting,
    MeetingStatus,
    MeetingType,
)

# Meetings that took place: their attendance counts in the statistics.
HELD_STATUSES = (MeetingStatus.HELD.value, MeetingStatus.MINUTES_IN_REVIEW.value,
                 MeetingStatus.MINUTES_APPROVED.value)


class InvitationError(Exception):
    """The change cannot be made; ``message`` says why, in words for the person."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# --- who may -------------------------------------------------------------------------------

def can_invite(person, meeting: Meeting) -> bool:
    """The secretary invites, to any meeting that is not cancelled."""
    return permissions.can_manage(person, meeting) and meeting.status != MeetingStatus.CANCELLED


def answers_open(meeting: Meeting, now: datetime | None = None) -> bool:
    """Invitees answer until the meeting is over (or marked held, or cancelled)."""
    now = now or utcnow()
    return meeting.status in (MeetingStatus.PLANNED, MeetingStatus.INVITED) and meeting.ends_at >= now


def attendance_locked(meeting: Meeting) -> bool:
    """Who came is part of the minutes: once they go to the reviewers it no longer changes."""
    return meeting.status in (MeetingStatus.MINUTES_IN_REVIEW, MeetingStatus.MINUTES_APPROVED)


def attendance_open(meeting: Meeting, now: datetime | None = None) -> bool:
    """Attendance is recorded from the meeting's day on (or once it is marked held): marking
    someone a week early would mark the meeting held before it took place. It closes when the
    minutes are sent for review."""
    if meeting.status == MeetingStatus.CANCELLED or attendance_locked(meeting):
        return False
    if meeting.status in HELD_STATUSES:
        return True
    today = utc_to_local(now or utcnow()).date()
    return today >= utc_to_local(meeting.starts_at).date()


# --- loading -------------------------------------------------------------------------------

def meeting_with_invitations(meeting_id: int):
    """A meeting with its invitees (and their organisations) in a fixed number of queries."""
    return (
        sa.select(Meeting).where(Meeting.id == meeting_id)
        .options(joinedload(Meeting.type),
                 selectinload(Meeting.invitations).options(
                     joinedload(Invitation.person), joinedload(Invitation.organisation)))
    )


def sort_key(invitation: Invitation) -> tuple[str, int]:
    return fold(invitation.display_name), invitation.id or 0


def attendance_rows(meeting_id: int) -> list[Invitation]:
    """Every invitee of the meeting, by name: one query whatever their number."""
    rows = db.session.scalars(
        sa.select(Invitation).where(Invitation.meeting_id == meeting_id)
        .options(joinedload(Invitation.person), joinedload(Invitation.organisation))
    ).all()
    return sorted(rows, key=sort_key)


def organisation_label(invitation: Invitation) -> str:
    """The organisation the invitee represented: recorded at the time, or typed for a guest."""
    if invitation.organisation is not None:
        return invitation.organisation.name
    return invitation.walk_in_organisation


class OwnAnswer(NamedTuple):
    response: str


@dataclass
class Answers:
    """How the invitees answered and who came, for the meeting page."""

    total: int = 0
    attending: int = 0
    excused: int = 0
    not_answered: int = 0  # members who have not answered (walk-ins are not asked)
    present: int = 0
    recorded: bool = False
    not_answered_names: list[str] = field(default_factory=list)  # by name, when asked for
    mine: OwnAnswer | None = None  # the person's own answer, if invited


def answers(meeting_id: int, person_id: int | None = None, *, with_names: bool = False) -> Answers:
    """Counted by the database in one query whatever the number of invitees; ``with_names``
    also lists, in a second one, who has not answered yet."""
    counts = db.session.execute(answer_counts(), {"meeting_id": meeting_id, "person_id": person_id or 0}).one()
    return answers_from(counts, meeting_id, with_names=with_names)


def answers_from(counts, meeting_id: int, *, with_names: bool = False) -> Answers:
    """``Answers`` from a row of ``answer_counts()``'s columns, selected alone or with the
    meeting (the meeting page)."""
    total, attending, excused, not_answered, present, recorded, mine = counts
    names = []
    if with_names and not_answered:
        not_answered_query = _answer_statements()[1]
        names = sorted(db.session.scalars(not_answered_query, {"meeting_id": meeting_id}), key=fold)
    return Answers(total, attending, excused, not_answered, present, recorded > 0, names,
                   OwnAnswer(mine) if mine is not None else None)


def answer_counts():
    """The counts behind ``Answers`` as one aggregate row, for the meeting given as the
    ``meeting_id`` parameter and the person as ``person_id``."""
    return _answer_statements()[0]


@functools.cache
def _answer_statements():
    """Built once: composing them costs more than running them."""
    meeting_id, person_id = sa.bindparam("meeting_id"), sa.bindparam("person_id")
    response, attendance = Invitation.response, Invitation.attendance
    of_meeting = Invitation.meeting_id == meeting_id
    pending = sa.and_(response == InvitationResponse.PENDING.value, Invitation.person_id.is_not(None))
    counts = sa.select(
        sa.func.count(),
        sa.func.count().filter(response == InvitationResponse.ATTENDING.value),
        sa.func.count().filter(response == InvitationResponse.EXCUSED.value),
        sa.func.count().filter(pending),
        sa.func.count().filter(attendance == Attendance.PRESENT.value),
        sa.func.count().filter(attendance != Attendance.UNKNOWN.value),
        sa.func.max(sa.case((Invitation.person_id == person_id, response))),
    ).where(of_meeting)
    names = (sa.select(Person.name).join(Invitation, Invitation.person_id == Person.id)
             .where(of_meeting, pending))
    return counts, names


def attendance_counts(rows: list[Invitation]) -> dict[str, int]:
    counts = {value.value: 0 for value in Attendance}
    for invitation in rows:
        counts[invitation.attendance] = counts.get(invitation.attendance, 0) + 1
    return counts


# --- whom to invite -----------------------------------------------------------------------

def invited_person_ids(meeting_id: int) -> set[int]:
    return set(db.session.scalars(
        sa.select(Invitation.person_id).where(Invitation.meeting_id == meeting_id,
                                              Invitation.person_id.is_not(None))))


def active_person(person_id: int | None) -> Person | None:
    if not person_id:
        return None
    return db.session.scalar(sa.select(Person).where(Person.id == person_id, Person.active.is_(True)))


def people_of_organisation(organisation_id: int) -> list[Person]:
    return list(db.session.scalars(
        sa.select(Person).where(Person.organisation_id == organisation_id, Person.active.is_(True))
        .order_by(Person.name)))


def people_of_sector(sector_id: int) -> list[Person]:
    """Active people of the sector's active organisations."""
    return list(db.session.scalars(
        sa.select(Person).join(Organisation, Person.organisation_id == Organisation.id)
        .where(Organisation.sector_id == sector_id, Organisation.active.is_(True),
               Person.active.is_(True))
        .order_by(Person.name)))


def whole_council_query():
    return sa.select(Person).where(Person.active.is_(True), Person.role != Role.GUEST.value)


def whole_council() -> list[Person]:
    """Every active person who is not a guest."""
    return list(db.session.scalars(whole_council_query().order_by(Person.name)))


def whole_council_size() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(whole_council_query().subquery()))


def person_choices(meeting_id: int) -> list[tuple[int, str]]:
    """Active people not yet invited, "Name (organisation)"; guests are marked as such."""
    invited = sa.select(Invitation.person_id).where(Invitation.meeting_id == meeting_id,
                                                    Invitation.person_id.is_not(None))
    rows = db.session.execute(
        sa.select(Person.id, Person.name, Person.role, Organisation.short_name, Organisation.name)
        .outerjoin(Organisation, Person.organisation_id == Organisation.id)
        .where(Person.active.is_(True), Person.id.not_in(invited))
        .order_by(Person.name, Person.id)
    ).all()
    choices = []
    for person_id, name, role, short_name, organisation_name in rows:
        if organisation_name:
            label = f"{name} ({short_name or organisation_name})"
        elif role == Role.GUEST:
            label = f"{name} ({_l('guest')})"
        else:
            label = name
        choices.append((person_id, label))
    return choices


def organisation_choices() -> list[tuple[int, str, int]]:
    """Active organisations with the number of their active people: (id, name, count)."""
    people = (sa.select(Person.organisation_id, sa.func.count().label("n"))
              .where(Person.active.is_(True)).group_by(Person.organisation_id).subquery())
    rows = db.session.execute(
        sa.select(Organisation.id, Organisation.name, sa.func.coalesce(people.c.n, 0))
        .outerjoin(people, people.c.organisation_id == Organisation.id)
        .where(Organisation.active.is_(True)).order_by(Organisation.name)
    ).all()
    return [(row[0], row[1], row[2]) for row in rows]


def sector_choices() -> list[tuple[int, str]]:
    sectors = db.session.scalars(sa.select(Sector).where(Sector.active.is_(True))
                                 .order_by(Sector.position, Sector.name)).all()
    return [(sector.id, sector.label) for sector in sectors]


# --- inviting ------------------------------------------------------------------------------

@dataclass(frozen=True)
class InviteResult:
    added: int
    skipped: int


def invite_people(meeting: Meeting, people: list[Person]) -> InviteResult:
    """Invite ``people``, skipping those already invited; all or nothing, in one commit.

    Each invitation records the organisation the person belongs to now, so that statistics
    still count the organisation they represented after they move on."""
    already = invited_person_ids(meeting.id)
    added = skipped = 0
    for person in people:
        if person.id in already:
            skipped += 1
            continue
        db.session.add(Invitation(meeting_id=meeting.id, person_id=person.id,
                                  organisation_id=person.organisation_id))
        already.add(person.id)
        added += 1
    _commit_or_explain()
    return InviteResult(added, skipped)


def _commit_or_explain() -> None:
    try:
        db.session.commit()
    except IntegrityError:
        # Someone else invited one of them in the same moment; nothing of this request is kept.
        db.session.rollback()
        raise InvitationError(_l("Someone else changed the invitations at the same time. "
                                 "Nothing was saved; try again.")) from None


@dataclass(frozen=True)
class GuestInvite:
    person: Person
    token: str | None  # a set-password link for a new account, None for an existing one


def find_person_by_email(email: str) -> Person | None:
    email = auth_services.normalise_email(email)
    return db.session.scalar(sa.select(Person).where(sa.func.lower(Person.email) == email))


def guest_email_problem(meeting: Meeting, email: str):
    """Why this email cannot be invited as a guest of the meeting, or None."""
    person = find_person_by_email(email)
    if person is None:
        return None
    if not person.active:
        return _l("%(name)s has this email, but their account is deactivated. "
                  "Ask an administrator to reactivate it first.", name=person.name)
    if person.id in invited_person_ids(meeting.id):
        return _l("%(name)s has this email and is already invited.", name=person.name)
    return None


def invite_guest(meeting: Meeting, *, name: str, organisation: str, email: str,
                 created_by: Person) -> GuestInvite:
    """Invite someone from outside the council to this meeting.

    A new email gets a guest account (no organisation; it sees only the meetings it is invited
    to) and a one-time link to set a password. An email that is already known invites that
    person: nobody gets a second account. The free-text organisation is kept on the invitation.
    """
    problem = guest_email_problem(meeting, email)
    if problem is not None:
        raise InvitationError(problem)
    person = find_person_by_email(email)
    token = None
    if person is None:
        try:
            person, token = auth_services.invite(name=name, email=email, organisation_id=None,
                                                 role=Role.GUEST, created_by=created_by)
        except IntegrityError:
            db.session.rollback()
            raise InvitationError(_l("Someone else saved this email at the same time. "
                                     "Nothing was saved; try again.")) from None
    db.session.add(Invitation(
        meeting_id=meeting.id, person_id=person.id, organisation_id=person.organisation_id,
        walk_in_organisation=organisation.strip() if person.organisation_id is None else "",
    ))
    _commit_or_explain()
    return GuestInvite(person, token)


def remove_invitation(invitation: Invitation) -> None:
    db.session.delete(invitation)
    db.session.commit()


def send_invitations(meeting: Meeting) -> None:
    """The invitees can now see the meeting and answer (e-mail notices come later)."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise InvitationError(_l("The meeting is cancelled."))
    if not meeting.invitations:
        raise InvitationError(_l("Invite someone first."))
    services.mark_invitations_sent(meeting)
    services.commit_or_conflict(meeting)


# --- answering -----------------------------------------------------------------------------

def invitation_of(meeting_id: int, person_id: int) -> Invitation | None:
    return db.session.scalar(sa.select(Invitation).where(Invitation.meeting_id == meeting_id,
                                                         Invitation.person_id == person_id))


def respond(invitation: Invitation, response: InvitationResponse) -> None:
    """The invitee's own answer: attending or excused."""
    if not answers_open(invitation.meeting):
        raise InvitationError(_l("The meeting is over or cancelled; answers are closed."))
    invitation.response = response.value
    invitation.responded_at = utcnow()
    db.session.commit()


# --- attendance ----------------------------------------------------------------------------

def _commit_marking_held(meeting: Meeting, change) -> None:
    """Apply ``change`` and mark the meeting held, in one commit.

    Two people marking the first attendances at once both bump the meeting's version; the
    second is applied again on top of the first instead of failing."""
    for attempt in range(2):
        change()
        services.mark_held(meeting)
        try:
            db.session.commit()
            return
        except StaleDataError:
            db.session.rollback()
            if attempt:
                raise


def _require_attendance_open(meeting: Meeting) -> None:
    if attendance_locked(meeting):
        raise InvitationError(_l("The attendance list is part of the minutes, which are with the "
                                 "reviewers or approved: it can no longer change."))
    if not attendance_open(meeting):
        raise InvitationError(_l("The attendance list opens on the day of the meeting."))


def set_attendance(invitation: Invitation, attendance: Attendance) -> None:
    meeting = invitation.meeting
    _require_attendance_open(meeting)

    def change():
        invitation.attendance = attendance.value

    _commit_marking_held(meeting, change)


def add_walk_in(meeting: Meeting, *, person: Person | None = None, name: str = "",
                organisation: str = "") -> tuple[Invitation, bool]:
    """Someone who came without an invitation: a person with an account, or a name typed in.

    They are recorded as present. Returns the invitation and whether it is new (a person who
    was invited after all is just marked present)."""
    _require_attendance_open(meeting)
    invitation = invitation_of(meeting.id, person.id) if person is not None else None
    created = invitation is None
    if created:
        if person is not None:
            invitation = Invitation(meeting_id=meeting.id, person_id=person.id,
                                    organisation_id=person.organisation_id)
        else:
            invitation = Invitation(meeting_id=meeting.id, walk_in_name=name.strip(),
                                    walk_in_organisation=organisation.strip())
        db.session.add(invitation)

    def change():
        invitation.attendance = Attendance.PRESENT.value

    try:
        _commit_marking_held(meeting, change)
    except IntegrityError:
        db.session.rollback()
        raise InvitationError(_l("Someone else changed the invitations at the same time. "
                                 "Nothing was saved; try again.")) from None
    return invitation, created


# --- statistics ----------------------------------------------------------------------------

@dataclass
class MeetingFigure:
    meeting_id: int
    title: str
    starts_at: datetime
    type_label: str
    present: int
    invited: int

    @property
    def year(self) -> int:
        return utc_to_local(self.starts_at).year


@dataclass
class YearFigure:
    year: int
    meetings: int = 0
    attendances: int = 0

    @property
    def average(self) -> float:
        return self.attendances / self.meetings if self.meetings else 0.0


@dataclass
class Compared:
    """One organisation's (or sector's) figures in the previous and the chosen year."""

    label: str
    sector: str = ""
    meetings: dict[int, int] = field(default_factory=dict)     # year -> meetings attended
    attendances: dict[int, int] = field(default_factory=dict)  # year -> people present, summed
    organisations: dict[int, int] = field(default_factory=dict)  # sectors only


@dataclass
class Statistics:
    year: int
    previous: int
    years: list[YearFigure]                # every year with held meetings, newest first
    meetings: list[MeetingFigure]          # the previous and the chosen year, oldest first
    summary: dict[int, dict[str, int]]     # year -> meetings, attendances, people, organisations
    organisations: list[Compared]
    sectors: list[Compared]

    def meetings_of(self, year: int) -> list[MeetingFigure]:
        return [m for m in self.meetings if m.year == year]


def held_meeting_figures(type_id: int | None = None) -> list[MeetingFigure]:
    """Every held meeting with the number present and invited, oldest first (one query)."""
    present = sa.func.count(Invitation.id).filter(Invitation.attendance == Attendance.PRESENT.value)
    invited = sa.func.count(Invitation.id).filter(Invitation.person_id.is_not(None))
    query = (
        sa.select(Meeting.id, Meeting.title, Meeting.starts_at, Meeting.type_id, present, invited)
        .outerjoin(Invitation, Invitation.meeting_id == Meeting.id)
        .where(Meeting.status.in_(HELD_STATUSES))
        .group_by(Meeting.id, Meeting.title, Meeting.starts_at, Meeting.type_id)
        .order_by(Meeting.starts_at, Meeting.id)
    )
    if type_id:
        query = query.where(Meeting.type_id == type_id)
    rows = db.session.execute(query).all()
    # Every type, retired ones too: they still label their old meetings.
    types = {t.id: t.label for t in db.session.scalars(sa.select(MeetingType))}
    return [MeetingFigure(row[0], row[1], row[2], types.get(row[3], ""), row[4], row[5]) for row in rows]


def default_statistics_year(figures: list[MeetingFigure]) -> int:
    """The latest year with a held meeting, or this year."""
    return figures[-1].year if figures else utc_to_local(utcnow()).year


def statistics(year: int, type_id: int | None = None) -> Statistics:
    """Attendance per held meeting, and which organisations and sectors came in ``year``
    compared with the year before (as the councils' yearly reports compare them)."""
    previous = year - 1
    figures = held_meeting_figures(type_id)
    by_year: dict[int, YearFigure] = {}
    for figure in figures:
        entry = by_year.setdefault(figure.year, YearFigure(figure.year))
        entry.meetings += 1
        entry.attendances += figure.present
    compared = [f for f in figures if f.year in (previous, year)]
    year_of = {f.meeting_id: f.year for f in compared}

    rows = []
    if year_of:
        window_start = local_to_utc(datetime(previous, 1, 1))
        window_end = local_to_utc(datetime(year + 1, 1, 1))
        query = (
            sa.select(Invitation.meeting_id, Invitation.person_id, Invitation.walk_in_name,
                      Invitation.organisation_id, Invitation.walk_in_organisation,
                      Organisation.name, Sector.code, Sector.name)
            .join(Meeting, Meeting.id == Invitation.meeting_id)
            .outerjoin(Organisation, Organisation.id == Invitation.organisation_id)
            .outerjoin(Sector, Sector.id == Organisation.sector_id)
            .where(Invitation.attendance == Attendance.PRESENT.value,
                   Meeting.status.in_(HELD_STATUSES),
                   Meeting.starts_at >= window_start, Meeting.starts_at < window_end)
        )
        if type_id:
            query = query.where(Meeting.type_id == type_id)
        rows = db.session.execute(query).all()

    summary = {y: {"meetings": 0, "attendances": 0, "people": 0, "organisations": 0}
               for y in (previous, year)}
    for figure in compared:
        summary[figure.year]["meetings"] += 1
        summary[figure.year]["attendances"] += figure.present
    people: dict[int, set] = defaultdict(set)
    organisations: dict[int, set] = defaultdict(set)
    by_organisation: dict[tuple, Compared] = {}
    org_meetings: dict[tuple, dict[int, set]] = defaultdict(lambda: defaultdict(set))
    by_sector: dict[str, Compared] = {}
    sector_meetings: dict[str, dict[int, set]] = defaultdict(lambda: defaultdict(set))
    sector_orgs: dict[str, dict[int, set]] = defaultdict(lambda: defaultdict(set))
    outside = str(_l("Not in the directory"))
    no_organisation = str(_l("No organisation given"))
    for meeting_id, person_id, walk_in_name, org_id, org_text, org_name, sector_code, sector_name in rows:
        y = year_of.get(meeting_id)
        if y is None:  # a meeting of a year outside the window in local time
            continue
        people[y].add(("p", person_id) if person_id is not None else ("w", fold(walk_in_name)))
        if org_id is not None:
            key = ("o", org_id)
            label = org_name
            sector_label = str(DEFAULT_SECTORS[sector_code]) if sector_code in DEFAULT_SECTORS else sector_name
        else:
            text = (org_text or "").strip()
            key = ("t", fold(text)) if text else ("none",)
            label = text or no_organisation
            sector_label = outside
        if key != ("none",):
            organisations[y].add(key)
        entry = by_organisation.setdefault(key, Compared(label, sector_label))
        entry.attendances[y] = entry.attendances.get(y, 0) + 1
        org_meetings[key][y].add(meeting_id)
        sector_entry = by_sector.setdefault(sector_label, Compared(sector_label))
        sector_entry.attendances[y] = sector_entry.attendances.get(y, 0) + 1
        sector_meetings[sector_label][y].add(meeting_id)
        if key != ("none",):
            sector_orgs[sector_label][y].add(key)
    for y in (previous, year):
        summary[y]["people"] = len(people[y])
        summary[y]["organisations"] = len(organisations[y])
    for key, entry in by_organisation.items():
        entry.meetings = {y: len(ids) for y, ids in org_meetings[key].items()}
    for label, entry in by_sector.items():
        entry.meetings = {y: len(ids) for y, ids in sector_meetings[label].items()}
        entry.organisations = {y: len(keys) for y, keys in sector_orgs[label].items()}

    def order(entry: Compared):
        return (-entry.attendances.get(year, 0), -entry.attendances.get(previous, 0), fold(entry.label))

    return Statistics(
        year=year, previous=previous,
        years=sorted(by_year.values(), key=lambda f: f.year, reverse=True),
        meetings=compared, summary=summary,
        organisations=sorted(by_organisation.values(), key=order),
        sectors=sorted(by_sector.values(), key=order),
    )
