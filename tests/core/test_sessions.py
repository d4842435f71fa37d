"""Sessions are rows in the database: signing out, deactivation, a password change and the time
limits end them for real, even for a copied cookie."""
from datetime import timedelta

import sqlalchemy as sa

from council.auth.models import AuthSession, Person
from council.auth.roles import Role
from council.core.text import utcnow
from council.extensions import db
from tests.conftest import PASSWORD

COOKIE = "council_session"


def cookie_of(browser) -> str:
    return browser.get_cookie(COOKIE).value


def copy_of(browser, make_client):
    """A second browser holding a copy of ``browser``'s session cookie (a stolen cookie)."""
    thief = make_client()
    thief.set_cookie(COOKIE, cookie_of(browser))
    return thief


def is_signed_in(browser) -> bool:
    response = browser.get("/ping")
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    return False


def move_sessions_back(person: Person, **age) -> None:
    """Make the person's sessions look older: ``created=…`` and/or ``last_seen=…`` timedeltas."""
    values = {f"{key}_at": utcnow() - value for key, value in age.items()}
    db.session.execute(sa.update(AuthSession).where(AuthSession.person_id == person.id).values(**values))
    db.session.commit()


def test_signing_in_starts_a_new_session_and_the_old_cookie_grants_nothing(client, make_client, people):
    client.get("/login")
    before = cookie_of(client)
    assert client.login(people[Role.MEMBER].email).status_code == 302
    assert cookie_of(client) != before
    assert is_signed_in(client)

    old = make_client()
    old.set_cookie(COOKIE, before)
    assert not is_signed_in(old)


def test_each_sign_in_is_its_own_session(make_client, people):
    laptop, phone = make_client(), make_client()
    laptop.login(people[Role.MEMBER].email)
    phone.login(people[Role.MEMBER].email)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuthSession)) == 2
    laptop.submit("/logout")
    assert not is_signed_in(laptop)
    assert is_signed_in(phone)


def test_copied_cookie_stops_working_when_the_person_signs_out(signed_in, make_client):
    member = signed_in(Role.MEMBER)
    thief = copy_of(member, make_client)
    assert is_signed_in(thief)

    response = member.submit("/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert not is_signed_in(member)
    assert not is_signed_in(thief)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuthSession)) == 0


def test_sign_out_link_cannot_be_followed_with_get(signed_in):
    member = signed_in(Role.MEMBER)
    assert member.get("/logout").status_code == 405
    assert is_signed_in(member)


def test_sign_out_says_so(signed_in):
    member = signed_in(Role.MEMBER)
    page = member.submit("/logout", follow_redirects=True)
    assert b"You have signed out." in page.data


def test_deactivation_signs_the_person_out_everywhere_and_blocks_sign_in(signed_in, make_client, people):
    member = signed_in(Role.MEMBER)
    thief = copy_of(member, make_client)
    secretary = signed_in(Role.SECRETARY)

    response = secretary.submit(f"/people/{people[Role.MEMBER].id}/active", {"active": "0"})
    assert response.status_code == 302
    assert not is_signed_in(member)
    assert not is_signed_in(thief)
    assert make_client().login(people[Role.MEMBER].email).status_code == 401
    assert is_signed_in(secretary)


def test_password_change_ends_the_other_sessions_but_keeps_this_one(signed_in, make_client, people):
    laptop = signed_in(Role.MEMBER)
    phone = signed_in(Role.MEMBER)
    new_password = "a much better passphrase 2026"
    response = laptop.submit("/profile/password", {
        "current_password": PASSWORD, "password": new_password, "confirm": new_password,
    }, token_from="/profile/password")
    assert response.status_code == 302
    assert is_signed_in(laptop)
    assert not is_signed_in(phone)
    assert make_client().login(people[Role.MEMBER].email, PASSWORD).status_code == 401
    assert make_client().login(people[Role.MEMBER].email, new_password).status_code == 302


def test_session_ends_after_two_hours_without_activity(signed_in, people):
    member = signed_in(Role.MEMBER)
    move_sessions_back(people[Role.MEMBER], last_seen=timedelta(minutes=121))
    assert not is_signed_in(member)


def test_activity_keeps_the_session_alive(signed_in, people):
    member = signed_in(Role.MEMBER)
    move_sessions_back(people[Role.MEMBER], last_seen=timedelta(minutes=119))
    assert is_signed_in(member)
    last_seen = db.session.scalar(sa.select(AuthSession.last_seen_at))
    assert utcnow() - last_seen < timedelta(minutes=1)
    move_sessions_back(people[Role.MEMBER], last_seen=timedelta(minutes=119))
    assert is_signed_in(member)


def test_idle_limit_follows_the_setting(app, signed_in, people, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 5)
    member = signed_in(Role.MEMBER)
    move_sessions_back(people[Role.MEMBER], last_seen=timedelta(minutes=4))
    assert is_signed_in(member)
    move_sessions_back(people[Role.MEMBER], last_seen=timedelta(minutes=6))
    assert not is_signed_in(member)


def test_session_ends_twelve_hours_after_sign_in_even_when_active(signed_in, people):
    member = signed_in(Role.MEMBER)
    move_sessions_back(people[Role.MEMBER], created=timedelta(hours=11, minutes=59))
    assert is_signed_in(member)
    move_sessions_back(people[Role.MEMBER], created=timedelta(hours=12, minutes=1))
    assert not is_signed_in(member)


def test_form_sent_after_a_pause_is_saved(signed_in, people):
    """The session's "last seen" is refreshed at most once a minute; a save that does it must
    neither wait for its own database lock nor fail."""
    member = signed_in(Role.MEMBER)
    token = member.csrf_token("/profile")
    move_sessions_back(people[Role.MEMBER], last_seen=timedelta(minutes=5))
    response = member.post("/profile", data={
        "csrf_token": token, "name": "Marie Členová", "email": "member@example.org",
        "phone": "+420 777 123 456", "function": "", "locale": "", "version": "1",
    })
    assert response.status_code == 302
    assert db.session.get(Person, people[Role.MEMBER].id).phone == "+420 777 123 456"
    last_seen = db.session.scalar(sa.select(AuthSession.last_seen_at))
    assert utcnow() - last_seen < timedelta(minutes=1)


def test_failed_form_after_a_pause_keeps_the_person_signed_in(signed_in, people):
    member = signed_in(Role.MEMBER)
    token = member.csrf_token("/profile")
    move_sessions_back(people[Role.MEMBER], last_seen=timedelta(minutes=5))
    response = member.post("/profile", data={"csrf_token": token, "name": "", "version": "1"})
    assert response.status_code == 422
    assert is_signed_in(member)


def test_setting_a_password_by_link_signs_the_person_out_everywhere(signed_in, make_client, people):
    from council.auth import services

    member = signed_in(Role.MEMBER)
    token = services.create_set_password_link(people[Role.MEMBER], None)
    db.session.commit()
    stranger = make_client()
    new_password = "a much better passphrase 2026"
    response = stranger.submit(f"/set-password/{token}", {"password": new_password, "confirm": new_password},
                               token_from=f"/set-password/{token}")
    assert response.status_code == 302
    assert not is_signed_in(member)


def test_opening_someone_elses_link_while_signed_in_ends_that_session_for_real(signed_in, make_client, people):
    """Setting a password by link signs out whoever used the browser; their copied cookie too."""
    from council.auth import services

    secretary = signed_in(Role.SECRETARY)
    thief = copy_of(secretary, make_client)
    token = services.create_set_password_link(people[Role.MEMBER], None)
    db.session.commit()
    new_password = "a much better passphrase 2026"
    response = secretary.submit(f"/set-password/{token}", {"password": new_password, "confirm": new_password},
                                token_from=f"/set-password/{token}")
    assert response.status_code == 302
    assert not is_signed_in(secretary)
    assert not is_signed_in(thief)
