"""Organisations, the services they offer, sectors and localities."""
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from council.core.text import fold, utcnow
from council.extensions import db

# The sectors every council starts with; their names are translated, added ones are not.
DEFAULT_SECTORS = {
    "municipality": _l("Municipality"),
    "regional_authority": _l("Regional authority"),
    "police": _l("Police"),
    "health_care": _l("Health care"),
    "addiction_services": _l("Addiction services"),
    "social_services": _l("Social services"),
    "school_prevention": _l("School prevention"),
    "probation": _l("Probation and mediation"),
    "public_health": _l("Public-health authority"),
    "other": _l("Other"),
}

organisation_locality = sa.Table(
    "organisation_locality",
    db.metadata,
    sa.Column("organisation_id", sa.ForeignKey("organisation.id"), primary_key=True),
    sa.Column("locality_id", sa.ForeignKey("locality.id"), primary_key=True),
)


class Sector(db.Model):
    __tablename__ = "sector"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    position: Mapped[int] = mapped_column(default=100)
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def label(self) -> str:
        if self.code in DEFAULT_SECTORS:
            return str(DEFAULT_SECTORS[self.code])
        return self.name


class Locality(db.Model):
    """A town, district or neighbourhood the council works in (shared with field reports)."""

    __tablename__ = "locality"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def label(self) -> str:
        return self.name


class Organisation(db.Model):
    __tablename__ = "organisation"
    __audited__ = True
    __audit_hidden__ = {"search_text", "version"}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    short_name: Mapped[str] = mapped_column(sa.String(40), default="")
    sector_id: Mapped[int] = mapped_column(sa.ForeignKey("sector.id"), index=True)
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    website: Mapped[str] = mapped_column(sa.String(300), default="")
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(40), default="")
    contact_person: Mapped[str] = mapped_column(sa.String(120), default="")
    active: Mapped[bool] = mapped_column(default=True)
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    sector: Mapped[Sector] = relationship()
    localities: Mapped[list[Locality]] = relationship(
        secondary=organisation_locality, order_by=Locality.name
    )
    services: Mapped[list["Service"]] = relationship(
        back_populates="organisation", order_by="Service.name", cascade="all, delete-orphan"
    )
    people = relationship("Person", back_populates="organisation", order_by="Person.name")

    __mapper_args__ = {"version_id_col": version}

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def refresh_search_text(self) -> None:
        """Everything the directory search matches: names, and each service's name and group."""
        parts = [self.name, self.short_name]
        for service in self.services:
            parts += [service.name, service.target_group]
        self.search_text = fold(" ".join(p for p in parts if p))


class Service(db.Model):
    """What an organisation offers, for whom, and how to refer a client to it."""

    __tablename__ = "service"
    __audited__ = True
    __audit_hidden__ = {"version"}

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    target_group: Mapped[str] = mapped_column(sa.String(300), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    how_to_refer: Mapped[str] = mapped_column(sa.Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation] = relationship(back_populates="services")

    __mapper_args__ = {"version_id_col": version}
