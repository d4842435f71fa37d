"""Accounts: passwords, sign-in with brute-force limits, server-side sessions, invitations."""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_request_context, request
from flask_babel import lazy_gettext as _l

from council.audit import recorder
from council.auth.models import AuthSession, LoginAttempt, Person, SetPasswordLink
from council.auth.roles import Role
from council.core.text import utcnow
from council.extensions import db

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
_hasher = PasswordHasher()  # Argon2id, memory-hard, with the library's vetted defaults
# Verifying against this keeps a failed login for an unknown email as slow as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@cache
def _common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    return frozenset(line.strip().lower() for line in path.read_text().splitlines() if line)


def password_problem(password: str, person: Person | None = None):
    """Why a new password is not acceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _l("Use at most %(n)d characters.", n=MAX_PASSWORD_LENGTH)
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(lowered)) < 4:
        return _l("This password is too common; choose one that is harder to guess.")
    if person is not None and lowered in {person.email.lower(), person.name.lower()}:
        return _l("Do not use your name or email as the password.")
    return None


def set_password(person: Person, password: str) -> None:
    person.password_hash = _hasher.hash(password)


def check_password(person: Person | None, password: str) -> bool:
    stored = person.password_hash if person is not None and person.password_hash else None
    try:
        ok = _hasher.verify(stored or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    if ok and stored and _hasher.check_needs_rehash(stored):
        set_password(person, password)
    return ok and stored is not None


# --- sign-in ---------------------------------------------------------------------------

def is_throttled(email: str, ip_address: str) -> bool:
    """Ten failed sign-ins for one account or from one address within the window block more."""
    config = current_app.config
    since = utcnow() - timedelta(minutes=config["LOGIN_ATTEMPT_WINDOW_MINUTES"])
    email = normalise_email(email)
    by_email, by_ip = db.session.execute(
        sa.select(
            sa.func.count().filter(LoginAttempt.email == email),
            sa.func.count().filter(LoginAttempt.ip_address == ip_address),
        ).where(
            LoginAttempt.at > since,
            sa.or_(LoginAttempt.email == email, LoginAttempt.ip_address == ip_address),
        )
    ).one()
    limit = config["LOGIN_ATTEMPT_LIMIT"]
    return by_email >= limit or by_ip >= limit


@dataclass
class SignIn:
    person: Person | None
    session_token: str | None


def authenticate(email: str, password: str, ip_address: str, user_agent: str = "") -> SignIn:
    """Check the credentials; on success open a server-side session, else count the failure."""
    email = normalise_email(email)
    person = db.session.scalar(sa.select(Person).where(Person.email == email))
    if check_password(person, password) and person.active:
        token = secrets.token_urlsafe(32)
        db.session.add(
            AuthSession(
                token_hash=token_hash(token),
                person=person,
                ip_address=ip_address[:45],
                user_agent=user_agent[:200],
            )
        )
        recorder.record("login", person, summary=person.email, actor_id=person.id)
        db.session.commit()
        return SignIn(person, token)
    db.session.add(LoginAttempt(email=email[:254], ip_address=ip_address[:45]))
    recorder.record("login_failed", person, summary=email[:300])
    db.session.commit()
    return SignIn(None, None)


def load_session_person(token: str | None, person_id: str):
    """The person a session cookie belongs to, or None once it was ended or has expired."""
    if not token:
        return None
    row = db.session.execute(
        sa.select(AuthSession, Person)
        .join(Person, AuthSession.person_id == Person.id)
        .where(AuthSession.token_hash == token_hash(token))
    ).first()
    if row is None:
        return None
    auth_session, person = row
    now = utcnow()
    config = current_app.config
    expired = (
        str(person.id) != str(person_id)
        or not person.active
        or now - auth_session.last_seen_at > timedelta(minutes=config["SESSION_IDLE_MINUTES"])
        or now - auth_session.created_at > timedelta(hours=config["SESSION_LIFETIME_HOURS"])
    )
    if expired:
        return None
    if now - auth_session.last_seen_at > timedelta(minutes=1):
        _touch_session(auth_session.id, now)
    return person


_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})  # requests whose transaction begins read-only


def _touch_session(session_id: int, now) -> None:
    statement = sa.update(AuthSession).where(AuthSession.id == session_id).values(last_seen_at=now)
    if has_request_context() and request.method not in _READ_METHODS:
        # A request that changes data began with BEGIN IMMEDIATE and so already holds SQLite's
        # write lock; a second connection would wait for it until "database is locked". The
        # touch goes in with the request's own changes (Core, so it is safe even mid-flush).
        db.session.connection().execute(statement)
        return
    # A separate, immediately committed write keeps a reading request's transaction read-only.
    with db.engine.connect().execution_options(council_write=True) as connection:
        connection.execute(statement)
        connection.commit()


def end_session(token: str | None) -> None:
    if token:
        db.session.execute(sa.delete(AuthSession).where(AuthSession.token_hash == token_hash(token)))
        db.session.commit()


def end_other_sessions(person: Person, keep_token: str | None = None) -> None:
    """Sign the person out everywhere (but the current browser, when given)."""
    statement = sa.delete(AuthSession).where(AuthSession.person_id == person.id)
    if keep_token:
        statement = statement.where(AuthSession.token_hash != token_hash(keep_token))
    db.session.execute(statement)


# --- invitations and set-password links ------------------------------------------------

def create_set_password_link(person: Person, created_by: Person | None) -> str:
    """A new one-time link (earlier unused ones stop working); returns the secret token."""
    db.session.execute(
        sa.update(SetPasswordLink)
        .where(SetPasswordLink.person_id == person.id, SetPasswordLink.used_at.is_(None))
        .values(revoked=True)
    )
    token = secrets.token_urlsafe(32)
    days = current_app.config["SET_PASSWORD_LINK_DAYS"]
    db.session.add(
        SetPasswordLink(
            token_hash=token_hash(token),
            person=person,
            created_by_id=created_by.id if created_by else None,
            expires_at=utcnow() + timedelta(days=days),
        )
    )
    recorder.record("set_password_link", person, summary=person.email)
    return token


def find_usable_link(token: str) -> SetPasswordLink | None:
    link = db.session.scalar(
        sa.select(SetPasswordLink).where(SetPasswordLink.token_hash == token_hash(token))
    )
    if link is None or not link.is_usable(utcnow()) or not link.person.active:
        return None
    return link


def use_link(link: SetPasswordLink, password: str) -> None:
    set_password(link.person, password)
    link.used_at = utcnow()
    end_other_sessions(link.person)
    recorder.record("password_set", link.person, summary=link.person.email,
                    actor_id=link.person_id)
    db.session.commit()


def change_password(person: Person, new_password: str, keep_token: str | None) -> None:
    set_password(person, new_password)
    end_other_sessions(person, keep_token)
    recorder.record("password_changed", person, summary=person.email)
    db.session.commit()


def invite(*, name: str, email: str, organisation_id: int | None, role: Role,
           function: str = "", phone: str = "", created_by: Person | None) -> tuple[Person, str]:
    """Create a person without a password and a link for them to choose one."""
    person = Person(
        name=name.strip(), email=normalise_email(email), organisation_id=organisation_id,
        role=role.value, function=function.strip(), phone=phone.strip(),
    )
    person.refresh_search_text()
    db.session.add(person)
    db.session.flush()
    token = create_set_password_link(person, created_by)
    db.session.commit()
    return person, token


def set_active(person: Person, active: bool) -> None:
    person.active = active
    if not active:
        end_other_sessions(person)
        db.session.execute(
            sa.update(SetPasswordLink)
            .where(SetPasswordLink.person_id == person.id, SetPasswordLink.used_at.is_(None))
            .values(revoked=True)
        )
    db.session.commit()
