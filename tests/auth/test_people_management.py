"""What the secretary does with people, and what members may change about themselves."""
import re

import pytest
import sqlalchemy as sa

from council.auth.models import Person
from council.auth.roles import Role
from council.extensions import db
from tests.conftest import create_person


def reloaded(person) -> Person:
    db.session.commit()
    return db.session.get(Person, person.id)


def edit_person(browser, person, **changes):
    """Open the secretary's edit form of ``person`` and save it with ``changes``."""
    person = reloaded(person)
    data = {
        "name": person.name, "email": person.email, "organisation_id": str(person.organisation_id or 0),
        "function": person.function, "phone": person.phone, "role": person.role,
        "version": str(person.version), **changes,
    }
    return browser.submit(f"/people/{person.id}/edit", data, token_from=f"/people/{person.id}/edit")


def offered_roles(page) -> set[str]:
    select = re.search(rb'<select[^>]*name="role".*?</select>', page.data, re.S).group(0)
    return {value.decode() for value in re.findall(rb'<option[^>]*value="([^"]*)"', select)}


# --- roles ------------------------------------------------------------------------------------

def test_secretary_changes_a_members_role(signed_in, people):
    secretary = signed_in(Role.SECRETARY)
    member = people[Role.MEMBER]
    response = edit_person(secretary, member, role="facilitator")
    assert response.status_code == 302
    assert reloaded(member).role == "facilitator"


def test_role_change_applies_to_the_persons_open_session(signed_in, people):
    member_browser = signed_in(Role.MEMBER)
    assert member_browser.get("/people").status_code == 200
    edit_person(signed_in(Role.SECRETARY), people[Role.MEMBER], role="guest")
    assert member_browser.get("/people").status_code == 403


def test_secretary_is_not_offered_the_administrator_role(signed_in, people):
    page = signed_in(Role.SECRETARY).get(f"/people/{people[Role.MEMBER].id}/edit")
    assert offered_roles(page) == {"secretary", "facilitator", "member", "guest"}


def test_secretary_cannot_make_anyone_an_administrator(signed_in, people):
    secretary = signed_in(Role.SECRETARY)
    for role in (Role.MEMBER, Role.SECRETARY):
        response = edit_person(secretary, people[role], role="admin")
        assert response.status_code == 422
        assert b"Choose a role from the list." in response.data
        assert reloaded(people[role]).role == role.value


def test_secretary_cannot_make_themselves_an_administrator(signed_in, people):
    secretary = signed_in(Role.SECRETARY)
    assert edit_person(secretary, people[Role.SECRETARY], role="admin").status_code == 422
    assert reloaded(people[Role.SECRETARY]).role == "secretary"


def test_secretary_cannot_invite_an_administrator(signed_in, people):
    secretary = signed_in(Role.SECRETARY)
    response = secretary.submit("/people/invite", {
        "name": "Sneaky Admin", "email": "sneaky@example.org", "organisation_id": "0", "role": "admin",
    }, token_from="/people/invite")
    assert response.status_code == 422
    assert db.session.scalar(sa.select(Person).where(Person.email == "sneaky@example.org")) is None


def test_secretary_cannot_change_an_administrators_record(signed_in, people):
    secretary = signed_in(Role.SECRETARY)
    admin = people[Role.ADMIN]
    assert secretary.get(f"/people/{admin.id}/edit").status_code == 403
    response = edit_person(secretary, admin, role="member")
    assert response.status_code == 403
    assert reloaded(admin).role == "admin"


def test_secretary_cannot_deactivate_an_administrator_or_make_them_a_link(signed_in, people):
    secretary = signed_in(Role.SECRETARY)
    admin = people[Role.ADMIN]
    assert secretary.submit(f"/people/{admin.id}/active", {"active": "0"}).status_code == 403
    assert secretary.submit(f"/people/{admin.id}/password-link").status_code == 403
    assert reloaded(admin).active


def test_administrator_makes_someone_an_administrator_and_back(signed_in, people):
    admin = signed_in(Role.ADMIN)
    secretary = people[Role.SECRETARY]
    assert "admin" in offered_roles(admin.get(f"/people/{secretary.id}/edit"))
    assert edit_person(admin, secretary, role="admin").status_code == 302
    assert reloaded(secretary).role == "admin"
    assert edit_person(admin, secretary, role="secretary").status_code == 302
    assert reloaded(secretary).role == "secretary"


def test_administrator_may_deactivate_another_administrator(signed_in, people):
    other_admin = create_person("second-admin@example.org", role=Role.ADMIN)
    admin = signed_in(Role.ADMIN)
    assert admin.submit(f"/people/{other_admin.id}/active", {"active": "0"}).status_code == 302
    assert not reloaded(other_admin).active


# --- links, deactivation -------------------------------------------------------------------------

def test_secretary_makes_a_new_password_link(signed_in, people):
    secretary = signed_in(Role.SECRETARY)
    response = secretary.submit(f"/people/{people[Role.MEMBER].id}/password-link")
    assert response.status_code == 200
    assert re.search(rb"/set-password/[A-Za-z0-9_-]{20,}", response.data)


def test_secretary_deactivates_and_reactivates_a_person(signed_in, make_client, people):
    secretary = signed_in(Role.SECRETARY)
    member = people[Role.MEMBER]
    response = secretary.submit(f"/people/{member.id}/active", {"active": "0"}, follow_redirects=True)
    assert response.status_code == 200
    assert b"is deactivated and signed out everywhere" in response.data
    assert b"Deactivated: cannot sign in." in response.data
    assert not reloaded(member).active
    assert make_client().login(member.email).status_code == 401

    response = secretary.submit(f"/people/{member.id}/active", {"active": "1"}, follow_redirects=True)
    assert b"can sign in again" in response.data
    assert reloaded(member).active
    assert make_client().login(member.email).status_code == 302


def test_deactivated_person_gets_no_new_link(signed_in, people):
    secretary = signed_in(Role.SECRETARY)
    member = people[Role.MEMBER]
    secretary.submit(f"/people/{member.id}/active", {"active": "0"})
    response = secretary.submit(f"/people/{member.id}/password-link", follow_redirects=True)
    assert b"Reactivate this person first." in response.data
    assert b"/set-password/" not in response.data


def test_secretary_cannot_deactivate_themselves(signed_in, people):
    secretary = signed_in(Role.SECRETARY)
    response = secretary.submit(f"/people/{people[Role.SECRETARY].id}/active", {"active": "0"}, follow_redirects=True)
    assert b"You cannot deactivate yourself." in response.data
    assert reloaded(people[Role.SECRETARY]).active
    assert secretary.get("/ping").status_code == 200


def test_nobody_is_ever_deleted(app, signed_in, people):
    assert not [rule.rule for rule in app.url_map.iter_rules()
                if "/people/" in rule.rule and "delet" in rule.rule]
    secretary = signed_in(Role.SECRETARY)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Person))
    secretary.submit(f"/people/{people[Role.MEMBER].id}/active", {"active": "0"})
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == before
    page = secretary.get(f"/people/{people[Role.MEMBER].id}")
    assert page.status_code == 200


def test_actions_on_someone_who_does_not_exist_give_not_found(signed_in, people):
    secretary = signed_in(Role.SECRETARY)
    assert secretary.submit("/people/999999/active", {"active": "0"}).status_code == 404
    assert secretary.submit("/people/999999/password-link").status_code == 404
    assert secretary.get("/people/999999/edit").status_code == 404


# --- a member's own details --------------------------------------------------------------------

def profile(browser, **changes):
    person_page = browser.get("/profile")
    version = re.search(rb'name="version" value="(\d+)"', person_page.data).group(1).decode()
    fields = {name: re.search(rf'name="{name}"[^>]*value="([^"]*)"'.encode(), person_page.data)
              for name in ("name", "email", "phone", "function")}
    data = {name: (match.group(1).decode() if match else "") for name, match in fields.items()}
    data.update(locale="", version=version)
    data.update(changes)
    return browser.submit("/profile", data, token_from="/profile")


def test_member_changes_their_own_phone(signed_in, people):
    member = signed_in(Role.MEMBER)
    response = profile(member, phone="+420 777 000 111")
    assert response.status_code == 302
    assert reloaded(people[Role.MEMBER]).phone == "+420 777 000 111"
    assert b"Your contact details are saved." in member.get("/profile").data


def test_member_cannot_edit_someone_elses_record(signed_in, people):
    member = signed_in(Role.MEMBER)
    other = people[Role.FACILITATOR]
    assert member.get(f"/people/{other.id}/edit").status_code == 403
    assert edit_person(member, other, phone="666").status_code == 403
    assert reloaded(other).phone == ""


def test_member_cannot_use_the_secretarys_form_even_for_themselves(signed_in, people):
    member = signed_in(Role.MEMBER)
    assert edit_person(member, people[Role.MEMBER], role="secretary").status_code == 403
    assert reloaded(people[Role.MEMBER]).role == "member"


def test_member_cannot_change_their_own_role_through_the_profile(signed_in, people):
    member = signed_in(Role.MEMBER)
    assert profile(member, role="admin", active="0", organisation_id="0").status_code == 302
    person = reloaded(people[Role.MEMBER])
    assert person.role == "member" and person.active and person.organisation_id is not None


def test_profile_refuses_an_email_someone_else_has(signed_in, people):
    member = signed_in(Role.MEMBER)
    response = profile(member, email="Secretary@Example.org", phone="+420 1")
    assert response.status_code == 422
    assert b"Someone with this email is already in the directory." in response.data
    assert b'value="Secretary@Example.org"' in response.data
    assert b'value="+420 1"' in response.data
    assert reloaded(people[Role.MEMBER]).email == "member@example.org"


def test_profile_refuses_an_invalid_email_and_keeps_what_was_typed(signed_in, people):
    member = signed_in(Role.MEMBER)
    response = profile(member, email="marie at example", name="Marie Typed")
    assert response.status_code == 422
    assert b"Enter a valid email address" in response.data
    assert b'value="marie at example"' in response.data
    assert b'value="Marie Typed"' in response.data
    assert reloaded(people[Role.MEMBER]).name != "Marie Typed"


@pytest.mark.parametrize(("field", "limit"), [("name", 120), ("phone", 40), ("function", 120)])
def test_profile_refuses_over_long_input_and_keeps_it(signed_in, people, field, limit):
    member = signed_in(Role.MEMBER)
    typed = "Ž" * (limit + 1)
    response = profile(member, **{field: typed})
    assert response.status_code == 422
    assert f"Use at most {limit} characters.".encode() in response.data
    assert f'value="{typed}"'.encode() in response.data
    assert getattr(reloaded(people[Role.MEMBER]), field) != typed


def test_profile_refuses_an_unknown_language(signed_in, people):
    response = profile(signed_in(Role.MEMBER), locale="xx")
    assert response.status_code == 422
    assert b"Choose a language from the list." in response.data


def test_profile_saved_in_a_stale_form_is_refused_and_the_typing_is_kept(signed_in, people):
    member = signed_in(Role.MEMBER)
    assert profile(member, phone="first save").status_code == 302
    response = profile(member, phone="second save", version="1")
    assert response.status_code == 409
    assert b"Someone else saved this in the meantime" in response.data
    assert b'value="second save"' in response.data
    assert reloaded(people[Role.MEMBER]).phone == "first save"


def test_changed_email_is_the_new_sign_in_name(signed_in, make_client, people):
    member = signed_in(Role.MEMBER)
    assert profile(member, email="  Marie.New@Example.org ").status_code == 302
    assert reloaded(people[Role.MEMBER]).email == "marie.new@example.org"
    assert make_client().login("marie.new@example.org").status_code == 302


@pytest.fixture
def email_check_misses_a_clash(monkeypatch):
    """As if someone else saved the same email between the form's check and the save."""
    from council.auth.forms import UniqueEmailMixin

    monkeypatch.setattr(UniqueEmailMixin, "validate_email", lambda form, field: None)


def test_email_taken_at_the_same_moment_is_refused_on_the_profile(signed_in, people, email_check_misses_a_clash):
    member = signed_in(Role.MEMBER)
    response = profile(member, email="secretary@example.org", phone="+420 2")
    assert response.status_code == 422
    assert b"Someone with this email is already in the directory." in response.data
    assert b'value="+420 2"' in response.data
    assert reloaded(people[Role.MEMBER]).email == "member@example.org"


def test_email_taken_at_the_same_moment_is_refused_on_invitation(signed_in, people, email_check_misses_a_clash):
    secretary = signed_in(Role.SECRETARY)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Person))
    response = secretary.submit("/people/invite", {
        "name": "Double", "email": "member@example.org", "organisation_id": "0", "role": "guest",
    }, token_from="/people/invite")
    assert response.status_code == 422
    assert b"Someone with this email is already in the directory." in response.data
    assert b'value="Double"' in response.data
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == before


@pytest.mark.parametrize("typed", ["marie@exa\x07mple.org", "marie\x1b@example.org", "not an address"])
def test_an_impossible_email_is_refused_before_it_is_looked_up(signed_in, people, typed):
    """Text that is no address is refused without a query (PostgreSQL refuses some text outright)."""
    from tests.conftest import count_queries

    member = signed_in(Role.MEMBER)
    token = member.csrf_token("/profile")
    with count_queries() as statements:
        response = member.post("/profile", data={"csrf_token": token, "name": "Marie", "email": typed,
                                                 "phone": "", "function": "", "locale": "", "version": "1"})
    assert response.status_code == 422
    assert b"Enter a valid email address" in response.data
    assert not [s for s in statements if "person.email =" in s]
