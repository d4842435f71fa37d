"""The meetings' dashboard panels: the next meeting with its agenda, reviews waiting for me."""
import sqlalchemy as sa
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from council.auth.roles import Permission
from council.core.dashboard import register_panel
from council.core.text import utcnow
from council.extensions import db
from council.meetings import agenda, services
from council.meetings.models import AgendaItem, Invitation, Meeting, MeetingStatus, Minutes, MinutesReview, ReviewState


def _next_meeting_panel() -> dict:
    query = (
        sa.select(Meeting)
        .where(Meeting.ends_at >= utcnow(), Meeting.status != MeetingStatus.CANCELLED.value)
        .options(joinedload(Meeting.type),
                 selectinload(Meeting.agenda_items).joinedload(AgendaItem.presenter))
        .order_by(Meeting.starts_at).limit(1)
    )
    if not current_user.may(Permission.VIEW_MEETINGS):
        query = query.where(Meeting.id.in_(
            sa.select(Invitation.meeting_id).where(Invitation.person_id == current_user.id)))
    meeting = db.session.scalar(query)
    my_invitation = None
    if meeting is not None:
        my_invitation = db.session.scalar(sa.select(Invitation).where(
            Invitation.meeting_id == meeting.id, Invitation.person_id == current_user.id))
    reviews = db.session.scalars(
        sa.select(Meeting).join(Minutes, Minutes.meeting_id == Meeting.id)
        .join(MinutesReview, MinutesReview.minutes_id == Minutes.id)
        .where(MinutesReview.reviewer_id == current_user.id,
               MinutesReview.state == ReviewState.PENDING.value,
               Minutes.status == "in_review")
        .order_by(Meeting.starts_at)
    ).all()
    return {
        "meeting": meeting,
        "schedule": agenda.schedule(meeting) if meeting is not None else [],
        "my_invitation": my_invitation,
        "waiting_for_review": reviews,
        "cadence": services.cadence_warning() if current_user.may(Permission.VIEW_MEETINGS) else None,
    }


register_panel("meetings/_panel_next_meeting.html", _next_meeting_panel, order=5)
