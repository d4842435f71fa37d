"""Configuration: safe in production, convenient in development."""
import re
from pathlib import Path

import pytest

from council import create_app
from council.auth.roles import PERMISSION_LABELS, ROLE_PERMISSIONS, Role
from council.config import database_url


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app({"COUNCIL_ENV": "production", "SECRET_KEY": None,
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})


def test_development_keeps_a_generated_secret_key_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("COUNCIL_INSTANCE_PATH", str(tmp_path))
    config = {"COUNCIL_ENV": "development", "SECRET_KEY": None,
              "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"}
    first = create_app(config)
    second = create_app(config)
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 32
    assert (Path(tmp_path) / "secret_key").stat().st_mode & 0o077 == 0


def test_database_url_defaults_to_sqlite_in_the_instance_folder(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert database_url("/srv/council/instance") == "sqlite:////srv/council/instance/council.db"


@pytest.mark.parametrize("given", ["postgres://u:p@h/db", "postgresql://u:p@h/db"])
def test_postgres_urls_from_hosting_panels_get_the_psycopg_driver(monkeypatch, given):
    monkeypatch.setenv("DATABASE_URL", given)
    assert database_url("/x") == "postgresql+psycopg://u:p@h/db"


def test_readme_permission_table_matches_the_code():
    """The table people read in README is the table the code enforces."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    columns = [Role.GUEST, Role.MEMBER, Role.FACILITATOR, Role.SECRETARY, Role.ADMIN]
    rows = {}
    for line in readme.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0] and not re.fullmatch(r"[-: ]+", cells[0]):
            rows[cells[0]] = cells[1:]
    for permission, label in PERMISSION_LABELS.items():
        assert str(label) in rows, f"README has no row for {label!r}"
        marks = rows[str(label)]
        for role, mark in zip(columns, marks, strict=True):
            assert (mark == "yes") == (permission in ROLE_PERMISSIONS[role]), (label, role)
