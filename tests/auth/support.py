"""Helpers for the security tests: real rows behind every URL parameter, other app instances."""
import importlib
import re
from pathlib import Path

import pytest

from council.extensions import db
from tests.conftest import CouncilClient

# --- real rows behind every URL parameter --------------------------------------------------

@pytest.fixture
def rows(app_context):
    """An organisation with a service and a locality, a person to act on, a set-password link:
    the ids that fill the URL parameters of the foundation's routes."""
    from council.auth import services as auth_services
    from tests.conftest import create_organisation, create_person

    organisation = create_organisation(name="Terénní program Vzorov", short_name="TP",
                                       localities=["Vzorov-sever"], services=["Výměna jehel"])
    target = create_person("target@example.org", name="Tereza Cílová", organisation=organisation,
                           password=None)
    token = auth_services.create_set_password_link(target, None)
    db.session.commit()
    values = {
        "organisation_id": organisation.id,
        "service_id": organisation.services[0].id,
        "person_id": target.id,
        "entry_id": organisation.localities[0].id,
        "kind": "localities",
        "token": token,
    }
    # Other capabilities fill their own URL parameters: a ``url_rows(values) -> dict`` in
    # tests/<capability>/factories.py creates the rows and returns their ids.
    for factories in sorted(Path(__file__).resolve().parents[1].glob("*/factories.py")):
        module = importlib.import_module(f"tests.{factories.parent.name}.factories")
        if hasattr(module, "url_rows"):
            values.update(module.url_rows(dict(values)))
            db.session.commit()
    return values


# Parameters whose value depends on the route rather than on a row.
ROUTE_VALUES = {
    "directory.import_example": {"kind": "organisations"},
}


def url_of(rule, rows: dict) -> str:
    """The path of ``rule`` with its parameters filled from ``rows``; an id the test has no row
    for becomes 1 (the permission and login checks come before any loading)."""
    values = {}
    for argument in rule.arguments:
        if argument in ROUTE_VALUES.get(rule.endpoint, {}):
            values[argument] = ROUTE_VALUES[rule.endpoint][argument]
        elif argument in rows:
            values[argument] = rows[argument]
        elif argument == "filename":
            values[argument] = "css/council.css"
        elif re.search(rf"<int:{argument}>", rule.rule):
            values[argument] = 1
        else:
            values[argument] = "x"
    _domain, path = rule.build(values, append_unknown=False)
    return path


def methods_of(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def another_app(**settings):
    """A second app instance on the test database (a second worker, or other settings)."""
    from council import create_app
    from council.config import TestConfig
    from tests import conftest

    return create_app({**conftest._config_dict(TestConfig),
                       "SQLALCHEMY_DATABASE_URI": conftest.test_database_url(), **settings})


def dispose(application) -> None:
    with application.app_context():
        db.engine.dispose()


def client_of(application) -> CouncilClient:
    """A browser for another app instance (the ``client`` fixture serves the tests' own app)."""
    return CouncilClient(application, application.response_class, use_cookies=True)
