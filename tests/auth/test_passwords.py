"""Passwords: Argon2id, long passphrases welcome, weak ones refused; one-time set-password links."""
import re
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from council.auth import services
from council.auth.models import Person, SetPasswordLink
from council.auth.roles import Role
from council.core.text import utcnow
from council.extensions import db
from tests.conftest import PASSWORD, create_person

GOOD = "violet kettle marathon"
COMMON_FILE = Path(services.__file__).with_name("common_passwords.txt")
LINK_GONE = b"This link no longer works"


@pytest.fixture
def invited(app_context):
    """A person the secretary invited, and the token of their link."""
    person = create_person("invited@example.org", name="Ivana Pozvaná", password=None)
    token = services.create_set_password_link(person, None)
    db.session.commit()
    return person, token


def choose(client, token, password, confirm=None):
    path = f"/set-password/{token}"
    page = client.get(path)
    if page.status_code != 200:
        return page
    return client.submit(path, {"password": password, "confirm": password if confirm is None else confirm},
                         token_from=path)


def reloaded(person) -> Person:
    db.session.commit()
    return db.session.get(Person, person.id)


def test_invited_person_sets_a_password_and_signs_in(client, invited):
    person, token = invited
    page = client.get(f"/set-password/{token}")
    assert page.status_code == 200
    assert b"Ivana Pozvan" in page.data
    response = choose(client, token, GOOD)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert reloaded(person).password_hash.startswith("$argon2id$")
    assert client.login(person.email, GOOD).status_code == 302
    assert client.get("/ping").status_code == 200


def test_passwords_are_stored_with_argon2id_at_a_real_cost(app_context, monkeypatch):
    monkeypatch.undo()  # the production hasher, not the tests' quick one
    person = Person(name="Hana", email="hana@example.org")
    services.set_password(person, GOOD)
    assert person.password_hash.startswith("$argon2id$")
    assert GOOD not in person.password_hash
    memory = int(re.search(r"\$m=(\d+),", person.password_hash).group(1))
    assert memory >= 19 * 1024  # OWASP's minimum for Argon2id, in KiB
    assert services.check_password(person, GOOD)
    assert not services.check_password(person, GOOD + "x")


def test_the_same_password_hashes_differently_each_time(app_context):
    one, two = Person(name="A", email="a@example.org"), Person(name="B", email="b@example.org")
    services.set_password(one, GOOD)
    services.set_password(two, GOOD)
    assert one.password_hash != two.password_hash


def test_too_short_password_is_refused_with_a_clear_message(client, invited):
    person, token = invited
    response = choose(client, token, "nine char")
    assert response.status_code == 422
    assert b"Use at least 10 characters." in response.data
    assert reloaded(person).password_hash is None
    assert choose(client, token, "ten chars!").status_code == 302


def test_common_password_is_refused(client, invited):
    person, token = invited
    common = next(line.strip() for line in COMMON_FILE.read_text().splitlines() if len(line.strip()) >= 10)
    response = choose(client, token, common)
    assert response.status_code == 422
    assert b"This password is too common" in response.data
    assert reloaded(person).password_hash is None


def test_common_password_is_refused_whatever_its_case(client, invited):
    _person, token = invited
    common = next(line.strip() for line in COMMON_FILE.read_text().splitlines()
                  if len(line.strip()) >= 10 and line.strip().isalpha())
    assert choose(client, token, common.upper()).status_code == 422


def test_a_password_of_one_repeated_character_is_refused(client, invited):
    _person, token = invited
    assert b"This password is too common" in choose(client, token, "aaaaaaaaaaaa").data


def test_own_email_as_password_is_refused(client, app_context):
    person = create_person("longname@example.org", password=None)
    token = services.create_set_password_link(person, None)
    db.session.commit()
    response = choose(client, token, "longname@example.org")
    assert response.status_code == 422
    assert b"Do not use your name or email as the password." in response.data


def test_the_two_passwords_must_match(client, invited):
    person, token = invited
    response = choose(client, token, GOOD, confirm=GOOD + "!")
    assert response.status_code == 422
    assert b"The two passwords differ." in response.data
    assert reloaded(person).password_hash is None


def test_a_long_passphrase_works_for_setting_and_signing_in(client, invited):
    person, token = invited
    passphrase = ("Our council meets every second Tuesday in the old town hall, "
                  "and the coffee is always cold! Since 2026.")
    assert len(passphrase) >= 100
    assert choose(client, token, passphrase).status_code == 302
    assert client.login(person.email, passphrase).status_code == 302
    assert client.get("/ping").status_code == 200


def test_a_passphrase_in_any_script_works(client, invited):
    person, token = invited
    passphrase = "Příliš žluťoučký kůň — Київ вечір"
    assert choose(client, token, passphrase).status_code == 302
    assert client.login(person.email, passphrase).status_code == 302


def test_absurdly_long_password_is_refused_without_hashing(client, invited):
    person, token = invited
    response = choose(client, token, "x" * 1025 + "yz!")
    assert response.status_code == 422
    assert b"Use at most 1024 characters." in response.data
    assert reloaded(person).password_hash is None


# --- set-password links -------------------------------------------------------------------------

def test_link_works_only_once(client, make_client, invited):
    _person, token = invited
    assert choose(client, token, GOOD).status_code == 302
    again = make_client()
    page = again.get(f"/set-password/{token}")
    assert page.status_code == 404
    assert LINK_GONE in page.data
    response = again.submit(f"/set-password/{token}", {"password": "another good one", "confirm": "another good one"},
                            token_from="/login")
    assert response.status_code == 404
    assert again.login("invited@example.org", GOOD).status_code == 302


def test_link_works_for_seven_days_only(client, invited):
    person, token = invited
    link = db.session.scalar(sa.select(SetPasswordLink).where(SetPasswordLink.person_id == person.id))
    assert timedelta(days=6, hours=23) < link.expires_at - utcnow() <= timedelta(days=7)
    link.expires_at = utcnow() + timedelta(minutes=1)
    db.session.commit()
    assert client.get(f"/set-password/{token}").status_code == 200
    link = db.session.scalar(sa.select(SetPasswordLink).where(SetPasswordLink.person_id == person.id))
    link.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    page = client.get(f"/set-password/{token}")
    assert page.status_code == 404
    assert LINK_GONE in page.data


def test_a_newer_link_voids_the_older_one(client, invited):
    person, old_token = invited
    new_token = services.create_set_password_link(person, None)
    db.session.commit()
    assert client.get(f"/set-password/{old_token}").status_code == 404
    assert choose(client, new_token, GOOD).status_code == 302


def test_a_made_up_link_does_not_work(client, invited):
    assert client.get("/set-password/made-up-token").status_code == 404
    assert client.get("/set-password/" + "A" * 300).status_code == 404


def test_link_of_a_deactivated_person_does_not_work(client, invited):
    person, token = invited
    services.set_active(db.session.get(Person, person.id), False)
    assert client.get(f"/set-password/{token}").status_code == 404


def test_links_are_stored_only_as_hashes(invited):
    _person, token = invited
    stored = db.session.scalars(sa.select(SetPasswordLink.token_hash)).all()
    assert token not in stored
    assert services.token_hash(token) in stored


# --- invitation, end to end ------------------------------------------------------------------------

def test_secretary_invites_and_the_invited_person_signs_in(signed_in, make_client, people):
    secretary = signed_in(Role.SECRETARY)
    form = secretary.get("/people/invite")
    assert form.status_code == 200
    organisation_id = re.search(rb'<option value="(\d+)">M\xc4\x9bsto Vzorov', form.data).group(1).decode()
    response = secretary.submit("/people/invite", {
        "name": "Petr Nový", "email": "Petr.Novy@Example.org", "organisation_id": organisation_id,
        "role": "member", "function": "metodik prevence", "phone": "+420 600 000 000",
    }, token_from="/people/invite")
    assert response.status_code == 200
    assert b"Petr Nov" in response.data
    link = re.search(rb"http://localhost(/set-password/[A-Za-z0-9_-]+)", response.data).group(1).decode()

    person = db.session.scalar(sa.select(Person).where(Person.email == "petr.novy@example.org"))
    assert person is not None and person.password_hash is None
    assert person.organisation_id == int(organisation_id) and person.role == "member"

    newcomer = make_client()
    assert newcomer.get(link).status_code == 200
    assert newcomer.submit(link, {"password": GOOD, "confirm": GOOD}, token_from=link).status_code == 302
    assert newcomer.login("petr.novy@example.org", GOOD).status_code == 302
    dashboard = newcomer.get("/")
    assert dashboard.status_code == 200
    assert b"Petr Nov" in dashboard.data


def test_new_link_for_someone_who_forgot_their_password(signed_in, make_client, people):
    secretary = signed_in(Role.SECRETARY)
    member = people[Role.MEMBER]
    response = secretary.submit(f"/people/{member.id}/password-link", token_from=f"/people/{member.id}")
    assert response.status_code == 200
    link = re.search(rb"http://localhost(/set-password/[A-Za-z0-9_-]+)", response.data).group(1).decode()
    browser = make_client()
    assert browser.submit(link, {"password": GOOD, "confirm": GOOD}, token_from=link).status_code == 302
    assert browser.login(member.email, PASSWORD).status_code == 401
    assert browser.login(member.email, GOOD).status_code == 302


def test_changing_the_password_needs_the_current_one(signed_in, people):
    member = signed_in(Role.MEMBER)
    response = member.submit("/profile/password", {
        "current_password": "not my password", "password": GOOD, "confirm": GOOD,
    }, token_from="/profile/password")
    assert response.status_code == 422
    assert b"This is not your current password." in response.data
    assert services.check_password(reloaded(people[Role.MEMBER]), PASSWORD)


def test_changing_to_a_weak_password_is_refused(signed_in, people):
    member = signed_in(Role.MEMBER)
    response = member.submit("/profile/password", {
        "current_password": PASSWORD, "password": "short", "confirm": "short",
    }, token_from="/profile/password")
    assert response.status_code == 422
    assert b"Use at least 10 characters." in response.data
