"""The command-line tools a secretary or administrator runs on the server."""
import sqlite3

import pytest
import sqlalchemy as sa

from council.auth import services as auth_services
from council.auth.models import Person
from council.extensions import db
from tests.conftest import create_organisation


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def test_create_user_generates_and_prints_a_password_once(app, runner):
    result = runner.invoke(args=["create-user", "--email", "Jana@Example.org", "--name", "Jana",
                                 "--role", "secretary"])
    assert result.exit_code == 0, result.output
    password = result.output.split("Password (shown only now): ")[1].strip()
    with app.app_context():
        person = db.session.scalar(sa.select(Person).where(Person.email == "jana@example.org"))
        assert person.role == "secretary"
        assert auth_services.check_password(person, password)


def test_create_user_reads_the_password_from_stdin_and_joins_an_organisation(app, runner):
    with app.app_context():
        create_organisation(name="Kontaktní centrum Most", short_name="KC Most")
    result = runner.invoke(
        args=["create-user", "--email", "m@example.org", "--name", "Marie", "--organisation",
              "KC Most", "--password-stdin"],
        input="a long enough passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert "Password" not in result.output
    with app.app_context():
        person = db.session.scalar(sa.select(Person).where(Person.email == "m@example.org"))
        assert person.organisation.short_name == "KC Most"
        assert auth_services.check_password(person, "a long enough passphrase")


@pytest.mark.parametrize(
    ("extra", "stdin", "message"),
    [
        (["--organisation", "Nowhere"], None, "No organisation called"),
        (["--password-stdin"], "short\n", "at least 10"),
        (["--role", "emperor"], None, "Invalid value"),
    ],
)
def test_create_user_refuses_bad_input_clearly(app, runner, extra, stdin, message):
    result = runner.invoke(args=["create-user", "--email", "x@example.org", "--name", "X", *extra],
                           input=stdin)
    assert result.exit_code != 0
    assert message in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == 0


def test_create_user_refuses_an_existing_email(app, runner):
    assert runner.invoke(args=["create-user", "--email", "x@example.org", "--name", "X"]).exit_code == 0
    again = runner.invoke(args=["create-user", "--email", "X@example.org", "--name", "Y"])
    assert again.exit_code != 0
    assert "already has an account" in again.output


def test_demo_data_loads_a_council_once_and_prints_the_logins(app, runner):
    first = runner.invoke(args=["demo-data"])
    assert first.exit_code == 0, first.output
    assert "sekretarka@demo.example" in first.output
    with app.app_context():
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Person))
    assert count >= 20
    second = runner.invoke(args=["demo-data"])
    assert "not loaded again" in second.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == count


def test_demo_data_refuses_production(app, runner):
    app.config["COUNCIL_ENV"] = "production"
    try:
        result = runner.invoke(args=["demo-data"])
    finally:
        app.config["COUNCIL_ENV"] = "testing"
    assert result.exit_code != 0
    assert "never created in production" in result.output


def test_backup_copies_the_sqlite_database_while_it_is_open(app, runner, tmp_path):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the backup command copies SQLite; PostgreSQL uses pg_dump")
        create_organisation(name="Zálohovaná organizace")
        # Hold a read transaction open, as a serving worker would.
        db.session.execute(sa.text("SELECT 1"))
        target = tmp_path / "copy.db"
        result = runner.invoke(args=["backup", str(target)])
        db.session.rollback()
    assert result.exit_code == 0, result.output
    names = [row[0] for row in sqlite3.connect(target).execute("SELECT name FROM organisation")]
    assert names == ["Zálohovaná organizace"]
    again = runner.invoke(args=["backup", str(target)])
    assert again.exit_code != 0 and "exists" in again.output
