"""CSRF on every change, the security headers of every answer, cookies, safe Markdown."""
import html
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from council.auth.models import AuthSession, Person
from council.auth.roles import Role
from council.core.markdown import render_markdown
from council.extensions import db
from tests.auth.support import another_app, client_of, dispose
from tests.conftest import PASSWORD

EXPIRED_FORM = b"The form has expired or was sent from elsewhere."
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def person_count() -> int:
    db.session.commit()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Person))


# --- CSRF -------------------------------------------------------------------------------------

@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
def test_sign_out_without_the_token_is_refused(signed_in, htmx):
    member = signed_in(Role.MEMBER)
    headers = {"HX-Request": "true"} if htmx else None
    response = member.post("/logout", headers=headers)
    assert response.status_code == 400
    assert EXPIRED_FORM in response.data
    assert member.get("/ping").status_code == 200


def test_sign_out_with_the_token_in_the_htmx_header_works(signed_in):
    member = signed_in(Role.MEMBER)
    token = member.csrf_token("/")
    response = member.post("/logout", headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code in (200, 204, 302)
    assert member.get("/ping").status_code == 302


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
def test_profile_save_without_the_token_is_refused_and_nothing_changes(signed_in, people, htmx):
    member = signed_in(Role.MEMBER)
    headers = {"HX-Request": "true"} if htmx else None
    response = member.post("/profile", headers=headers, data={
        "name": "Forged Name", "email": "member@example.org", "phone": "", "function": "",
        "locale": "", "version": "1",
    })
    assert response.status_code == 400
    db.session.commit()
    assert db.session.get(Person, people[Role.MEMBER].id).name != "Forged Name"


def test_profile_save_with_the_token_in_the_htmx_header_works(signed_in, people):
    member = signed_in(Role.MEMBER)
    token = member.csrf_token("/profile")
    response = member.post("/profile", headers={"HX-Request": "true", "X-CSRFToken": token}, data={
        "name": "Marie Nová", "email": "member@example.org", "phone": "", "function": "",
        "locale": "", "version": "1",
    })
    assert response.status_code in (200, 204, 302)
    db.session.commit()
    assert db.session.get(Person, people[Role.MEMBER].id).name == "Marie Nová"


INVITE = {"name": "Nový Člen", "email": "novy@example.org", "organisation_id": "0", "role": "member",
          "function": "", "phone": ""}


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
def test_invitation_without_the_token_is_refused(signed_in, people, htmx):
    secretary = signed_in(Role.SECRETARY)
    before = person_count()
    response = secretary.post("/people/invite", data=INVITE, headers={"HX-Request": "true"} if htmx else None)
    assert response.status_code == 400
    assert person_count() == before


def test_invitation_with_the_token_in_the_htmx_header_works(signed_in, people):
    secretary = signed_in(Role.SECRETARY)
    token = secretary.csrf_token("/people/invite")
    before = person_count()
    response = secretary.post("/people/invite", data=INVITE, headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 200
    assert b"/set-password/" in response.data
    assert person_count() == before + 1


def test_token_of_another_session_is_refused(signed_in, people):
    member, other = signed_in(Role.MEMBER), signed_in(Role.FACILITATOR)
    foreign = other.csrf_token("/")
    assert member.post("/logout", data={"csrf_token": foreign}).status_code == 400
    assert member.post("/logout", headers={"X-CSRFToken": foreign}).status_code == 400
    assert member.get("/ping").status_code == 200


def test_made_up_token_is_refused(signed_in):
    member = signed_in(Role.MEMBER)
    assert member.post("/logout", data={"csrf_token": "made-up"}).status_code == 400


def test_sign_in_form_without_the_token_is_refused(client, people):
    response = client.post("/login", data={"email": people[Role.MEMBER].email, "password": PASSWORD})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuthSession)) == 0


def test_language_switch_without_the_token_is_refused(client):
    assert client.post("/language", data={"locale": "cs"}).status_code == 400


# --- headers ----------------------------------------------------------------------------------

def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.fixture
def answers(client, signed_in):
    """A sign-in page, a signed-in page, an htmx fragment, an error page and a static file."""
    member = signed_in(Role.MEMBER)
    result = {
        "sign-in page": client.get("/login"),
        "dashboard": member.get("/"),
        "htmx fragment": member.get("/people", headers={"HX-Request": "true", "HX-Target": "people-results"}),
        "not found": member.get("/no-such-page"),
        "forbidden": member.get("/audit/"),
        "health": client.get("/health"),
    }
    with client.get("/static/css/council.css") as static:
        result["static file"] = static
        yield result


def test_every_answer_has_a_strict_content_security_policy(answers):
    for name, response in answers.items():
        directives = csp_directives(response)
        assert directives["default-src"] == ["'self'"], name
        assert directives["frame-ancestors"] == ["'none'"], name
        assert directives["object-src"] == ["'none'"], name
        assert directives["base-uri"] == ["'none'"], name
        assert directives["form-action"] == ["'self'"], name
        policy = response.headers["Content-Security-Policy"]
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy, name
        assert "*" not in policy and "http:" not in policy and "https:" not in policy, name
        for directive in ("script-src", "style-src"):
            assert directives.get(directive, ["'self'"]) == ["'self'"], (name, directive)


def test_every_answer_forbids_sniffing_framing_and_leaking_the_address(answers):
    for name, response in answers.items():
        assert response.headers["X-Content-Type-Options"] == "nosniff", name
        assert response.headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin", "no-referrer"), name
        assert response.headers["X-Frame-Options"] == "DENY", name


def test_pages_are_not_cached_and_vary_with_htmx(answers):
    for name in ("sign-in page", "dashboard", "htmx fragment", "forbidden"):
        assert answers[name].headers["Cache-Control"] == "no-store", name
        assert "HX-Request" in answers[name].headers["Vary"], name


def test_no_hsts_without_https(answers):
    assert all("Strict-Transport-Security" not in response.headers for response in answers.values())


def test_session_cookie_without_https_is_httponly_and_samesite(client, people):
    response = client.login(people[Role.MEMBER].email)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("council_session=")
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert "httponly" in attributes
    assert "samesite=lax" in cookie.lower()


@pytest.fixture
def https_app(app):
    other = another_app(COUNCIL_HTTPS=True)
    yield other
    dispose(other)


def test_with_https_the_cookie_is_host_only_secure_and_hsts_is_sent(https_app, people):
    browser = client_of(https_app)
    page = browser.get("/login", base_url="https://localhost")
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    max_age = int(re.search(r"max-age=(\d+)", page.headers["Strict-Transport-Security"]).group(1))
    assert max_age >= 365 * 24 * 3600
    token = re.search(rb'name="csrf-token" content="([^"]+)"', page.data).group(1).decode()
    response = browser.post("/login", base_url="https://localhost",
                            headers={"Referer": "https://localhost/login"},
                            data={"email": people[Role.MEMBER].email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    name = cookie.split("=", 1)[0]
    attributes = [part.strip() for part in cookie.split(";")[1:]]
    lowered = {attribute.lower() for attribute in attributes}
    assert name == "__Host-council"
    assert "secure" in lowered
    assert "httponly" in lowered
    assert "samesite=lax" in lowered
    assert "path=/" in lowered
    assert not any(attribute.startswith("domain=") for attribute in lowered)
    assert browser.get("/ping", base_url="https://localhost").status_code == 200


def test_with_https_a_post_from_another_site_is_refused(https_app, people):
    browser = client_of(https_app)
    page = browser.get("/login", base_url="https://localhost")
    token = re.search(rb'name="csrf-token" content="([^"]+)"', page.data).group(1).decode()
    response = browser.post("/login", base_url="https://localhost",
                            headers={"Referer": "https://evil.example/login"},
                            data={"email": people[Role.MEMBER].email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 400


# --- templates keep to the CSP ------------------------------------------------------------------

def test_templates_have_no_inline_scripts_styles_or_event_handlers():
    offences = []
    patterns = {
        "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
        "style element": re.compile(r"<style\b", re.I),
        "style attribute": re.compile(r"\sstyle\s*=", re.I),
        "event handler": re.compile(r"\son[a-z]+\s*=", re.I),
        "hx-on": re.compile(r"\s(data-)?hx-on", re.I),
        "javascript: link": re.compile(r"javascript:", re.I),
        "external resource": re.compile(r"(src|href)=\"(https?:)?//", re.I),
    }
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert templates
    for template in templates:
        text = template.read_text()
        for what, pattern in patterns.items():
            if pattern.search(text):
                offences.append(f"{template.relative_to(TEMPLATES)}: {what}")
    assert not offences, "\n".join(offences)


# --- Markdown ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>",
    "Hello <script src=/x.js></script>",
    "<SCRIPT>alert(1)</SCRIPT>",
    "```html\n</code><script>alert(1)</script>\n```",
])
def test_markdown_never_outputs_a_script(text):
    assert "<script" not in str(render_markdown(text)).lower()


@pytest.mark.parametrize("text", [
    '<img src=x onerror="alert(1)">',
    '<a href="/" onclick="alert(1)">x</a>',
    '<p onmouseover="alert(1)">x</p>',
    '[x](/ "title" onclick=alert(1))',
])
def test_markdown_never_outputs_an_event_handler(text):
    html = str(render_markdown(text))
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", html, re.I), html


@pytest.mark.parametrize("text", [
    '<div hx-get="/logout" hx-trigger="load">x</div>',
    '<a data-hx-post="/logout" data-hx-trigger="load">x</a>',
    '<button hx-post="/people/1/active">x</button>',
])
def test_markdown_never_outputs_htmx_attributes(text):
    html = str(render_markdown(text))
    assert not re.search(r"<[^>]+\s(data-)?hx-", html, re.I), html


@pytest.mark.parametrize("text", [
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](jav&#x09;ascript:alert(1))",
    "<javascript:alert(1)>",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
])
def test_markdown_never_outputs_a_script_link(text):
    output = str(render_markdown(text))
    for href in re.findall(r'href="([^"]*)"', output):
        # What a browser would read as the scheme: entities decoded, tabs and newlines dropped.
        url = re.sub(r"[\x00-\x20]", "", html.unescape(href)).lower()
        assert not url.startswith(("javascript:", "vbscript:", "data:")), output


def test_markdown_keeps_ordinary_formatting_and_links():
    html = str(render_markdown("**Porada** v _pátek_\n\n- jedna\n- dvě\n\n[web](https://example.org)"))
    assert "<strong>Porada</strong>" in html
    assert "<em>pátek</em>" in html
    assert "<li>jedna</li>" in html
    assert '<a href="https://example.org"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_markdown_of_nothing_is_nothing():
    assert str(render_markdown(None)) == "" and str(render_markdown("")) == ""


# --- errors -----------------------------------------------------------------------------------

@pytest.fixture
def app_with_a_refused_value(app):
    """An app with one extra page whose value the database refuses, as PostgreSQL refuses NUL."""
    from sqlalchemy.exc import DataError

    from council.security import public

    other = another_app()

    @other.post("/refused-value")
    @public
    def refused_value():
        db.session.add(Person(name="Half Saved", email="half@example.org"))
        db.session.flush()
        raise DataError("INSERT ...", {}, ValueError("text fields cannot contain NUL (0x00) bytes"))

    yield other
    dispose(other)


def test_a_value_the_database_refuses_is_a_bad_request_and_nothing_is_saved(app_with_a_refused_value, app_context):
    browser = client_of(app_with_a_refused_value)
    token = browser.csrf_token("/login")
    response = browser.post("/refused-value", data={"csrf_token": token})
    assert response.status_code == 400
    assert b"The request could not be understood" in response.data
    assert person_count() == 0
