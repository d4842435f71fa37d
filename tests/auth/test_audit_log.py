"""The audit log records sign-ins and changes to people with who did them; the secretariat reads it."""
import re

import sqlalchemy as sa

from council.audit.models import AuditEntry
from council.auth.models import Person
from council.auth.roles import Role
from council.extensions import db


def entries(action: str, **where) -> list[AuditEntry]:
    db.session.commit()
    query = sa.select(AuditEntry).where(AuditEntry.action == action)
    for name, value in where.items():
        query = query.where(getattr(AuditEntry, name) == value)
    return list(db.session.scalars(query.order_by(AuditEntry.id)))


def fragment(browser, query: str = ""):
    """The results of the audit log as htmx swaps them in (rows only, no filter form)."""
    return browser.get(f"/audit/{query}", headers={"HX-Request": "true", "HX-Target": "audit-results"})


def test_sign_in_is_recorded_with_the_person_and_address(make_client, people):
    member = people[Role.MEMBER]
    browser = make_client()
    token = browser.csrf_token("/login")
    browser.post("/login", data={"email": member.email, "password": "correct horse battery staple",
                                 "csrf_token": token}, environ_base={"REMOTE_ADDR": "192.0.2.10"})
    [entry] = entries("login")
    assert entry.actor_id == member.id
    assert entry.object_type == "person" and entry.object_id == member.id
    assert entry.ip_address == "192.0.2.10"


def test_failed_sign_in_is_recorded_with_the_email_tried(client, people):
    client.login(people[Role.MEMBER].email, "a wrong password")
    client.login("nobody@example.org", "a wrong password")
    known, unknown = entries("login_failed")
    assert known.object_id == people[Role.MEMBER].id and known.summary == "member@example.org"
    assert unknown.object_id is None and unknown.summary == "nobody@example.org"
    assert known.actor_id is None and unknown.actor_id is None  # nobody was signed in
    assert known.ip_address == "127.0.0.1"


def test_creating_a_person_is_recorded_with_the_secretary_as_actor(signed_in, people):
    secretary = signed_in(Role.SECRETARY)
    secretary.submit("/people/invite", {
        "name": "Olga Nová", "email": "olga@example.org", "organisation_id": "0", "role": "guest",
        "function": "", "phone": "",
    }, token_from="/people/invite")
    olga = db.session.scalar(sa.select(Person).where(Person.email == "olga@example.org"))
    [created] = entries("create", object_type="person", object_id=olga.id)
    assert created.actor_id == people[Role.SECRETARY].id
    assert created.changes["email"] == [None, "olga@example.org"]
    assert created.changes["role"] == [None, "guest"]
    assert "password_hash" not in created.changes


def test_role_change_is_recorded_with_old_and_new_value(signed_in, people):
    secretary = signed_in(Role.SECRETARY)
    member = people[Role.MEMBER]
    page = secretary.get(f"/people/{member.id}/edit")
    version = re.search(rb'name="version" value="(\d+)"', page.data).group(1).decode()
    response = secretary.submit(f"/people/{member.id}/edit", {
        "name": member.name, "email": member.email, "organisation_id": str(member.organisation_id),
        "function": "", "phone": "", "role": "facilitator", "version": version,
    }, token_from=f"/people/{member.id}/edit")
    assert response.status_code == 302
    [update] = entries("update", object_type="person", object_id=member.id)
    assert update.actor_id == people[Role.SECRETARY].id
    assert update.changes == {"role": ["member", "facilitator"]}


def test_deactivation_is_recorded_with_the_secretary_as_actor(signed_in, people):
    secretary = signed_in(Role.SECRETARY)
    member = people[Role.MEMBER]
    secretary.submit(f"/people/{member.id}/active", {"active": "0"})
    [deactivated] = entries("deactivate", object_id=member.id)
    assert deactivated.actor_id == people[Role.SECRETARY].id
    assert deactivated.changes["active"] == [True, False]
    secretary.submit(f"/people/{member.id}/active", {"active": "1"})
    [reactivated] = entries("reactivate", object_id=member.id)
    assert reactivated.actor_id == people[Role.SECRETARY].id


def test_password_changes_are_recorded_but_never_the_hash(signed_in, people):
    member = signed_in(Role.MEMBER)
    new = "violet kettle marathon"
    member.submit("/profile/password", {"current_password": "correct horse battery staple",
                                        "password": new, "confirm": new}, token_from="/profile/password")
    [changed] = entries("password_changed", object_id=people[Role.MEMBER].id)
    assert changed.actor_id == people[Role.MEMBER].id
    db.session.commit()
    everything = db.session.scalars(sa.select(AuditEntry)).all()
    assert not any("password_hash" in (entry.changes or {}) for entry in everything)
    assert not any("$argon2" in str(entry.changes) + entry.summary for entry in everything)


def test_secretary_browses_the_log_and_filters_by_action(signed_in, make_client, people):
    make_client().login(people[Role.MEMBER].email, "a wrong password")
    secretary = signed_in(Role.SECRETARY)
    page = secretary.get("/audit/")
    assert page.status_code == 200
    assert b"Failed sign-in" in page.data and b"Signed in" in page.data

    failed_only = fragment(secretary, "?action=login_failed")
    assert failed_only.status_code == 200
    rows = re.findall(rb"<tr>\s*<td>.*?</tr>", failed_only.data, re.S)
    assert len(rows) == 1
    assert b"Failed sign-in" in rows[0] and b"member@example.org" in rows[0]

    signed_in_only = fragment(secretary, "?action=login")
    rows = re.findall(rb"<tr>\s*<td>.*?</tr>", signed_in_only.data, re.S)
    assert len(rows) == 1  # the secretary's own sign-in
    assert b"Signed in" in rows[0] and b"Secretary" in rows[0]


def test_secretary_filters_the_log_by_person(signed_in, people):
    secretary = signed_in(Role.SECRETARY)
    signed_in(Role.MEMBER)
    mine = fragment(secretary, f"?who={people[Role.MEMBER].id}")
    rows = re.findall(rb"<tr>\s*<td>.*?</tr>", mine.data, re.S)
    assert len(rows) == 1 and b"member@example.org" in rows[0]


def test_odd_filters_do_not_break_the_log(signed_in, people):
    secretary = signed_in(Role.SECRETARY)
    for query in ("?action=nonsense", "?who=abc", "?since=2026-13-45", "?until=yesterday", "?page=-3",
                  "?page=99999", "?object_type=" + "x" * 500, "?action=Signed+in"):
        assert secretary.get(f"/audit/{query}").status_code == 200, query
    # NUL, which PostgreSQL cannot even compare, is refused before it reaches a query.
    assert secretary.get("/audit/?object_type=%00").status_code == 400


def test_member_cannot_read_the_log(signed_in):
    assert signed_in(Role.MEMBER).get("/audit/").status_code == 403
    assert fragment(signed_in(Role.FACILITATOR), "?action=login").status_code == 403
