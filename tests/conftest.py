"""Shared fixtures: an app on a real database (SQLite file, or PostgreSQL via DATABASE_URL),
clients that sign in like a person does, factories for people and organisations."""
import contextvars
import os
import re
import tempfile
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from flask import has_app_context
from flask.testing import FlaskClient

_TMP = tempfile.mkdtemp(prefix="council-tests-")
os.environ.setdefault("COUNCIL_INSTANCE_PATH", _TMP)

from council import create_app  # noqa: E402
from council.auth import services as auth_services  # noqa: E402
from council.auth.models import Person  # noqa: E402
from council.auth.roles import Role  # noqa: E402
from council.config import TestConfig  # noqa: E402
from council.directory.models import Locality, Organisation, Sector, Service  # noqa: E402
from council.extensions import db  # noqa: E402

PASSWORD = "correct horse battery staple"


def test_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql")):
        from council.config import database_url

        return database_url(_TMP)
    return "sqlite:///" + os.path.join(_TMP, "test.db")


def _reset_schema(app) -> None:
    """Drop whatever is there and build the schema with the migrations, as production does."""
    from flask_migrate import upgrade

    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()


def _config_dict(config) -> dict:
    return {key: getattr(config, key) for key in dir(config) if key.isupper()}


@pytest.fixture(scope="session")
def app():
    application = create_app({**_config_dict(TestConfig), "SQLALCHEMY_DATABASE_URI": test_database_url()})
    _reset_schema(application)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


QUICK_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch):
    """Argon2id at a small cost: tests sign in hundreds of times (one test checks the real cost)."""
    monkeypatch.setattr(auth_services, "_hasher", QUICK_HASHER)
    monkeypatch.setattr(auth_services, "_DUMMY_HASH", QUICK_HASHER.hash("nobody's password"))


@pytest.fixture(autouse=True)
def clean_database(request):
    """Every test starts with the migrated, empty schema (seeded lists only)."""
    yield
    if "app" not in request.fixturenames:
        return
    application = request.getfixturevalue("app")
    with application.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                if "code" in table.c:  # managed lists keep the entries the migrations seed
                    connection.execute(table.delete().where(table.c.code.is_(None)))
                    connection.execute(table.update().values(active=True))
                else:
                    connection.execute(table.delete())


@pytest.fixture
def app_context(app):
    with app.app_context():
        yield
        db.session.remove()


class CouncilClient(FlaskClient):
    """A test client that signs in through the login form and sends CSRF tokens like a browser."""

    def open(self, *args, **kwargs):
        # Serve each request in a fresh context, as a server would. Otherwise a request made
        # while the test holds an app context reuses it, and with it `g` (where Flask-Login,
        # Flask-WTF and Flask-Babel cache the person, the CSRF token and the locale) and the
        # test's own database session and transaction.
        # The test's own transaction ends first, so that the request never waits on it and the
        # test, reading afterwards, sees what the request saved.
        if has_app_context():
            db.session.commit()
        return contextvars.Context().run(super().open, *args, **kwargs)

    def csrf_token(self, path: str = "/login") -> str:
        page = self.get(path)
        match = re.search(rb'name="csrf-token" content="([^"]+)"', page.data)
        assert match, f"no CSRF token on {path} ({page.status_code})"
        return match.group(1).decode()

    def login(self, email: str, password: str = PASSWORD):
        token = self.csrf_token("/login")
        return self.post("/login", data={"email": email, "password": password, "csrf_token": token})

    def submit(self, path: str, data: dict | None = None, *, token_from: str = "/",
               headers: dict | None = None, **kwargs):
        """POST like a form on a page: with the CSRF token of the current session."""
        payload = dict(data or {})
        payload.setdefault("csrf_token", self.csrf_token(token_from))
        return self.post(path, data=payload, headers=headers, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = CouncilClient
    return app.test_client()


@pytest.fixture
def make_client(app):
    app.test_client_class = CouncilClient

    def factory():
        return app.test_client()

    return factory


# --- factories -------------------------------------------------------------------------------

def sector(code: str) -> Sector:
    return db.session.scalar(sa.select(Sector).where(Sector.code == code))


def create_organisation(name="Kontaktní centrum", short_name="KC", sector_code="addiction_services",
                        localities=(), services=(), **fields) -> Organisation:
    organisation = Organisation(name=name, short_name=short_name, sector=sector(sector_code), **fields)
    for locality_name in localities:
        locality = db.session.scalar(sa.select(Locality).where(Locality.name == locality_name))
        organisation.localities.append(locality or Locality(name=locality_name))
    for service_name in services:
        organisation.services.append(Service(name=service_name))
    organisation.refresh_search_text()
    db.session.add(organisation)
    db.session.commit()
    return organisation


def create_person(email="member@example.org", role=Role.MEMBER, name=None, organisation=None,
                  password=PASSWORD, active=True, **fields) -> Person:
    person = Person(name=name or email.split("@")[0].title(), email=email, role=Role(role).value,
                    organisation=organisation, active=active, **fields)
    if password:
        auth_services.set_password(person, password)
    person.refresh_search_text()
    db.session.add(person)
    db.session.commit()
    return person


@pytest.fixture
def people(app_context):
    """One person of every role, all with the password ``PASSWORD``."""
    organisation = create_organisation(name="Město Vzorov", short_name="MV", sector_code="municipality")
    return {
        role: create_person(f"{role.value}@example.org", role=role,
                            organisation=None if role is Role.GUEST else organisation)
        for role in Role
    }


@pytest.fixture
def signed_in(make_client, people):
    """``signed_in(Role.MEMBER)`` gives a client signed in as the person with that role."""

    def factory(role: Role) -> CouncilClient:
        c = make_client()
        response = c.login(people[role].email)
        assert response.status_code == 302, response.data[:500]
        return c

    return factory


@contextmanager
def count_queries():
    """Counts the SQL statements sent while the block runs: ``with count_queries() as q: ...``."""
    statements: list[str] = []

    def before_cursor_execute(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before_cursor_execute)
