"""Who did what and when: kept for every sign-in and every change to audited records."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from council.core.text import utcnow
from council.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(40), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(40), default="", index=True)
    object_id: Mapped[int | None]
    summary: Mapped[str] = mapped_column(sa.String(300), default="")
    changes: Mapped[dict | None] = mapped_column(sa.JSON)
    ip_address: Mapped[str] = mapped_column(sa.String(45), default="")

    actor = relationship("Person", foreign_keys=[actor_id])
