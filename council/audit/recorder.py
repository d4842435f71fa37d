"""Writes audit entries: explicitly for sign-ins, automatically for every audited change.

Models opt in with ``__audited__ = True``; ``__audit_hidden__`` names columns whose values
are never written to the log (password hashes, derived search text).
"""
from datetime import date, datetime

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from council.audit.models import AuditEntry
from council.core.text import utcnow
from council.extensions import db


def _actor_and_ip() -> tuple[int | None, str]:
    if not has_request_context():
        return None, ""
    actor_id = None
    try:
        if current_user and current_user.is_authenticated:
            actor_id = current_user.id
    except Exception:
        actor_id = None
    return actor_id, (request.remote_addr or "")[:45]


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def record(action: str, obj=None, *, summary: str = "", changes: dict | None = None,
           actor_id: int | None = None) -> None:
    """Add an audit entry to the current transaction (committed with it)."""
    request_actor, ip = _actor_and_ip()
    db.session.add(
        AuditEntry(
            at=utcnow(),
            actor_id=actor_id if actor_id is not None else request_actor,
            action=action,
            object_type=obj.__tablename__ if obj is not None else "",
            object_id=getattr(obj, "id", None),
            summary=summary[:300],
            changes=changes,
            ip_address=ip,
        )
    )


def _describe(obj) -> str:
    for attr in ("name", "email", "title"):
        value = getattr(obj, attr, None)
        if value:
            return str(value)[:300]
    return ""


def _column_changes(obj, only_changed: bool) -> dict:
    hidden = getattr(obj, "__audit_hidden__", set())
    state = inspect(obj)
    changes = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in hidden or key == "id":
            continue
        history = state.attrs[key].history
        if only_changed:
            if not history.has_changes():
                continue
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old == new:
                continue
            changes[key] = [_plain(old), _plain(new)]
        else:
            changes[key] = [None, _plain(getattr(obj, key))]
    for rel in state.mapper.relationships:
        if not rel.uselist or rel.key in hidden or rel.back_populates:
            continue
        history = state.attrs[rel.key].history
        if history.has_changes() and (history.added or history.deleted):
            changes[rel.key] = [
                [_describe(o) for o in history.deleted],
                [_describe(o) for o in history.added],
            ]
    return changes


def _after_flush(session: Session, flush_context) -> None:
    rows = []
    actor_id, ip = _actor_and_ip()
    now = utcnow()
    for obj, action in [(o, "create") for o in session.new] + [
        (o, "update") for o in session.dirty
    ]:
        if not getattr(obj, "__audited__", False):
            continue
        changes = _column_changes(obj, only_changed=(action == "update"))
        if action == "update":
            if not changes:
                continue
            if changes.get("active") == [True, False]:
                action = "deactivate"
            elif changes.get("active") == [False, True]:
                action = "reactivate"
        rows.append(
            {
                "at": now,
                "actor_id": actor_id,
                "action": action,
                "object_type": obj.__tablename__,
                "object_id": obj.id,
                "summary": _describe(obj),
                "changes": changes,
                "ip_address": ip,
            }
        )
    for obj in session.deleted:
        if getattr(obj, "__audited__", False):
            rows.append(
                {
                    "at": now, "actor_id": actor_id, "action": "delete",
                    "object_type": obj.__tablename__, "object_id": obj.id,
                    "summary": _describe(obj), "changes": None, "ip_address": ip,
                }
            )
    if rows:
        session.connection().execute(insert(AuditEntry.__table__), rows)


def init_app(app) -> None:
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
