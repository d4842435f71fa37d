"""Conclusions of agenda items and the register of decisions.

A conclusion says who is responsible (people and/or organisations) and by when, or from when
("from September 2017"). A conclusion that is a decision of the council may carry the vote;
its number "n/year" is given when the minutes are approved (``minutes.approve``). Conclusions
change only while the minutes are a draft.
"""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, selectinload
from sqlalchemy.orm.attributes import flag_modified

from council.core.text import utcnow
from council.extensions import db
from council.meetings import permissions
from council.meetings.models import (
    AgendaItem,
    Conclusion,
    DueKind,
    Meeting,
    MeetingStatus,
    MinutesStatus,
    conclusion_organisation,
    conclusion_person,
)
from council.meetings.services import EditConflict, WorkflowError, commit_or_conflict

VOTES = ("votes_for", "votes_against", "votes_abstained")


# --- who may write ----------------------------------------------------------------------------

def is_recorder(person, meeting: Meeting) -> bool:
    """The people who write a meeting's minutes at all: its recorder, or the secretary."""
    return bool(person.active) and (person.id == meeting.recorder_id or permissions.can_manage(person, meeting))


def may_start_minutes(person, meeting: Meeting, now: datetime | None = None) -> bool:
    """The recorder may start the minutes once the meeting is held, or once it has begun
    (starting them then marks it held); never for a cancelled meeting."""
    if meeting.minutes is not None or meeting.status == MeetingStatus.CANCELLED:
        return False
    if permissions.can_write_minutes(person, meeting, None):
        return True
    return (is_recorder(person, meeting)
            and meeting.status in (MeetingStatus.PLANNED, MeetingStatus.INVITED)
            and meeting.starts_at <= (now or utcnow()))


def can_edit_conclusions(person, meeting: Meeting) -> bool:
    return meeting.minutes is not None and permissions.can_write_minutes(person, meeting, meeting.minutes)


# --- changing conclusions ---------------------------------------------------------------------

def _require_draft(item: AgendaItem) -> None:
    minutes = item.meeting.minutes
    if minutes is None:
        raise WorkflowError("the minutes were not started")
    if minutes.status != MinutesStatus.DRAFT:
        raise WorkflowError("the minutes are not a draft")


def _apply(conclusion: Conclusion, data: dict) -> None:
    conclusion.text = data["text"]
    conclusion.due_date = data.get("due_date")
    conclusion.due_kind = DueKind(data.get("due_kind") or DueKind.BY).value
    conclusion.is_decision = bool(data.get("is_decision"))
    for field in VOTES:
        # A vote belongs to a decision; a plain conclusion keeps none.
        setattr(conclusion, field, data.get(field) if conclusion.is_decision else None)
    conclusion.responsible_people = list(data.get("responsible_people") or [])
    conclusion.responsible_organisations = list(data.get("responsible_organisations") or [])


def add_conclusion(item: AgendaItem, data: dict) -> Conclusion:
    """A new conclusion at the end of the item's list (draft minutes only).

    ``data``: text, due_date, due_kind, is_decision, votes_*, and the lists of Person and
    Organisation objects responsible_people / responsible_organisations."""
    _require_draft(item)
    conclusion = Conclusion(position=max((c.position for c in item.conclusions), default=0) + 1)
    _apply(conclusion, data)
    item.conclusions.append(conclusion)
    db.session.commit()
    return conclusion


def update_conclusion(conclusion: Conclusion, data: dict, version: int | None) -> Conclusion:
    """Refused with EditConflict when someone else saved the conclusion in the meantime."""
    _require_draft(conclusion.agenda_item)
    if version is not None and version != conclusion.version:
        raise EditConflict(conclusion)
    _apply(conclusion, data)
    # Changing only who is responsible touches the link tables, not the row: bump the
    # version anyway so that a concurrent edit of the responsible people is detected too.
    flag_modified(conclusion, "text")
    commit_or_conflict(conclusion)
    return conclusion


def delete_conclusion(conclusion: Conclusion) -> None:
    item = conclusion.agenda_item
    _require_draft(item)
    item.conclusions.remove(conclusion)
    db.session.commit()


# --- the register of decisions ----------------------------------------------------------------

@dataclass(frozen=True)
class DecisionFilter:
    year: int | None = None
    meeting_id: int | None = None
    organisation_id: int | None = None

    @classmethod
    def from_args(cls, args) -> "DecisionFilter":
        """From the query string; anything that is not a sensible number is ignored."""

        def number(name, low=1, high=2**31 - 1):
            value = args.get(name, type=int)
            return value if value is not None and low <= value <= high else None

        return cls(year=number("year", 1900, 3000), meeting_id=number("meeting"),
                   organisation_id=number("organisation"))

    def as_args(self) -> dict:
        args = {"year": self.year, "meeting": self.meeting_id, "organisation": self.organisation_id}
        return {name: value for name, value in args.items() if value is not None}


def _decisions():
    return Conclusion.decision_number.is_not(None)


def _responsible_organisation(organisation_id: int):
    """Conclusions the organisation is responsible for, itself or through one of its people."""
    from council.auth.models import Person

    direct = sa.select(conclusion_organisation.c.conclusion_id).where(
        conclusion_organisation.c.organisation_id == organisation_id)
    through_people = (
        sa.select(conclusion_person.c.conclusion_id)
        .join(Person, Person.id == conclusion_person.c.person_id)
        .where(Person.organisation_id == organisation_id)
    )
    return sa.or_(Conclusion.id.in_(direct), Conclusion.id.in_(through_people))


def find_decisions(filters: DecisionFilter) -> list[Conclusion]:
    """Numbered decisions across meetings, newest first, with their meeting and who is responsible."""
    query = (
        sa.select(Conclusion)
        .join(Conclusion.agenda_item)
        .join(AgendaItem.meeting)
        .where(_decisions())
        .options(
            contains_eager(Conclusion.agenda_item).contains_eager(AgendaItem.meeting),
            selectinload(Conclusion.responsible_people),
            selectinload(Conclusion.responsible_organisations),
        )
        .order_by(Conclusion.decision_year.desc(), Conclusion.decision_number.desc())
    )
    if filters.year is not None:
        query = query.where(Conclusion.decision_year == filters.year)
    if filters.meeting_id is not None:
        query = query.where(Meeting.id == filters.meeting_id)
    if filters.organisation_id is not None:
        query = query.where(_responsible_organisation(filters.organisation_id))
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class DecisionFilterOptions:
    years: list[int]
    meetings: list[Meeting]
    organisations: list


def decision_filter_options() -> DecisionFilterOptions:
    """The years, meetings and organisations that have decisions, for the register's filter."""
    from council.auth.models import Person
    from council.directory.models import Organisation

    years = list(db.session.scalars(
        sa.select(Conclusion.decision_year).where(_decisions()).distinct()
        .order_by(Conclusion.decision_year.desc())))
    decided = sa.select(Conclusion.id).where(_decisions())
    meetings = list(db.session.scalars(
        sa.select(Meeting).where(Meeting.id.in_(
            sa.select(AgendaItem.meeting_id).join(Conclusion, Conclusion.agenda_item_id == AgendaItem.id)
            .where(_decisions())))
        .order_by(Meeting.starts_at.desc())))
    organisation_ids = sa.union(
        sa.select(conclusion_organisation.c.organisation_id)
        .where(conclusion_organisation.c.conclusion_id.in_(decided)),
        sa.select(Person.organisation_id)
        .join(conclusion_person, conclusion_person.c.person_id == Person.id)
        .where(conclusion_person.c.conclusion_id.in_(decided), Person.organisation_id.is_not(None)),
    )
    organisations = list(db.session.scalars(
        sa.select(Organisation).where(Organisation.id.in_(organisation_ids))
        .order_by(Organisation.name)))
    return DecisionFilterOptions(years, meetings, organisations)
