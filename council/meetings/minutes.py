"""Minutes: drafted by the recorder, reviewed by named people, approved and locked.

draft --send_for_review--> in_review --every reviewer approves--> reviewed --approve--> approved
                 ^                 |
                 +--- a reviewer returns it with comments (the others' requests are withdrawn)
After approval nothing changes silently: a correction is an amendment with a reason.
"""
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from council.core.text import utcnow
from council.core.timezones import utc_to_local
from council.extensions import db
from council.meetings.models import (
    AgendaItem,
    Conclusion,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesAmendment,
    MinutesReview,
    MinutesStatus,
    ReviewState,
)
from council.meetings.services import EditConflict, WorkflowError, commit_or_conflict, mark_held


def start_minutes(meeting: Meeting, recorder) -> Minutes:
    """The draft minutes of a meeting (created the first time someone writes them)."""
    if meeting.minutes is not None:
        return meeting.minutes
    if meeting.status == MeetingStatus.CANCELLED:
        raise WorkflowError("the meeting was cancelled")
    minutes = Minutes(meeting=meeting, recorded_by_id=meeting.recorder_id or recorder.id)
    mark_held(meeting)
    db.session.add(minutes)
    db.session.commit()
    return minutes


def _require_draft(minutes: Minutes) -> None:
    if minutes.status != MinutesStatus.DRAFT:
        raise WorkflowError("the minutes are not a draft")


def save_item_minutes(item: AgendaItem, text: str, version: int | None) -> AgendaItem:
    """The minutes of one agenda item; refused when someone else saved them in the meantime."""
    minutes = item.meeting.minutes
    if minutes is None:
        raise WorkflowError("the minutes were not started")
    _require_draft(minutes)
    if version is not None and version != item.version:
        raise EditConflict(item)
    item.minutes_text = text
    commit_or_conflict(item)
    return item


def save_general(minutes: Minutes, data: dict, version: int | None) -> Minutes:
    _require_draft(minutes)
    if version is not None and version != minutes.version:
        raise EditConflict(minutes)
    for field in ("general_notes", "next_meeting_note", "next_meeting_date"):
        if field in data:
            setattr(minutes, field, data[field])
    commit_or_conflict(minutes)
    return minutes


def current_round(minutes: Minutes, reviews=None) -> int:
    """``reviews``: the minutes' reviews as read-only rows (the meeting page), else their own."""
    return max((review.round for review in _reviews_of(minutes, reviews)), default=0)


def current_reviews(minutes: Minutes, reviews=None) -> list[MinutesReview]:
    reviews = _reviews_of(minutes, reviews)
    latest = current_round(minutes, reviews)
    return [review for review in reviews if review.round == latest]


def _reviews_of(minutes: Minutes, reviews):
    return minutes.reviews if reviews is None else reviews


def send_for_review(minutes: Minutes, reviewers: list, sent_by) -> None:
    """The recorder sends the draft to named reviewers (a new round each time)."""
    _require_draft(minutes)
    reviewers = [person for person in dict.fromkeys(reviewers) if person is not None]
    if not reviewers:
        raise WorkflowError("name at least one reviewer")
    next_round = current_round(minutes) + 1
    for person in reviewers:
        minutes.reviews.append(MinutesReview(reviewer_id=person.id, round=next_round))
    minutes.status = MinutesStatus.IN_REVIEW.value
    minutes.recorded_by_id = minutes.recorded_by_id or sent_by.id
    minutes.recorded_at = utcnow()
    minutes.meeting.status = MeetingStatus.MINUTES_IN_REVIEW.value
    commit_or_conflict(minutes)


def _pending(minutes: Minutes, reviewer) -> MinutesReview:
    if minutes.status != MinutesStatus.IN_REVIEW:
        raise WorkflowError("the minutes are not in review")
    for review in current_reviews(minutes):
        if review.reviewer_id == reviewer.id and review.state == ReviewState.PENDING:
            return review
    raise WorkflowError("you are not asked to review these minutes")


def approve_review(minutes: Minutes, reviewer) -> None:
    review = _pending(minutes, reviewer)
    review.state = ReviewState.APPROVED.value
    review.decided_at = utcnow()
    if all(r.state == ReviewState.APPROVED for r in current_reviews(minutes)):
        minutes.status = MinutesStatus.REVIEWED.value
    commit_or_conflict(minutes)


def return_review(minutes: Minutes, reviewer, comment: str) -> None:
    """Back to the recorder with comments; the other reviewers' open requests are withdrawn."""
    if not comment.strip():
        raise WorkflowError("say what should change")
    review = _pending(minutes, reviewer)
    review.state = ReviewState.RETURNED.value
    review.comment = comment.strip()
    review.decided_at = utcnow()
    for other in current_reviews(minutes):
        if other.state == ReviewState.PENDING:
            other.state = ReviewState.WITHDRAWN.value
    minutes.status = MinutesStatus.DRAFT.value
    minutes.meeting.status = MeetingStatus.HELD.value
    commit_or_conflict(minutes)


def _number_decisions(meeting: Meeting) -> None:
    """Decisions get "number/year" in agenda order when the minutes are approved."""
    year = utc_to_local(meeting.starts_at).year
    highest = db.session.scalar(
        sa.select(sa.func.max(Conclusion.decision_number)).where(Conclusion.decision_year == year)
    ) or 0
    for item in meeting.agenda_items:
        for conclusion in item.conclusions:
            if conclusion.is_decision and conclusion.decision_number is None:
                highest += 1
                conclusion.decision_year = year
                conclusion.decision_number = highest


def approve(minutes: Minutes, approver) -> None:
    """The secretary approves reviewed minutes: they are locked from now on."""
    if minutes.status != MinutesStatus.REVIEWED:
        raise WorkflowError("every reviewer must approve first")
    minutes.status = MinutesStatus.APPROVED.value
    minutes.approved_by_id = approver.id
    minutes.approved_at = utcnow()
    minutes.meeting.status = MeetingStatus.MINUTES_APPROVED.value
    _number_decisions(minutes.meeting)
    try:
        commit_or_conflict(minutes)
    except IntegrityError:
        db.session.rollback()
        raise EditConflict(minutes) from None


def amend(minutes: Minutes, item: AgendaItem | None, amended_text: str, reason: str, author) -> MinutesAmendment:
    """A correction of locked minutes, kept beside the original with its reason."""
    if not minutes.locked:
        raise WorkflowError("only approved minutes are amended; edit the draft instead")
    if not reason.strip() or not amended_text.strip():
        raise WorkflowError("an amendment needs the corrected text and a reason")
    original = item.minutes_text if item is not None else minutes.general_notes
    amendment = MinutesAmendment(minutes=minutes, agenda_item=item, original_text=original,
                                 amended_text=amended_text.strip(), reason=reason.strip(),
                                 author_id=author.id)
    db.session.add(amendment)
    db.session.commit()
    return amendment


@dataclass(frozen=True)
class Signature:
    """ "Recorded by … on …; reviewed by … on …" from the records."""

    recorded_by: str | None
    recorded_on: date | None
    reviewed: list[tuple[str, date]]
    approved_by: str | None
    approved_on: date | None


def _local_date(value: datetime | None) -> date | None:
    return utc_to_local(value).date() if value else None


def signature(minutes: Minutes, names: Mapping[int, str] | None = None, reviews=None) -> Signature:
    """``names`` (the recorder's and the approver's names by id) and ``reviews`` (rows with
    ``reviewer_name``), for a page that loads names rather than people (the meeting page);
    otherwise they come from the minutes."""
    reviewed = [
        (review.reviewer_name, _local_date(review.decided_at))
        for review in current_reviews(minutes, reviews) if review.state == ReviewState.APPROVED
    ]

    if names is None:
        recorded_by = minutes.recorded_by.name if minutes.recorded_by else None
        approved_by = minutes.approved_by.name if minutes.approved_by else None
    else:
        recorded_by, approved_by = names.get(minutes.recorded_by_id), names.get(minutes.approved_by_id)
    return Signature(
        recorded_by=recorded_by,
        recorded_on=_local_date(minutes.recorded_at),
        reviewed=reviewed,
        approved_by=approved_by,
        approved_on=_local_date(minutes.approved_at),
    )
