from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from council import htmx
from council.audit import bp
from council.audit.models import AuditEntry
from council.auth.roles import Permission
from council.extensions import db
from council.security import requires

PAGE_SIZE = 100
ACTIONS = {
    "login": _l("Signed in"),
    "login_failed": _l("Failed sign-in"),
    "create": _l("Created"),
    "update": _l("Changed"),
    "delete": _l("Deleted"),
    "deactivate": _l("Deactivated"),
    "reactivate": _l("Reactivated"),
    "set_password_link": _l("Password link made"),
    "password_set": _l("Password set by link"),
    "password_changed": _l("Password changed"),
    "import": _l("Imported from CSV"),
}
OBJECT_TYPES = {
    "person": _l("Person"),
    "organisation": _l("Organisation"),
    "service": _l("Service"),
    "sector": _l("Sector"),
    "locality": _l("Locality"),
}


def _date(value: str | None):
    try:
        return datetime.strptime(value or "", "%Y-%m-%d")
    except ValueError:
        return None


@bp.get("/")
@requires(Permission.VIEW_AUDIT_LOG)
def log():
    action = request.args.get("action", "")
    object_type = request.args.get("object_type", "")
    who = request.args.get("who", type=int)
    if who is not None and not 0 < who < 2**31:
        who = None
    since, until = _date(request.args.get("since")), _date(request.args.get("until"))
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    query = sa.select(AuditEntry).options(joinedload(AuditEntry.actor))
    if action in ACTIONS:
        query = query.where(AuditEntry.action == action)
    if object_type:
        query = query.where(AuditEntry.object_type == object_type[:40])
    if who:
        query = query.where(AuditEntry.actor_id == who)
    if since:
        query = query.where(AuditEntry.at >= since)
    if until:
        query = query.where(AuditEntry.at < until + timedelta(days=1))
    rows = db.session.scalars(
        query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)
    ).all()
    context = {
        "entries": rows[:PAGE_SIZE], "has_more": len(rows) > PAGE_SIZE, "page": page,
        "actions": ACTIONS, "filters": request.args,
        "object_types": OBJECT_TYPES,
    }
    if htmx.targets("audit-results"):
        return render_template("audit/_results.html", **context)
    return render_template("audit/log.html", **context)
