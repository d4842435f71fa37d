"""The directory's dashboard panels."""
import sqlalchemy as sa

from council.auth.models import Person
from council.auth.roles import Permission
from council.core.dashboard import register_panel
from council.directory.models import Organisation
from council.extensions import db


def _secretary_panel() -> dict:
    organisations, people, without_password = db.session.execute(
        sa.select(
            sa.select(sa.func.count()).select_from(Organisation)
            .where(Organisation.active.is_(True)).scalar_subquery(),
            sa.select(sa.func.count()).select_from(Person)
            .where(Person.active.is_(True)).scalar_subquery(),
            sa.select(sa.func.count()).select_from(Person)
            .where(Person.active.is_(True), Person.password_hash.is_(None)).scalar_subquery(),
        )
    ).one()
    return {"organisations": organisations, "people": people, "without_password": without_password}


register_panel("core/_panel_me.html", order=10)
register_panel("directory/_panel_secretary.html", _secretary_panel,
               permission=Permission.MANAGE_PEOPLE, order=20)
