"""Meetings: their agenda, invitations and attendance, minutes with review, conclusions."""
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from council.core.text import utcnow
from council.extensions import db

DEFAULT_MEETING_TYPES = {
    "plenary": _l("Plenary"),
    "working_group": _l("Working group"),
    "round_table": _l("Round table"),
    "methodical": _l("Methodical meeting"),
}


class MeetingStatus(StrEnum):
    PLANNED = "planned"
    INVITED = "invited"
    HELD = "held"
    MINUTES_IN_REVIEW = "in_review"
    MINUTES_APPROVED = "approved"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return str(MEETING_STATUS_LABELS[self])


MEETING_STATUS_LABELS = {
    MeetingStatus.PLANNED: _l("Planned"),
    MeetingStatus.INVITED: _l("Invitations sent"),
    MeetingStatus.HELD: _l("Held"),
    MeetingStatus.MINUTES_IN_REVIEW: _l("Minutes in review"),
    MeetingStatus.MINUTES_APPROVED: _l("Minutes approved"),
    MeetingStatus.CANCELLED: _l("Cancelled"),
}


class MeetingType(db.Model):
    __tablename__ = "meeting_type"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def label(self) -> str:
        if self.code in DEFAULT_MEETING_TYPES:
            return str(DEFAULT_MEETING_TYPES[self.code])
        return self.name


class MeetingSeries(db.Model):
    """Meetings created together from one recurrence rule; each stays editable on its own."""

    __tablename__ = "meeting_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Meeting(db.Model):
    __tablename__ = "meeting"
    __audited__ = True
    __audit_hidden__ = {"version"}

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    type_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting_type.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(index=True)  # naive UTC, as every timestamp
    ends_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(sa.String(300), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    chair_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    recorder_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    facilitator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    status: Mapped[str] = mapped_column(sa.String(20), default=MeetingStatus.PLANNED.value, index=True)
    status_before_cancel: Mapped[str | None] = mapped_column(sa.String(20))
    series_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meeting_series.id"), index=True)
    agenda_published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    type: Mapped[MeetingType] = relationship()
    chair = relationship("Person", foreign_keys=[chair_id])
    recorder = relationship("Person", foreign_keys=[recorder_id])
    facilitator = relationship("Person", foreign_keys=[facilitator_id])
    series: Mapped[MeetingSeries | None] = relationship()
    agenda_items: Mapped[list["AgendaItem"]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )
    invitations: Mapped[list["Invitation"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan"
    )
    minutes: Mapped["Minutes | None"] = relationship(back_populates="meeting", uselist=False)
    attachments: Mapped[list["Attachment"]] = relationship(
        primaryjoin="and_(Attachment.meeting_id == Meeting.id, Attachment.deleted_at.is_(None))",
        order_by="Attachment.uploaded_at", viewonly=True,
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def status_enum(self) -> MeetingStatus:
        return MeetingStatus(self.status)


class AgendaItem(db.Model):
    __tablename__ = "agenda_item"
    __audited__ = True
    __audit_hidden__ = {"version", "position"}

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    presenter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    presenter_name: Mapped[str] = mapped_column(sa.String(200), default="")
    planned_minutes: Mapped[int] = mapped_column(default=15)
    standing: Mapped[str | None] = mapped_column(sa.String(40))  # e.g. "previous_minutes"
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    minutes_text: Mapped[str] = mapped_column(sa.Text, default="")

    meeting: Mapped[Meeting] = relationship(back_populates="agenda_items")
    presenter = relationship("Person", foreign_keys=[presenter_id])
    conclusions: Mapped[list["Conclusion"]] = relationship(
        back_populates="agenda_item", order_by="Conclusion.position", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def presenter_label(self) -> str:
        """The presenting member's name, else the guest's typed name (the overview's rows
        compute the same in SQL)."""
        return self.presenter.name if self.presenter is not None else (self.presenter_name or "")


class AgendaTemplate(db.Model):
    """A saved agenda to start new meetings from: a list of {title, description, minutes}."""

    __tablename__ = "agenda_template"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    items: Mapped[list] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class InvitationResponse(StrEnum):
    PENDING = "pending"
    ATTENDING = "attending"
    EXCUSED = "excused"


class Attendance(StrEnum):
    UNKNOWN = "unknown"
    PRESENT = "present"
    EXCUSED = "excused"
    ABSENT = "absent"


class Invitation(db.Model):
    """One invitee of a meeting (a person, or a walk-in recorded by name) and their attendance."""

    __tablename__ = "invitation"
    __audited__ = True
    __table_args__ = (sa.UniqueConstraint("meeting_id", "person_id", name="uq_invitation_meeting_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"), index=True)
    walk_in_name: Mapped[str] = mapped_column(sa.String(120), default="")
    walk_in_organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    response: Mapped[str] = mapped_column(sa.String(20), default=InvitationResponse.PENDING.value)
    responded_at: Mapped[datetime | None]
    attendance: Mapped[str] = mapped_column(sa.String(20), default=Attendance.UNKNOWN.value)
    invited_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="invitations")
    person = relationship("Person")
    organisation = relationship("Organisation")

    @property
    def display_name(self) -> str:
        return self.person.name if self.person is not None else self.walk_in_name


class MinutesStatus(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    REVIEWED = "reviewed"
    APPROVED = "approved"


class Minutes(db.Model):
    __tablename__ = "minutes"
    __audited__ = True
    __audit_hidden__ = {"version"}

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id"), unique=True)
    general_notes: Mapped[str] = mapped_column(sa.Text, default="")
    next_meeting_note: Mapped[str] = mapped_column(sa.String(300), default="")
    next_meeting_date: Mapped[date | None]
    status: Mapped[str] = mapped_column(sa.String(20), default=MinutesStatus.DRAFT.value)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    recorded_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    approved_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    meeting: Mapped[Meeting] = relationship(back_populates="minutes")
    recorded_by = relationship("Person", foreign_keys=[recorded_by_id])
    approved_by = relationship("Person", foreign_keys=[approved_by_id])
    reviews: Mapped[list["MinutesReview"]] = relationship(
        back_populates="minutes", order_by="MinutesReview.id", cascade="all, delete-orphan"
    )
    amendments: Mapped[list["MinutesAmendment"]] = relationship(
        back_populates="minutes", order_by="MinutesAmendment.id"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def locked(self) -> bool:
        return self.status == MinutesStatus.APPROVED


class ReviewState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"  # another reviewer returned the draft first


class MinutesReview(db.Model):
    __tablename__ = "minutes_review"
    __audited__ = True
    __table_args__ = (sa.UniqueConstraint("minutes_id", "reviewer_id", "round", name="uq_minutes_review_round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(sa.ForeignKey("minutes.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    round: Mapped[int] = mapped_column(default=1)
    state: Mapped[str] = mapped_column(sa.String(20), default=ReviewState.PENDING.value)
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    minutes: Mapped[Minutes] = relationship(back_populates="reviews")
    reviewer = relationship("Person")

    @property
    def reviewer_name(self) -> str:
        """As in the meeting page's review rows, which carry the name instead of the person."""
        return self.reviewer.name


class MinutesAmendment(db.Model):
    """A correction of approved minutes: shown beside the original, never a silent edit."""

    __tablename__ = "minutes_amendment"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(sa.ForeignKey("minutes.id"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agenda_item.id"))
    original_text: Mapped[str] = mapped_column(sa.Text, default="")
    amended_text: Mapped[str] = mapped_column(sa.Text)
    reason: Mapped[str] = mapped_column(sa.String(500))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    minutes: Mapped[Minutes] = relationship(back_populates="amendments")
    agenda_item = relationship("AgendaItem")
    author = relationship("Person")


conclusion_person = sa.Table(
    "conclusion_person",
    db.metadata,
    sa.Column("conclusion_id", sa.ForeignKey("conclusion.id"), primary_key=True),
    sa.Column("person_id", sa.ForeignKey("person.id"), primary_key=True),
)
conclusion_organisation = sa.Table(
    "conclusion_organisation",
    db.metadata,
    sa.Column("conclusion_id", sa.ForeignKey("conclusion.id"), primary_key=True),
    sa.Column("organisation_id", sa.ForeignKey("organisation.id"), primary_key=True),
)


class DueKind(StrEnum):
    BY = "by"      # to be done by the date
    FROM = "from"  # ongoing from the date ("from September 2017")


class Conclusion(db.Model):
    """What the council concluded on an agenda item: who is responsible and by (or from) when."""

    __tablename__ = "conclusion"
    __audited__ = True
    __audit_hidden__ = {"version"}
    __table_args__ = (
        sa.UniqueConstraint("decision_year", "decision_number", name="uq_conclusion_decision_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(sa.ForeignKey("agenda_item.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(sa.Text)
    due_date: Mapped[date | None]
    due_kind: Mapped[str] = mapped_column(sa.String(10), default=DueKind.BY.value)
    is_decision: Mapped[bool] = mapped_column(default=False)
    decision_year: Mapped[int | None]
    decision_number: Mapped[int | None]
    votes_for: Mapped[int | None]
    votes_against: Mapped[int | None]
    votes_abstained: Mapped[int | None]
    version: Mapped[int] = mapped_column(default=1)

    agenda_item: Mapped[AgendaItem] = relationship(back_populates="conclusions")
    responsible_people = relationship("Person", secondary=conclusion_person, order_by="Person.name")
    responsible_organisations = relationship(
        "Organisation", secondary=conclusion_organisation, order_by="Organisation.name"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def decision_label(self) -> str | None:
        if self.decision_number is None:
            return None
        return f"{self.decision_number}/{self.decision_year}"


class Attachment(db.Model):
    __tablename__ = "attachment"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agenda_item.id"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(120))
    size: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]

    meeting: Mapped[Meeting] = relationship(overlaps="attachments")
    agenda_item = relationship("AgendaItem")
    uploaded_by = relationship("Person")
