"""Agenda rules: numbering, start times, order, standing items, publishing."""
from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from council.core.text import utcnow
from council.extensions import db
from council.meetings.models import AgendaItem, AgendaTemplate, Attachment, Meeting, MeetingStatus
from council.meetings.services import EditConflict, WorkflowError, commit_or_conflict

STANDING_ITEMS = {
    "previous_minutes": _l("Approval of the minutes of the last meeting"),
    "previous_conclusions": _l("Review of the conclusions of the last meeting"),
}


class ScheduledItem(NamedTuple):  # a tuple: made and read faster than a frozen dataclass
    number: int
    item: AgendaItem
    starts_at: datetime  # naive UTC, like the meeting's start
    changed: bool = False  # since the agenda was published
    presenter: str = ""

    @property
    def starts_at_utc(self) -> str:
        """For ``<time datetime>``: ISO 8601 in UTC, to the minute."""
        return self.starts_at.isoformat(timespec="minutes") + "Z"  # strftime is slower


def schedule(meeting: Meeting, items=None) -> list[ScheduledItem]:
    """Items numbered 1.. in order, each starting when the previous one's planned time ends.
    ``items``: the meeting's agenda as read-only rows (the meeting page), else its items."""
    scheduled, start = [], meeting.starts_at
    for number, item in enumerate(meeting.agenda_items if items is None else items, start=1):
        scheduled.append(ScheduledItem(number, item, start, is_changed_since_publishing(meeting, item),
                                       item.presenter_label))
        start += timedelta(minutes=max(item.planned_minutes or 0, 0))
    return scheduled


def is_changed_since_publishing(meeting: Meeting, item) -> bool:
    return meeting.agenda_published_at is not None and item.updated_at > meeting.agenda_published_at


def _renumber(meeting: Meeting) -> None:
    for position, item in enumerate(meeting.agenda_items, start=1):
        item.position = position


def _touch(item: AgendaItem) -> None:
    item.updated_at = utcnow()


def agenda_is_editable(meeting: Meeting) -> bool:
    return meeting.status not in (MeetingStatus.CANCELLED, MeetingStatus.MINUTES_IN_REVIEW,
                                  MeetingStatus.MINUTES_APPROVED)


ITEM_FIELDS = ("title", "description", "presenter_id", "presenter_name", "planned_minutes")


def add_item(meeting: Meeting, data: dict) -> AgendaItem:
    item = AgendaItem(position=len(meeting.agenda_items) + 1)
    for field in ITEM_FIELDS:
        if field in data:
            setattr(item, field, data[field] if field != "presenter_id" else (data[field] or None))
    _touch(item)
    meeting.agenda_items.append(item)
    db.session.commit()
    return item


def update_item(item: AgendaItem, data: dict, version: int | None) -> AgendaItem:
    if version is not None and version != item.version:
        raise EditConflict(item)
    for field in ITEM_FIELDS:
        if field in data:
            setattr(item, field, data[field] if field != "presenter_id" else (data[field] or None))
    _touch(item)
    commit_or_conflict(item)
    return item


def has_record(item: AgendaItem) -> bool:
    """Minutes or conclusions were written on the item: deleting it would delete them too."""
    return bool(item.minutes_text) or bool(item.conclusions)


def delete_item(item: AgendaItem) -> None:
    """Remove an item; its attachments stay with the meeting. An item with minutes or
    conclusions is part of the record and is not deleted (WorkflowError)."""
    if has_record(item):
        raise WorkflowError("the item has minutes or conclusions")
    meeting = item.meeting
    db.session.execute(sa.update(Attachment).where(Attachment.agenda_item_id == item.id)
                       .values(agenda_item_id=None))
    meeting.agenda_items.remove(item)
    db.session.delete(item)
    _renumber(meeting)
    db.session.commit()


def move_item(item: AgendaItem, offset: int) -> None:
    """Move an item up (-1) or down (+1); the others close up around it."""
    meeting = item.meeting
    items = list(meeting.agenda_items)
    index = items.index(item)
    target = max(0, min(len(items) - 1, index + offset))
    if target == index:
        return
    items.insert(target, items.pop(index))
    reorder(meeting, [i.id for i in items])


def reorder(meeting: Meeting, ordered_ids: list[int]) -> None:
    """Put the items in the given order (all of the meeting's items, each once)."""
    by_id = {item.id: item for item in meeting.agenda_items}
    if sorted(ordered_ids) != sorted(by_id):
        raise ValueError("the order must name every item of the agenda once")
    for position, item_id in enumerate(ordered_ids, start=1):
        item = by_id[item_id]
        if item.position != position:
            item.position = position
            _touch(item)
    meeting.agenda_items.sort(key=lambda i: i.position)
    db.session.commit()


def publish(meeting: Meeting) -> None:
    meeting.agenda_published_at = utcnow()
    db.session.commit()


def previous_meeting_of_type(meeting: Meeting) -> Meeting | None:
    return db.session.scalar(
        sa.select(Meeting)
        .where(Meeting.type_id == meeting.type_id, Meeting.starts_at < meeting.starts_at,
               Meeting.id != meeting.id, Meeting.status != MeetingStatus.CANCELLED.value)
        .order_by(Meeting.starts_at.desc())
        .limit(1)
    )


def _append(meeting: Meeting, title, description="", planned_minutes=15, standing=None,
            presenter_id=None, presenter_name="") -> None:
    item = AgendaItem(position=len(meeting.agenda_items) + 1, title=str(title)[:300],
                      description=description, planned_minutes=planned_minutes, standing=standing,
                      presenter_id=presenter_id, presenter_name=presenter_name)
    _touch(item)
    meeting.agenda_items.append(item)


def add_standing_items(meeting: Meeting) -> None:
    """The two first items every council starts with, unless the agenda has them already."""
    present = {item.standing for item in meeting.agenda_items}
    for code, title in STANDING_ITEMS.items():
        if code not in present:
            _append(meeting, title, planned_minutes=10, standing=code)
    order = {code: index for index, code in enumerate(STANDING_ITEMS)}
    standing_first = sorted(meeting.agenda_items,
                            key=lambda i: (i.standing is None, order.get(i.standing, len(order)), i.position))
    meeting.agenda_items[:] = standing_first
    _renumber(meeting)
    db.session.commit()


def _standing_codes(meeting: Meeting) -> set[str]:
    return {item.standing for item in meeting.agenda_items if item.standing}


def copy_from_meeting(meeting: Meeting, source: Meeting) -> int:
    """Append the source's items (a standing item the agenda already has is not doubled)."""
    present, copied = _standing_codes(meeting), 0
    for item in source.agenda_items:
        if item.standing and item.standing in present:
            continue
        _append(meeting, item.title, item.description, item.planned_minutes, item.standing,
                item.presenter_id, item.presenter_name)
        copied += 1
    db.session.commit()
    return copied


def _template_minutes(value) -> int:
    try:
        return max(1, min(int(value), 600))
    except (TypeError, ValueError):
        return 15


def copy_from_template(meeting: Meeting, template: AgendaTemplate) -> int:
    """Append the template's items (a standing item the agenda already has is not doubled)."""
    present, copied = _standing_codes(meeting), 0
    for entry in template.items or []:
        if not isinstance(entry, dict) or (entry.get("standing") and entry["standing"] in present):
            continue
        _append(meeting, entry.get("title", ""), entry.get("description") or "",
                _template_minutes(entry.get("planned_minutes")), entry.get("standing"))
        copied += 1
    db.session.commit()
    return copied


def save_as_template(meeting: Meeting, name: str) -> AgendaTemplate:
    template = AgendaTemplate(name=name, items=[
        {"title": item.title, "description": item.description,
         "planned_minutes": item.planned_minutes, "standing": item.standing}
        for item in meeting.agenda_items
    ])
    db.session.add(template)
    db.session.commit()
    return template
