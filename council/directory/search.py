"""The directory's filters: one object read from the query string, used by page and fragment."""
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from council.auth.models import Person
from council.core.text import fold
from council.directory.models import DEFAULT_SECTORS, Locality, Organisation, Sector, organisation_locality

PAGE_SIZE = 25  # a phone screen or two of cards; small fragments keep search quick


def _int_or_none(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


@dataclass(frozen=True)
class DirectoryFilter:
    q: str = ""
    sector: int | None = None
    locality: int | None = None
    page: int = 1
    show_inactive: bool = False

    @classmethod
    def from_args(cls, args) -> "DirectoryFilter":
        return cls(
            q=(args.get("q") or "").strip()[:100],
            sector=_int_or_none(args.get("sector")),
            locality=_int_or_none(args.get("locality")),
            page=_int_or_none(args.get("page")) or 1,
            show_inactive=args.get("inactive") == "1",
        )

    def terms(self) -> list[str]:
        return [term for term in fold(self.q).split() if term][:8]

    def args(self, **override) -> dict:
        values = {"q": self.q, "sector": self.sector, "locality": self.locality,
                  "inactive": "1" if self.show_inactive else None, "page": None}
        values.update(override)
        return {k: v for k, v in values.items() if v not in (None, "")}

    @property
    def is_filtered(self) -> bool:
        return bool(self.q or self.sector or self.locality)


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _in_locality(locality_id: int):
    return Organisation.id.in_(
        sa.select(organisation_locality.c.organisation_id).where(
            organisation_locality.c.locality_id == locality_id
        )
    )


def _organisation_filters(query, filters: DirectoryFilter):
    if not filters.show_inactive:
        query = query.where(Organisation.active.is_(True))
    for term in filters.terms():
        query = query.where(Organisation.search_text.like(_like(term), escape="\\"))
    if filters.sector:
        query = query.where(Organisation.sector_id == filters.sector)
    if filters.locality:
        query = query.where(_in_locality(filters.locality))
    return query.order_by(Organisation.name, Organisation.id)


def _page(query, filters: DirectoryFilter):
    return query.limit(PAGE_SIZE + 1).offset((filters.page - 1) * PAGE_SIZE)


def find_organisations(filters: DirectoryFilter, session) -> tuple[list[Organisation], bool]:
    """One page of organisations (with sector and localities) and whether more follow."""
    query = _organisation_filters(sa.select(Organisation).join(Organisation.sector), filters)
    query = _page(query.options(joinedload(Organisation.sector), joinedload(Organisation.localities)), filters)
    rows = list(session.scalars(query).unique())
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


@dataclass(frozen=True)
class OrganisationCard:
    """What the organisation list shows of one organisation."""

    id: int
    name: str
    short_name: str
    active: bool
    sector_label: str
    locality_names: list[str]


_SEPARATOR = "\x1f"  # never typed into a locality's name


def organisation_cards(filters: DirectoryFilter, session) -> tuple[list[OrganisationCard], bool]:
    """One page of the organisation list in a single query: the list is the directory's busiest
    page, and whole ORM objects with their joined collections cost it half its time."""
    locality_names = (
        sa.select(sa.func.aggregate_strings(Locality.name, _SEPARATOR))
        .join(organisation_locality, organisation_locality.c.locality_id == Locality.id)
        .where(organisation_locality.c.organisation_id == Organisation.id)
        .scalar_subquery()
    )
    query = sa.select(
        Organisation.id, Organisation.name, Organisation.short_name, Organisation.active,
        Sector.code, Sector.name.label("sector_name"), locality_names.label("locality_names"),
    ).join(Organisation.sector)
    rows = session.execute(_page(_organisation_filters(query, filters), filters)).all()
    labels: dict[int, str] = {}  # one translation per sector, not per card
    cards = []
    for row in rows[:PAGE_SIZE]:
        if row.code not in labels:
            labels[row.code] = str(DEFAULT_SECTORS[row.code]) if row.code in DEFAULT_SECTORS else row.sector_name
        names = sorted(row.locality_names.split(_SEPARATOR)) if row.locality_names else []
        cards.append(OrganisationCard(row.id, row.name, row.short_name, row.active, labels[row.code], names))
    return cards, len(rows) > PAGE_SIZE


def find_people(filters: DirectoryFilter, session) -> tuple[list[Person], bool]:
    """One page of people (with organisation and sector) and whether more follow."""
    query = sa.select(Person).outerjoin(Person.organisation).outerjoin(Organisation.sector)
    if not filters.show_inactive:
        query = query.where(Person.active.is_(True))
    for term in filters.terms():
        like = _like(term)
        query = query.where(
            sa.or_(
                Person.search_text.like(like, escape="\\"),
                Organisation.search_text.like(like, escape="\\"),
            )
        )
    if filters.sector:
        query = query.where(Organisation.sector_id == filters.sector)
    if filters.locality:
        query = query.where(_in_locality(filters.locality))
    query = (
        query.options(joinedload(Person.organisation).joinedload(Organisation.sector))
        .order_by(Person.name, Person.id)
        .limit(PAGE_SIZE + 1)
        .offset((filters.page - 1) * PAGE_SIZE)
    )
    rows = list(session.scalars(query).unique())
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def filter_options(session):
    """Sectors and localities for the filter selects (two small queries)."""
    from council.directory.models import Locality

    sectors = session.scalars(
        sa.select(Sector).where(Sector.active.is_(True)).order_by(Sector.position, Sector.name)
    ).all()
    localities = session.scalars(
        sa.select(Locality).where(Locality.active.is_(True)).order_by(Locality.name)
    ).all()
    return sectors, localities
