"""People who sign in, their sessions, set-password links and login attempts."""
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from council.auth.roles import Permission, Role, role_may
from council.core.text import fold, utcnow
from council.extensions import db


class Person(UserMixin, db.Model):
    """A council member, a secretary or a guest; the directory entry and the account in one."""

    __tablename__ = "person"
    __audited__ = True
    __audit_hidden__ = {"password_hash", "search_text", "version", "calendar_token"}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    function: Mapped[str] = mapped_column(sa.String(120), default="")
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id"), index=True
    )
    role: Mapped[str] = mapped_column(sa.String(20), default=Role.MEMBER.value)
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    search_text: Mapped[str] = mapped_column(sa.String(600), default="", index=True)
    calendar_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    organisation = relationship("Organisation", back_populates="people")

    __mapper_args__ = {"version_id_col": version}

    def refresh_search_text(self) -> None:
        self.search_text = fold(" ".join([self.name or "", self.email or "", self.function or ""]))

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def may(self, permission: Permission) -> bool:
        return self.active and role_may(self.role, permission)

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.email}>"


class AuthSession(db.Model):
    """A signed-in browser. Deleting the row ends the session, whatever the cookie says."""

    __tablename__ = "auth_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ip_address: Mapped[str] = mapped_column(sa.String(45), default="")
    user_agent: Mapped[str] = mapped_column(sa.String(200), default="")

    person: Mapped[Person] = relationship()


class SetPasswordLink(db.Model):
    """A one-time link that lets an invited person choose a password (or reset it)."""

    __tablename__ = "set_password_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    revoked: Mapped[bool] = mapped_column(default=False)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])

    def is_usable(self, now: datetime) -> bool:
        return not self.revoked and self.used_at is None and now < self.expires_at


class LoginAttempt(db.Model):
    """A failed sign-in; counted per account and per address to stop password guessing."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        sa.Index("ix_login_attempt_email_at", "email", "at"),
        sa.Index("ix_login_attempt_ip_address_at", "ip_address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    ip_address: Mapped[str] = mapped_column(sa.String(45))
    at: Mapped[datetime] = mapped_column(default=utcnow)
