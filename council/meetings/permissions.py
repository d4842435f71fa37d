"""Who may do what with a meeting: the object-level rules, on top of the role table."""
import sqlalchemy as sa

from council.auth.roles import Permission
from council.extensions import db
from council.meetings.models import Invitation, Meeting, MeetingStatus, Minutes, MinutesStatus, ReviewState


def is_invited(person, meeting: Meeting) -> bool:
    if "invitations" not in sa.inspect(meeting).unloaded:
        return any(invitation.person_id == person.id for invitation in meeting.invitations)
    # The meeting page does not load every invitee to learn whether one of them is this guest.
    return db.session.scalar(sa.select(sa.exists().where(
        Invitation.meeting_id == meeting.id, Invitation.person_id == person.id)))


def can_view(person, meeting: Meeting) -> bool:
    """Members see every meeting; a guest sees only the meetings they are invited to."""
    return person.may(Permission.VIEW_MEETINGS) or (person.active and is_invited(person, meeting))


def can_manage(person, meeting: Meeting | None = None) -> bool:
    return person.may(Permission.MANAGE_MEETINGS)


def can_keep_attendance(person, meeting: Meeting) -> bool:
    """The secretary, and the meeting's chair, recorder and facilitator (they run the room)."""
    if meeting.status == MeetingStatus.CANCELLED:
        return False
    return can_manage(person, meeting) or (
        person.active and person.id in {meeting.chair_id, meeting.recorder_id, meeting.facilitator_id}
    )


def can_write_minutes(person, meeting: Meeting, minutes: Minutes | None) -> bool:
    """The recorder (or the secretary) while the minutes are a draft; nobody once sent or locked."""
    if meeting.status in (MeetingStatus.PLANNED, MeetingStatus.INVITED, MeetingStatus.CANCELLED) \
            and minutes is None:
        return False
    if minutes is not None and minutes.status != MinutesStatus.DRAFT:
        return False
    return person.active and (person.id == meeting.recorder_id or can_manage(person, meeting))


def can_send_for_review(person, meeting: Meeting, minutes: Minutes | None) -> bool:
    return minutes is not None and can_write_minutes(person, meeting, minutes)


def pending_review_of(person, minutes: Minutes | None, reviews=None):
    """``reviews``: the minutes' reviews as read-only rows (the meeting page), else their own."""
    if minutes is None or minutes.status != MinutesStatus.IN_REVIEW:
        return None
    for review in minutes.reviews if reviews is None else reviews:
        if review.reviewer_id == person.id and review.state == ReviewState.PENDING:
            return review
    return None


def can_review(person, minutes: Minutes | None, reviews=None) -> bool:
    return person.active and pending_review_of(person, minutes, reviews) is not None


def can_approve(person, minutes: Minutes | None) -> bool:
    """The secretary approves minutes that every named reviewer has approved."""
    return (
        minutes is not None
        and minutes.status == MinutesStatus.REVIEWED
        and person.may(Permission.APPROVE_MINUTES)
    )


def can_amend(person, minutes: Minutes | None) -> bool:
    return minutes is not None and minutes.locked and person.may(Permission.APPROVE_MINUTES)


def can_attach(person, meeting: Meeting) -> bool:
    """The secretary, and the meeting's chair, recorder and facilitator."""
    return can_manage(person, meeting) or (
        person.active and person.id in {meeting.chair_id, meeting.recorder_id, meeting.facilitator_id}
    )


def can_remove_attachment(person, meeting: Meeting, attachment) -> bool:
    return can_manage(person, meeting) or (person.active and attachment.uploaded_by_id == person.id)
