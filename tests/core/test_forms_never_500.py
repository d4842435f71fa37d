"""Whatever a person (or a script) sends to any form, the answer is never a 500, and a refused
form leaves the database exactly as it was.

For every POST endpoint of the app and every role, hypothesis sends random field names and
values — the real form's fields plus made-up ones, unicode, control characters, huge text,
numbers as text, missing fields, files — always with a valid CSRF token, so that the request
gets past CSRF into the view.
"""
# ruff: noqa: F811 - `rows`, a fixture imported from tests.auth.support, is a test argument here
import io
import re

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings, strategies as st

from council.auth import services as auth_services
from council.auth.models import LoginAttempt, Person
from council.auth.roles import ROLE_PERMISSIONS, Role
from council.extensions import db
from tests.auth.support import rows, url_of  # noqa: F401 - rows is a fixture
from tests.conftest import PASSWORD

MAX_EXAMPLES = 25
ANONYMOUS = "anonymous"


def _post_endpoints() -> list[str]:
    """Every endpoint that takes a POST, from the URL map of an app built only to read it."""
    from tests.auth.support import another_app

    application = another_app(SQLALCHEMY_DATABASE_URI="sqlite://")
    return sorted({rule.endpoint for rule in application.url_map.iter_rules() if "POST" in rule.methods})


POST_ENDPOINTS = _post_endpoints()
# Fields that forms carry only on other pages (hidden fields of buttons and previews).
EXTRA_NAMES = ["active", "locale", "next", "kind", "csv_text", "filename", "version", "q"]
KNOWN_VALUES = [
    "", "0", "1", "-1", "2", "999999999999999999999", "1e309", "NaN", "true", "on", "admin", "secretary",
    "member", "guest", "facilitator", "en", "cs", "uk", "organisations", "people", "localities", "sectors",
    "someone@example.org", "member@example.org", "Secretary@Example.org", "https://example.org", PASSWORD,
    "violet kettle marathon", "/", "//evil.example", "2026-11-23", "23.11.2026", "10:00",
]


def _text():
    control = st.characters(min_codepoint=0, max_codepoint=31)
    return st.one_of(
        st.text(max_size=40),
        st.text(st.characters(codec="utf-8"), max_size=300),
        st.text(control, min_size=1, max_size=5),
        st.builds(lambda ch, n: ch * n, st.characters(codec="utf-8"), st.integers(250, 20_000)),
        st.integers().map(str),
        st.floats(allow_nan=True).map(str),
        st.sampled_from(KNOWN_VALUES),
        st.builds(lambda a, b: f"{a}\x00{b}", st.text(max_size=5), st.text(max_size=5)),
    )


def _csv():
    try:
        from council.directory import transfer

        headers = [[column.name for column in columns] for columns in transfer.COLUMNS.values()]
    except (ImportError, AttributeError):
        headers = [["name"]]
    cell = st.one_of(st.sampled_from(KNOWN_VALUES), st.text(max_size=30))
    return st.builds(
        lambda header, body, delimiter: "\r\n".join(
            delimiter.join(row) for row in [header, *[r[: len(header)] for r in body]]),
        st.sampled_from(headers),
        st.lists(st.lists(cell, min_size=1, max_size=12), max_size=6),
        st.sampled_from([";", ",", "\t"]),
    )


def _file():
    content = st.one_of(
        _csv().map(lambda text: text.encode("utf-8")),
        _csv().map(lambda text: text.encode("cp1250", errors="replace")),
        st.binary(max_size=2000),
    )
    return st.builds(lambda data, name: (io.BytesIO(data), name), content,
                     st.sampled_from(["people.csv", "x.txt", "evil.exe", "../../etc/passwd.csv", ""]))


def _payloads(field_names: list[str], file_names: list[str]):
    value = st.one_of(_text(), st.lists(_text(), min_size=2, max_size=3))
    real = st.dictionaries(st.sampled_from(field_names), value, max_size=len(field_names)) \
        if field_names else st.just({})
    made_up = st.dictionaries(st.text(min_size=1, max_size=12), _text(), max_size=3)
    csv_text = st.one_of(st.just({}), _csv().map(lambda text: {"csv_text": text}))
    files = st.dictionaries(st.sampled_from(file_names), _file(), max_size=1) if file_names else st.just({})
    return st.builds(lambda *parts: {k: v for part in parts for k, v in part.items()},
                     made_up, real, csv_text, files)


def _field_names(page) -> tuple[list[str], list[str]]:
    """The names of the inputs of a page, and which of them take files."""
    names, files = set(), set()
    for tag in re.findall(rb"<(?:input|select|textarea)\b[^>]*>", page.data):
        name = re.search(rb'\bname="([^"]+)"', tag)
        if not name:
            continue
        names.add(name.group(1).decode())
        if re.search(rb'\btype="file"', tag):
            files.add(name.group(1).decode())
    names.discard("csrf_token")
    return sorted(names - files), sorted(files)


_COUNTS = None


def _row_counts() -> dict[str, int]:
    global _COUNTS
    if _COUNTS is None:
        tables = db.metadata.sorted_tables
        _COUNTS = sa.select(*[sa.select(sa.func.count()).select_from(t).scalar_subquery().label(t.name)
                              for t in tables])
    db.session.commit()
    counts = db.session.execute(_COUNTS).one()
    db.session.commit()
    return counts._asdict()


def _sign_in_again(browser, person: Person, role: Role) -> None:
    """Undo what the random posts did to the signed-in person, and sign in again."""
    person = db.session.get(Person, person.id)
    person.active, person.role = True, role.value
    auth_services.set_password(person, PASSWORD)
    db.session.execute(sa.delete(LoginAttempt))
    db.session.commit()
    assert browser.login(person.email).status_code == 302


def _fields_of(admin, rule, path) -> tuple[list[str], list[str]]:
    names, file_names = [], []
    if "GET" in rule.methods:
        names, file_names = _field_names(admin.get(path))
    return sorted(set(names) | set(EXTRA_NAMES)), file_names


@pytest.mark.parametrize("endpoint", POST_ENDPOINTS)
def test_no_form_answers_500_or_half_saves(app, make_client, people, rows, endpoint):
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and "POST" in r.methods)
    view = app.view_functions[endpoint]
    path = url_of(rule, rows)
    admin = make_client()
    admin.login(people[Role.ADMIN].email)
    names, file_names = _fields_of(admin, rule, path)
    roles = [*Role, *([ANONYMOUS] if getattr(view, "is_public", False) else [])]
    for role in roles:
        _fuzz(endpoint, path, role, people.get(role), make_client, names, file_names,
              _examples_for(view, role))


def _examples_for(view, role) -> int:
    """Refused roles never reach the form (the permission is checked first): a few tries do."""
    permission = getattr(view, "required_permission", None)
    if permission is not None and (role == ANONYMOUS or permission not in ROLE_PERMISSIONS[role]):
        return 5
    return MAX_EXAMPLES


def _fuzz(endpoint, path, role, person, make_client, names, file_names, examples):
    state = {"browser": make_client(), "signed_out": True}

    @settings(max_examples=examples, deadline=None, database=None, print_blob=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.function_scoped_fixture])
    @given(payload=_payloads(names, file_names), htmx=st.booleans())
    def posting(payload, htmx):
        if person is None:
            # Every try is a new visitor (a try may have signed in), under the sign-in limit.
            state["browser"] = make_client()
            state["token"] = state["browser"].csrf_token("/login")
            db.session.execute(sa.delete(LoginAttempt))
        elif state["signed_out"]:
            _sign_in_again(state["browser"], person, role)
            state["token"] = state["browser"].csrf_token("/")
            state["signed_out"] = False
        headers = {"HX-Request": "true", "HX-Target": "main"} if htmx else {}
        before = _row_counts()
        response = state["browser"].post(path, data={**payload, "csrf_token": state["token"]}, headers=headers)
        after = _row_counts()
        if response.status_code == 401 or response.headers.get("Location", "").startswith("/login"):
            state["signed_out"] = True  # e.g. signed out, or a password set by link

        context = f"{role} got {response.status_code} from {endpoint} for {payload!r}"
        assert response.status_code < 500, context
        if 400 <= response.status_code < 500:
            changed = {name: (before[name], after[name]) for name in before if before[name] != after[name]}
            if endpoint == "auth.login" and response.status_code == 401:
                # A failed sign-in is itself recorded: counted for the limit and in the audit log.
                assert changed == {"login_attempt": (before["login_attempt"], before["login_attempt"] + 1),
                                   "audit_entry": (before["audit_entry"], before["audit_entry"] + 1)}, context
            else:
                assert not changed, f"rows changed {changed}: {context}"

    posting()
