"""Deny by default: every page needs a signed-in person unless it is deliberately public, and a
page that names a permission refuses every role without it."""
# ruff: noqa: F811 - `rows`, a fixture imported from tests.auth.support, is a test argument here
import pytest

from council.auth.roles import ROLE_PERMISSIONS, Role
from tests.auth.support import methods_of, rows, url_of  # noqa: F401 - rows is a fixture
from tests.conftest import PASSWORD

PUBLIC_ENDPOINTS = {
    "auth.login", "auth.set_password", "core.health", "core.set_language", "static",
    # A calendar application cannot sign in: the secret token in the address is the key.
    "meetings.calendar_feed",
}


def _public(app) -> set[str]:
    marked = {endpoint for endpoint, view in app.view_functions.items() if getattr(view, "is_public", False)}
    return marked | {"static"}


def _protected_rules(app):
    public = _public(app)
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint not in public]


def _permission_rules(app):
    return [
        (rule, app.view_functions[rule.endpoint].required_permission)
        for rule in app.url_map.iter_rules()
        if hasattr(app.view_functions[rule.endpoint], "required_permission")
    ]


def _request(client, method: str, path: str, token: str, headers=None):
    if method == "GET":
        return client.get(path, headers=headers)
    return client.open(path, method=method, data={"csrf_token": token}, headers=headers)


def test_only_the_known_pages_are_public(app):
    # Adding a public page must be a deliberate act: extend this set in the same change.
    assert _public(app) == PUBLIC_ENDPOINTS


def test_calendar_feed_without_its_secret_gives_nothing(client, people):
    assert client.get("/meetings/calendar/made-up-token.ics").status_code == 404
    assert client.get("/meetings/calendar/.ics").status_code == 404


def test_there_are_protected_pages_to_check(app):
    endpoints = {rule.endpoint for rule in _protected_rules(app)}
    assert {"core.dashboard", "auth.profile", "auth.logout", "directory.people", "audit.log"} <= endpoints


def test_anonymous_visitor_is_sent_to_sign_in_from_every_protected_page(app, client, rows):
    token = client.csrf_token("/login")
    wrong = []
    for rule in _protected_rules(app):
        path = url_of(rule, rows)
        for method in methods_of(rule):
            response = _request(client, method, path, token)
            location = response.headers.get("Location", "")
            if response.status_code != 302 or not location.startswith("/login"):
                wrong.append(f"{method} {path} ({rule.endpoint}): {response.status_code} {location}")
    assert not wrong, "reachable without signing in:\n" + "\n".join(wrong)


def test_anonymous_htmx_request_gets_401_with_a_redirect_to_sign_in(app, client, rows):
    token = client.csrf_token("/login")
    wrong = []
    for rule in _protected_rules(app):
        path = url_of(rule, rows)
        for method in methods_of(rule):
            response = _request(client, method, path, token, headers={"HX-Request": "true"})
            redirect_to = response.headers.get("HX-Redirect", "")
            if response.status_code != 401 or not redirect_to.startswith("/login"):
                wrong.append(f"{method} {path} ({rule.endpoint}): {response.status_code} {redirect_to}")
    assert not wrong, "htmx reached a protected page without signing in:\n" + "\n".join(wrong)


def test_after_signing_in_the_person_lands_on_the_page_asked_for(client, people):
    login_page = client.get("/people?q=nov%C3%A1k").headers["Location"]
    token = client.csrf_token(login_page)
    response = client.post(login_page, data={"email": people[Role.MEMBER].email,
                                             "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/people?q=nov%C3%A1k"


def test_public_pages_open_without_signing_in(client, rows):
    assert client.get("/login").status_code == 200
    assert client.get("/health").status_code == 200
    assert client.get(f"/set-password/{rows['token']}").status_code == 200
    with client.get("/static/css/council.css") as stylesheet:
        assert stylesheet.status_code == 200
    response = client.submit("/language", {"locale": "cs", "next": "/login"}, token_from="/login")
    assert response.status_code == 302


def test_permission_checks_cover_the_foundations_pages(app):
    endpoints = {rule.endpoint for rule, _permission in _permission_rules(app)}
    assert {
        "auth.profile", "auth.change_password", "auth.invite", "auth.reset_link", "auth.set_active",
        "directory.organisations", "directory.organisation_new", "directory.person_edit",
        "directory.lists", "directory.import_csv", "directory.export_people", "audit.log",
    } <= endpoints


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_role_is_refused_every_page_its_role_does_not_allow(app, signed_in, rows, role):
    browser = signed_in(role)
    token = browser.csrf_token("/")
    wrong = []
    for rule, permission in _permission_rules(app):
        if permission in ROLE_PERMISSIONS[role]:
            continue
        path = url_of(rule, rows)
        for method in methods_of(rule):
            response = _request(browser, method, path, token)
            if response.status_code != 403:
                wrong.append(f"{method} {path} needs {permission}: {response.status_code}")
            htmx = _request(browser, method, path, token, headers={"HX-Request": "true"})
            if htmx.status_code != 403:
                wrong.append(f"htmx {method} {path} needs {permission}: {htmx.status_code}")
    assert not wrong, f"{role} got past a permission check:\n" + "\n".join(wrong)
    assert browser.get("/ping").status_code == 200, "the refusals must not sign the person out"


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_role_reaches_every_page_its_role_allows(app, signed_in, rows, role):
    browser = signed_in(role)
    token = browser.csrf_token("/")
    wrong = []
    for rule, permission in _permission_rules(app):
        if permission not in ROLE_PERMISSIONS[role]:
            continue
        path = url_of(rule, rows)
        for method in methods_of(rule):
            response = _request(browser, method, path, token)
            if response.status_code == 403 or response.status_code >= 500:
                wrong.append(f"{method} {path} ({permission}): {response.status_code}")
    assert not wrong, f"{role} was refused a page its role allows:\n" + "\n".join(wrong)


def test_guest_sees_own_record_but_not_someone_elses(signed_in, people, rows):
    guest = signed_in(Role.GUEST)
    assert guest.get(f"/people/{people[Role.GUEST].id}").status_code == 200
    assert guest.get(f"/people/{rows['person_id']}").status_code == 403


def test_member_sees_other_peoples_records(signed_in, rows):
    assert signed_in(Role.MEMBER).get(f"/people/{rows['person_id']}").status_code == 200
