"""Signing in: one message for every failure, limits on guessing, no redirect off the site."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from council.auth.models import LoginAttempt
from council.auth.roles import Role
from council.core.text import utcnow
from council.extensions import db
from tests.auth.support import another_app, client_of, dispose
from tests.conftest import PASSWORD, create_person

FAILURE = b"The email or password is not right"
TOO_MANY = b"Too many failed sign-ins. Wait 15 minutes and try again."


def attempt(client, email, password, ip="192.0.2.1", next_=None):
    """One sign-in from the address ``ip``, like a browser filling in the form."""
    token = client.csrf_token("/login")
    path = "/login" if next_ is None else f"/login?next={next_}"
    return client.post(path, data={"email": email, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": ip})


def test_member_signs_in_and_sees_dashboard(client, people):
    response = client.login(people[Role.MEMBER].email)
    assert response.status_code == 302
    page = client.get("/")
    assert page.status_code == 200
    assert people[Role.MEMBER].name.encode() in page.data


def test_email_is_matched_whatever_its_case_and_spaces(client, people):
    assert attempt(client, "  MEMBER@Example.org ", PASSWORD).status_code == 302


def test_wrong_password_gives_the_same_message_as_unknown_email(client, people):
    wrong = client.login(people[Role.MEMBER].email, "not the password at all")
    unknown = client.login("nobody@example.org", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    message = b"The email or password is not right"
    assert message in wrong.data and message in unknown.data


def test_failed_sign_in_does_not_tell_whether_the_account_exists(client, people):
    """The whole page, not just the message, is the same for a known and an unknown email."""
    wrong = attempt(client, "member@example.org", "not the password at all")
    unknown = attempt(client, "nobody@example.org", "not the password at all")
    deactivated = create_person("former@example.org", active=False)
    former = attempt(client, deactivated.email, PASSWORD)

    def page(response):
        # The signed CSRF token carries a timestamp, so it differs between any two pages.
        return re.sub(rb'(name="csrf[-_]token"[^>]*(content|value)=")[^"]+"', rb'\1"', response.data)

    assert wrong.status_code == unknown.status_code == former.status_code == 401
    assert FAILURE in wrong.data
    # The pages differ only in the e-mail typed into the form.
    assert page(wrong).replace(b"member@example.org", b"X") == page(unknown).replace(b"nobody@example.org", b"X")
    assert page(wrong).replace(b"member@example.org", b"X") == page(former).replace(b"former@example.org", b"X")


def test_deactivated_person_cannot_sign_in_with_the_right_password(client, app_context):
    create_person("former@example.org", active=False)
    response = attempt(client, "former@example.org", PASSWORD)
    assert response.status_code == 401
    assert FAILURE in response.data
    assert client.get("/").status_code == 302


def test_invited_person_without_a_password_cannot_sign_in(client, app_context):
    create_person("invited@example.org", password=None)
    assert attempt(client, "invited@example.org", "").status_code == 422
    assert attempt(client, "invited@example.org", PASSWORD).status_code == 401


def test_empty_form_says_what_is_missing_and_keeps_the_email(client):
    token = client.csrf_token("/login")
    response = client.post("/login", data={"email": "someone@example.org", "password": "", "csrf_token": token})
    assert response.status_code == 422
    assert b"This field is required." in response.data
    assert b'value="someone@example.org"' in response.data


def test_signed_in_person_opening_sign_in_goes_to_the_dashboard(signed_in):
    response = signed_in(Role.MEMBER).get("/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


# --- guessing limits -------------------------------------------------------------------------

def test_after_ten_failures_for_one_account_even_the_right_password_is_refused(client, people):
    for n in range(10):  # each from another address, so only the account's counter fills up
        assert attempt(client, "member@example.org", f"guess number {n}", ip=f"198.51.100.{n}").status_code == 401
    response = attempt(client, "member@example.org", PASSWORD, ip="203.0.113.7")
    assert response.status_code == 429
    assert TOO_MANY in response.data
    assert client.get("/").status_code == 302  # not signed in


def test_nine_failures_still_let_the_right_password_in(client, people):
    for n in range(9):
        attempt(client, "member@example.org", f"guess number {n}", ip=f"198.51.100.{n}")
    assert attempt(client, "member@example.org", PASSWORD, ip="203.0.113.7").status_code == 302


def test_account_limit_counts_the_email_whatever_its_case(client, people):
    for n in range(10):
        attempt(client, "Member@Example.org" if n % 2 else "member@example.org ", f"guess {n}x", ip=f"198.51.100.{n}")
    assert attempt(client, "MEMBER@example.org", PASSWORD, ip="203.0.113.7").status_code == 429


def test_after_ten_failures_from_one_address_that_address_is_refused(client, people):
    for n in range(10):  # a different, unknown account each time
        assert attempt(client, f"nobody{n}@example.org", "some password", ip="192.0.2.66").status_code == 401
    blocked = attempt(client, "member@example.org", PASSWORD, ip="192.0.2.66")
    assert blocked.status_code == 429
    assert TOO_MANY in blocked.data
    # The account itself is not blocked: from another address the member signs in.
    assert attempt(client, "member@example.org", PASSWORD, ip="192.0.2.67").status_code == 302


def test_failures_older_than_fifteen_minutes_no_longer_count(client, people):
    for n in range(10):
        attempt(client, "member@example.org", f"guess number {n}", ip="192.0.2.66")
    assert attempt(client, "member@example.org", PASSWORD, ip="192.0.2.66").status_code == 429
    db.session.execute(sa.update(LoginAttempt).values(at=utcnow() - timedelta(minutes=16)))
    db.session.commit()
    assert attempt(client, "member@example.org", PASSWORD, ip="192.0.2.66").status_code == 302


def test_failures_just_inside_the_window_still_count(client, people):
    for n in range(10):
        attempt(client, "member@example.org", f"guess number {n}", ip="192.0.2.66")
    db.session.execute(sa.update(LoginAttempt).values(at=utcnow() - timedelta(minutes=14)))
    db.session.commit()
    assert attempt(client, "member@example.org", PASSWORD, ip="192.0.2.66").status_code == 429


def test_a_successful_sign_in_is_not_counted_as_a_failure(client, people):
    for _n in range(12):
        assert attempt(client, "member@example.org", PASSWORD).status_code == 302
        client.submit("/logout", token_from="/")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt)) == 0


@pytest.fixture
def second_server(app):
    """Another app instance on the same database, as a second gunicorn worker would be."""
    other = another_app()
    yield other
    dispose(other)


def test_limit_holds_across_app_instances_because_it_lives_in_the_database(client, people, second_server):
    for n in range(10):
        attempt(client, "member@example.org", f"guess number {n}", ip=f"198.51.100.{n}")
    other_worker = client_of(second_server)
    response = attempt(other_worker, "member@example.org", PASSWORD, ip="203.0.113.9")
    assert response.status_code == 429


# --- where the person lands after signing in ------------------------------------------------

@pytest.mark.parametrize("target", [
    "//evil.example", "//evil.example/login", "https://evil.example", "http://evil.example/",
    "/\\evil.example", "\\\\evil.example", "javascript:alert(1)", "https:evil.example",
    "/\t/evil.example", "/\n/evil.example", " //evil.example", "people",
])
def test_next_parameter_cannot_send_the_person_off_the_site(client, people, target):
    from urllib.parse import quote

    response = attempt(client, "member@example.org", PASSWORD, next_=quote(target, safe=""))
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_parameter_leads_to_a_page_of_the_site(client, people):
    response = attempt(client, "member@example.org", PASSWORD, next_="/people%3Fq%3Dkc")
    assert response.headers["Location"] == "/people?q=kc"


def test_email_with_invisible_control_characters_is_refused_with_a_message(client, people):
    response = attempt(client, "member\x07@example.org", PASSWORD)
    assert response.status_code == 422
    assert b"Remove the invisible control characters." in response.data
    assert attempt(client, "member\x00@example.org", PASSWORD).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt)) == 0


def test_language_chosen_on_the_sign_in_page_stays_after_signing_in(client, people):
    client.submit("/language", {"locale": "cs", "next": "/login"}, token_from="/login")
    assert b'<html lang="cs">' in client.get("/login").data
    assert client.login(people[Role.MEMBER].email).status_code == 302
    assert b'<html lang="cs">' in client.get("/").data
