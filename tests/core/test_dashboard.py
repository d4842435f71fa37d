"""The dashboard: a column of panels, each shown to those whose role lets them use it."""
import html

import pytest

from council.auth.roles import Role
from council.extensions import db
from tests.conftest import create_organisation, create_person
from tests.helpers import see_saved


def dashboard_of(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("role", list(Role))
def test_everyone_sees_their_own_panel(signed_in, people, role):
    page = dashboard_of(signed_in(role))
    person = people[role]
    assert f"Hello, {person.name}" in page
    assert "My details" in page
    assert f"{person.name} · {role.label}" in page
    assert 'href="/profile"' in page


def test_own_panel_names_the_organisation(signed_in, people):
    assert "Město Vzorov" in dashboard_of(signed_in(Role.MEMBER))


@pytest.mark.parametrize("role", [Role.SECRETARY, Role.ADMIN])
def test_secretariat_sees_the_directory_panel_with_counts(signed_in, people, role):
    centre = create_organisation(name="Kontaktní centrum Vzorov")
    create_organisation(name="Zrušená poradna", active=False)  # archived: not counted
    create_person("pozvana@example.org", name="Pozvaná", organisation=centre, password=None)
    create_person("pozvany@example.org", name="Pozvaný", organisation=centre, password=None)
    create_person("odesly@example.org", name="Odešlý", organisation=centre, password=None, active=False)

    page = dashboard_of(signed_in(role))
    assert "Directory" in page
    assert "2 organisations · 7 active people" in page  # the five roles and two invited
    assert "2 people have not set a password yet." in page
    assert 'href="/people/invite"' in page
    assert 'href="/organisations/new"' in page


def test_one_person_without_password_is_counted_in_the_singular(signed_in, people):
    create_person("pozvana@example.org", name="Pozvaná", password=None)
    page = dashboard_of(signed_in(Role.SECRETARY))
    assert "1 organisation · 6 active people" in page
    assert "1 person has not set a password yet." in page


def test_no_password_reminder_when_everyone_has_signed_up(signed_in, people):
    page = dashboard_of(signed_in(Role.SECRETARY))
    assert "5 active people" in page
    assert "not set a password yet" not in page


def test_counts_follow_changes(signed_in, people):
    secretary = signed_in(Role.SECRETARY)
    assert "1 organisation · 5 active people" in dashboard_of(secretary)
    see_saved()
    create_organisation(name="Kontaktní centrum Vzorov")
    assert "2 organisations · 5 active people" in dashboard_of(secretary)


@pytest.mark.parametrize("role", [Role.MEMBER, Role.FACILITATOR, Role.GUEST])
def test_others_do_not_see_the_secretarys_panel(signed_in, people, role):
    create_person("pozvana@example.org", name="Pozvaná", password=None)
    page = dashboard_of(signed_in(role))
    assert "not set a password yet" not in page
    assert "active people" not in page
    assert 'href="/people/invite"' not in page
    assert 'href="/organisations/new"' not in page


@pytest.mark.parametrize("role", [Role.MEMBER, Role.FACILITATOR])
def test_members_get_a_way_into_the_directory(signed_in, people, role):
    page = dashboard_of(signed_in(role))
    assert "Find an organisation or service" in page
    assert 'href="/organisations"' in page
    assert 'href="/people"' in page


def test_guest_sees_no_directory_links(signed_in, people):
    page = dashboard_of(signed_in(Role.GUEST))
    assert "Hello, Guest" in page
    assert "Find an organisation or service" not in page
    for path in ('href="/organisations', 'href="/people', 'href="/lists', 'href="/directory'):
        assert path not in page


def test_signed_out_visitor_is_sent_to_sign_in(client, people):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_deactivated_person_cannot_see_the_dashboard(signed_in, people):
    member = signed_in(Role.MEMBER)
    see_saved()
    people[Role.MEMBER].active = False
    db.session.commit()
    assert member.get("/").status_code == 302
