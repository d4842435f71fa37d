"""Command-line tools: ``flask --app council create-user | demo-data | backup``."""
import secrets
import sqlite3
import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from council.auth import services as auth_services
from council.auth.models import Person
from council.auth.roles import Role
from council.extensions import db


def init_app(app) -> None:
    app.cli.add_command(create_user)
    app.cli.add_command(demo_data)
    app.cli.add_command(backup)


@click.command("create-user")
@with_appcontext
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.MEMBER.value,
              show_default=True)
@click.option("--organisation", default="", help="Name or short name of an existing organisation.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(email, name, role, organisation, password_stdin):
    """Create an account; without --password-stdin a password is generated and printed once."""
    from council.directory.models import Organisation

    email = auth_services.normalise_email(email)
    if db.session.scalar(sa.select(Person.id).where(Person.email == email)):
        raise click.ClickException(f"{email} already has an account.")
    organisation_id = None
    if organisation:
        organisation_id = db.session.scalar(
            sa.select(Organisation.id).where(
                sa.or_(Organisation.name == organisation, Organisation.short_name == organisation)
            )
        )
        if organisation_id is None:
            raise click.ClickException(f"No organisation called {organisation!r}.")
    generated = not password_stdin
    password = secrets.token_urlsafe(15) if generated else sys.stdin.readline().rstrip("\n")
    person = Person(name=name.strip(), email=email, role=role, organisation_id=organisation_id)
    problem = auth_services.password_problem(password, person)
    if problem:
        raise click.ClickException(str(problem))
    auth_services.set_password(person, password)
    person.refresh_search_text()
    db.session.add(person)
    db.session.commit()
    click.echo(f"Created {role} {email}.")
    if generated:
        click.echo(f"Password (shown only now): {password}")


@click.command("demo-data")
@with_appcontext
@click.option("--force", is_flag=True, help="Load even if the database already has people.")
def demo_data(force):
    """Load the fictional demo council (Czech) with its demo logins."""
    from council.core import demo

    if current_app.config["COUNCIL_ENV"] == "production":
        raise click.ClickException("Demo accounts are never created in production.")
    if not force and db.session.scalar(sa.select(sa.func.count()).select_from(Person)):
        click.echo("The database already has people; demo data not loaded again.")
    else:
        demo.load()
        click.echo("Demo council loaded.")
    click.echo(demo.logins_text())


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def backup(path):
    """Copy the SQLite database consistently while the app keeps serving."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise click.ClickException("backup copies SQLite; for PostgreSQL use pg_dump (see README).")
    target = Path(path)
    if target.exists():
        raise click.ClickException(f"{target} exists; choose a new file name.")
    source = sqlite3.connect(url.database)
    destination = sqlite3.connect(str(target))
    try:
        with destination:
            source.backup(destination)
    finally:
        destination.close()
        source.close()
    click.echo(f"Backed up to {target}.")
