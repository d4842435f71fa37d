"""Meetings: planning, series, cloning, cancelling, the status workflow and the cadence rule."""
import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from dateutil.rrule import MONTHLY, rrule, weekday
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from council.core.models import CouncilSetting
from council.core.text import utcnow
from council.core.timezones import local_to_utc, utc_to_local
from council.extensions import db
from council.meetings.models import (
    AgendaItem,
    Attachment,
    Conclusion,
    Invitation,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    MeetingType,
    Minutes,
    MinutesAmendment,
    MinutesReview,
)

CADENCE_SETTING = "meeting_cadence_months"
DEFAULT_CADENCE_MONTHS = 3


class EditConflict(Exception):
    """Someone else saved the record after this person opened it."""

    def __init__(self, current=None):
        super().__init__("edit conflict")
        self.current = current


class WorkflowError(Exception):
    """The change is not allowed in the record's current state (the message says why)."""


def commit_or_conflict(obj) -> None:
    """Commit; when another save bumped the row's version first, raise EditConflict instead."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise EditConflict(db.session.get(type(obj), obj.id)) from None


MEETING_FIELDS = ("title", "type_id", "starts_at", "ends_at", "place", "description",
                  "chair_id", "recorder_id", "facilitator_id")


def save_meeting(meeting: Meeting | None, data: dict, version: int | None = None) -> Meeting:
    """Create or update a meeting; ``starts_at``/``ends_at`` in ``data`` are naive UTC."""
    if meeting is None:
        meeting = Meeting(status=MeetingStatus.PLANNED.value)
        db.session.add(meeting)
    elif version is not None and version != meeting.version:
        raise EditConflict(meeting)
    for field in MEETING_FIELDS:
        if field in data:
            value = data[field]
            if field.endswith("_id") and field != "type_id":
                value = value or None
            setattr(meeting, field, value)
    if meeting.ends_at <= meeting.starts_at:
        db.session.rollback()
        raise WorkflowError("ends before it starts")
    commit_or_conflict(meeting)
    return meeting


def cancel_meeting(meeting: Meeting) -> None:
    """Cancelling keeps the record (and can be undone)."""
    if meeting.status == MeetingStatus.CANCELLED:
        return
    if meeting.status in (MeetingStatus.MINUTES_IN_REVIEW, MeetingStatus.MINUTES_APPROVED):
        raise WorkflowError("a meeting with minutes cannot be cancelled")
    meeting.status_before_cancel = meeting.status
    meeting.status = MeetingStatus.CANCELLED.value
    db.session.commit()


def restore_meeting(meeting: Meeting) -> None:
    if meeting.status != MeetingStatus.CANCELLED:
        return
    meeting.status = meeting.status_before_cancel or MeetingStatus.PLANNED.value
    meeting.status_before_cancel = None
    db.session.commit()


def mark_invitations_sent(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.PLANNED:
        meeting.status = MeetingStatus.INVITED.value


def mark_held(meeting: Meeting) -> None:
    """A meeting becomes "held" when it is marked so, or when attendance or minutes start."""
    if meeting.status in (MeetingStatus.PLANNED, MeetingStatus.INVITED):
        meeting.status = MeetingStatus.HELD.value


def clone_meeting(meeting: Meeting, starts_at: datetime, series: MeetingSeries | None = None) -> Meeting:
    """A new planned meeting like ``meeting`` (same type, place, roles, agenda) at ``starts_at``."""
    copy = Meeting(
        title=meeting.title, type_id=meeting.type_id, starts_at=starts_at,
        ends_at=starts_at + (meeting.ends_at - meeting.starts_at), place=meeting.place,
        description=meeting.description, chair_id=meeting.chair_id,
        recorder_id=meeting.recorder_id, facilitator_id=meeting.facilitator_id,
        status=MeetingStatus.PLANNED.value, series=series,
    )
    for item in meeting.agenda_items:
        copy.agenda_items.append(AgendaItem(
            position=item.position, title=item.title, description=item.description,
            presenter_id=item.presenter_id, presenter_name=item.presenter_name,
            planned_minutes=item.planned_minutes, standing=item.standing,
        ))
    db.session.add(copy)
    return copy


# --- series --------------------------------------------------------------------------------

@dataclass(frozen=True)
class SeriesRule:
    """Every ``interval_months`` months; on the ``nth`` ``weekday`` of the month, or else on the
    first meeting's day of the month. "Every third Thursday of the quarter" is (3, TH, 3)."""

    interval_months: int
    weekday: int | None = None  # 0 = Monday
    nth: int | None = None      # 1..4, or -1 for the last

    def to_rrule_text(self) -> str:
        text = f"FREQ=MONTHLY;INTERVAL={self.interval_months}"
        if self.weekday is not None and self.nth:
            text += f";BYDAY={self.nth:+d}{['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'][self.weekday]}"
        return text


def series_start_times(first_local: datetime, rule: SeriesRule, count: int) -> list[datetime]:
    """Local wall-clock start times of ``count`` meetings from ``first_local``'s period on."""
    if rule.weekday is not None and rule.nth:
        month_start = first_local.replace(day=1)
        recurrence = rrule(MONTHLY, interval=rule.interval_months, count=count,
                           byweekday=weekday(rule.weekday, rule.nth), dtstart=month_start)
    else:
        recurrence = rrule(MONTHLY, interval=rule.interval_months, count=count,
                           bymonthday=first_local.day, dtstart=first_local)
    return [
        when.replace(hour=first_local.hour, minute=first_local.minute, second=0, microsecond=0)
        for when in recurrence
    ]


def create_series(template: Meeting, rule: SeriesRule, count: int) -> list[Meeting]:
    """The next ``count`` meetings after ``template`` by ``rule``, each a clone editable alone."""
    first_local = utc_to_local(template.starts_at)
    series = MeetingSeries(rule=rule.to_rrule_text(), description=template.title)
    if template.series is None:
        template.series = series
    # The series continues in the following periods, not later in the template's own month.
    starts = [s for s in series_start_times(first_local, rule, count + 1)
              if s > first_local and (s.year, s.month) != (first_local.year, first_local.month)][:count]
    created = [clone_meeting(template, local_to_utc(start), series) for start in starts]
    db.session.commit()
    return created


# --- the cadence rule ------------------------------------------------------------------------

def cadence_months() -> int:
    value = db.session.scalar(sa.select(CouncilSetting.value).where(CouncilSetting.key == CADENCE_SETTING))
    try:
        return max(1, min(int(value), 24)) if value is not None else DEFAULT_CADENCE_MONTHS
    except ValueError:
        return DEFAULT_CADENCE_MONTHS


def set_cadence_months(months: int) -> None:
    setting = db.session.scalar(sa.select(CouncilSetting).where(CouncilSetting.key == CADENCE_SETTING))
    if setting is None:
        db.session.add(CouncilSetting(key=CADENCE_SETTING, value=str(months)))
    else:
        setting.value = str(months)
    db.session.commit()


@dataclass(frozen=True)
class CadenceWarning:
    months: int
    last_meeting: date | None
    due_by: date | None


def cadence_warning(now: datetime | None = None, months: int | None = None) -> CadenceWarning | None:
    """A warning when no meeting is scheduled within ``months`` after the last one."""
    now = now or utcnow()
    months = months or cadence_months()
    not_cancelled = Meeting.status != MeetingStatus.CANCELLED.value
    last, upcoming = db.session.execute(
        sa.select(
            sa.select(sa.func.max(Meeting.starts_at)).where(not_cancelled, Meeting.starts_at <= now)
            .scalar_subquery(),
            sa.select(sa.func.min(Meeting.starts_at)).where(not_cancelled, Meeting.starts_at > now)
            .scalar_subquery(),
        )
    ).one()
    if last is None:
        return None if upcoming is not None else CadenceWarning(months, None, None)
    due_by = last + relativedelta(months=months)
    if upcoming is not None and upcoming <= due_by:
        return None
    return CadenceWarning(months, utc_to_local(last).date(), utc_to_local(due_by).date())


# --- loading ------------------------------------------------------------------------------

@dataclass(frozen=True)
class MeetingOverview:
    """What the meeting page shows. Read-only: the agenda and the attachments are rows with the
    attributes the templates use (an agenda row as ``AgendaItem``, with ``presenter_label``; an
    attachment row with ``agenda_item_title``), and the people the page names are names by id.
    ORM objects cost several times the query that loads them."""

    meeting: Meeting  # with its type and its minutes (their reviews are ``reviews``)
    names: dict[int, str]  # chair, recorder, facilitator, the minutes' recorder and approver
    answer_counts: tuple  # for invitations.answers_from
    reviews: list[sa.Row]  # the minutes' reviews of every round, with ``reviewer_name``
    agenda: list[sa.Row]
    attachments: list[sa.Row]


@functools.cache
def _overview_statements():
    """Built once: composing statements with loader options costs more than running them."""
    from council.auth.models import Person
    from council.meetings.invitations import answer_counts

    meeting_id = sa.bindparam("meeting_id")
    chair, recorder, facilitator, recorded_by, approved_by = (sa.orm.aliased(Person) for _ in range(5))
    counts = answer_counts().subquery()
    return (
        # The meeting, its type and minutes as entities of one row, the people as names, the
        # invitees' answers counted alongside: the ORM's joined loaders, or a statement more,
        # cost more than the whole query.
        sa.select(Meeting, MeetingType, Minutes, Meeting.chair_id, chair.name, Meeting.recorder_id,
                  recorder.name, Meeting.facilitator_id, facilitator.name, Minutes.recorded_by_id,
                  recorded_by.name, Minutes.approved_by_id, approved_by.name, *counts.c)
        .join(MeetingType, MeetingType.id == Meeting.type_id)
        .join(counts, sa.true())
        .outerjoin(Minutes, Minutes.meeting_id == Meeting.id)
        .outerjoin(chair, chair.id == Meeting.chair_id)
        .outerjoin(recorder, recorder.id == Meeting.recorder_id)
        .outerjoin(facilitator, facilitator.id == Meeting.facilitator_id)
        .outerjoin(recorded_by, recorded_by.id == Minutes.recorded_by_id)
        .outerjoin(approved_by, approved_by.id == Minutes.approved_by_id)
        .where(Meeting.id == meeting_id),
        sa.select(MinutesReview.id, MinutesReview.reviewer_id, MinutesReview.round, MinutesReview.state,
                  MinutesReview.comment, MinutesReview.decided_at, Person.name.label("reviewer_name"))
        .join(Minutes, Minutes.id == MinutesReview.minutes_id)
        .join(Person, Person.id == MinutesReview.reviewer_id)
        .where(Minutes.meeting_id == meeting_id).order_by(MinutesReview.id),
        sa.select(AgendaItem.id, AgendaItem.title, AgendaItem.description, AgendaItem.standing,
                  AgendaItem.planned_minutes, AgendaItem.updated_at,
                  sa.func.coalesce(Person.name, AgendaItem.presenter_name, "").label("presenter_label"))
        .outerjoin(Person, Person.id == AgendaItem.presenter_id)
        .where(AgendaItem.meeting_id == meeting_id).order_by(AgendaItem.position),
        sa.select(Attachment.id, Attachment.filename, Attachment.size, Attachment.uploaded_by_id,
                  AgendaItem.title.label("agenda_item_title"))
        .outerjoin(AgendaItem, AgendaItem.id == Attachment.agenda_item_id)
        .where(Attachment.meeting_id == meeting_id, Attachment.deleted_at.is_(None))
        .order_by(Attachment.uploaded_at),
    )


def load_meeting_overview(meeting_id: int, person_id: int) -> MeetingOverview | None:
    """The meeting page's data for a person (their own answer) in four queries whatever the
    meeting's size; the minutes' text is on the minutes page."""
    meeting_query, review_query, agenda_query, attachment_query = _overview_statements()
    parameters = {"meeting_id": meeting_id}
    row = db.session.execute(meeting_query, {"meeting_id": meeting_id, "person_id": person_id}).one_or_none()
    if row is None:
        return None
    meeting, meeting_type, minutes, people, answer_counts = row[0], row[1], row[2], row[3:13], row[13:]
    set_committed_value(meeting, "type", meeting_type)
    set_committed_value(meeting, "minutes", minutes)
    names = {person_id: name for person_id, name in zip(people[::2], people[1::2], strict=True)
             if person_id is not None}
    connection = db.session.connection()
    reviews = connection.execute(review_query, parameters).all() if minutes is not None else []
    return MeetingOverview(meeting, names, tuple(answer_counts), reviews,
                           connection.execute(agenda_query, parameters).all(),
                           connection.execute(attachment_query, parameters).all())


@functools.cache
def meeting_page_statement(*, with_invitees: bool = True):
    """Everything about a meeting (the minutes with their conclusions and, unless the page does
    not show them, the invitees), for the minutes page and the documents, in a fixed number of
    queries whatever its size. Built once, for the ``meeting_id`` parameter."""
    from council.auth.models import Person

    invitees = (selectinload(Meeting.invitations).options(
        joinedload(Invitation.person).joinedload(Person.organisation),
        joinedload(Invitation.organisation),
    ),) if with_invitees else ()
    return (
        sa.select(Meeting)
        .where(Meeting.id == sa.bindparam("meeting_id"))
        .options(
            joinedload(Meeting.type), joinedload(Meeting.chair), joinedload(Meeting.recorder),
            joinedload(Meeting.facilitator),
            selectinload(Meeting.agenda_items).options(
                joinedload(AgendaItem.presenter),
                # Conclusions ride with their items; the people and organisations responsible
                # come in two keyed lookups (a join through both link tables scans all history).
                joinedload(AgendaItem.conclusions).options(
                    selectinload(Conclusion.responsible_people),
                    selectinload(Conclusion.responsible_organisations),
                ),
            ),
            *invitees,
            # The minutes, their few reviews and amendments ride along in the meeting's own row.
            joinedload(Meeting.minutes).options(
                joinedload(Minutes.recorded_by), joinedload(Minutes.approved_by),
                joinedload(Minutes.reviews).joinedload(MinutesReview.reviewer),
                joinedload(Minutes.amendments).joinedload(MinutesAmendment.author),
            ),
            selectinload(Meeting.attachments).joinedload(Attachment.uploaded_by),
        )
    )


def load_meeting_page(meeting_id: int, *, with_invitees: bool = True, fresh: bool = False) -> Meeting | None:
    """``fresh``: overwrite what the session holds already (after a change)."""
    options = {"populate_existing": True} if fresh else {}
    return db.session.scalars(meeting_page_statement(with_invitees=with_invitees), {"meeting_id": meeting_id},
                              execution_options=options).unique().one_or_none()


def active_meeting_types() -> list[MeetingType]:
    return list(db.session.scalars(sa.select(MeetingType).where(MeetingType.active.is_(True))
                                   .order_by(MeetingType.id)))


def default_end(starts_at: datetime) -> datetime:
    return starts_at + timedelta(hours=2)
