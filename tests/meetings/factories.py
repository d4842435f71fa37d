"""Meetings for tests, made through the same services the app uses."""
from datetime import datetime, timedelta

import sqlalchemy as sa

from council.core.timezones import local_to_utc
from council.extensions import db
from council.meetings import agenda, services
from council.meetings.models import Invitation, Meeting, MeetingType


def meeting_type(code: str = "round_table") -> MeetingType:
    return db.session.scalar(sa.select(MeetingType).where(MeetingType.code == code))


def create_meeting(title="Kulatý stůl", *, starts=None, hours=3, type_code="round_table",
                   items=(), chair=None, recorder=None, facilitator=None, invite=()) -> Meeting:
    """A planned meeting; ``starts`` is local wall-clock time (default: in a week at 9:00)."""
    starts = starts or (datetime.now() + timedelta(days=7)).replace(hour=9, minute=0, second=0, microsecond=0)
    start_utc = local_to_utc(starts)
    meeting = services.save_meeting(None, {
        "title": title, "type_id": meeting_type(type_code).id, "starts_at": start_utc,
        "ends_at": start_utc + timedelta(hours=hours), "place": "Radnice, zasedací místnost",
        "chair_id": chair.id if chair else None, "recorder_id": recorder.id if recorder else None,
        "facilitator_id": facilitator.id if facilitator else None,
    })
    for title_or_pair in items:
        item_title, minutes = title_or_pair if isinstance(title_or_pair, tuple) else (title_or_pair, 15)
        agenda.add_item(meeting, {"title": item_title, "planned_minutes": minutes})
    for person in invite:
        db.session.add(Invitation(meeting=meeting, person_id=person.id, organisation_id=person.organisation_id))
    db.session.commit()
    return meeting
