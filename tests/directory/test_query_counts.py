"""The directory's pages send a fixed, small number of SQL statements however large it grows."""
import pytest
import sqlalchemy as sa

from council.auth.models import AuthSession, Person
from council.auth.roles import Role
from council.core.text import utcnow
from council.directory.models import Locality, Organisation, Service
from council.extensions import db
from tests.conftest import count_queries, sector
from tests.helpers import see_saved

RESULTS = {"HX-Request": "true", "HX-Target": "organisation-results"}
PEOPLE_RESULTS = {"HX-Request": "true", "HX-Target": "people-results"}
SECTORS = ("police", "health_care", "addiction_services", "social_services", "municipality")

# The most statements a page may send: the signed-in person's session lookup, the page's rows,
# and for a whole page the sectors and localities of the filter form.
LIMITS = {
    "organisation list": 4,
    "organisation search fragment": 2,
    "people list": 4,
    "people search fragment": 2,
}


def add_organisations(first: int, count: int) -> None:
    """``count`` organisations, each with three localities, three services and three people."""
    see_saved()
    for number in range(first, first + count):
        organisation = Organisation(
            name=f"Organizace {number:03d}", short_name=f"O{number}",
            sector=sector(SECTORS[number % len(SECTORS)]),
            localities=[Locality(name=f"Obec {number:03d}-{k}") for k in range(3)],
            services=[Service(name=f"Služba {number:03d}-{k}", description="**Popis**") for k in range(3)],
        )
        organisation.refresh_search_text()
        db.session.add(organisation)
        for k in range(3):
            person = Person(name=f"Člověk {number:03d}-{k}", email=f"clovek{number}-{k}@example.org",
                            role=Role.MEMBER.value, function="koordinátor", organisation=organisation)
            person.refresh_search_text()
            db.session.add(person)
    db.session.commit()


def first_ids() -> tuple[int, int]:
    organisation_id = db.session.scalar(
        sa.select(Organisation.id).where(Organisation.name == "Organizace 001"))
    person_id = db.session.scalar(sa.select(Person.id).where(Person.name == "Člověk 001-0"))
    return organisation_id, person_id


def pages(organisation_id: int, person_id: int) -> dict[str, tuple[str, dict]]:
    return {
        "organisation list": ("/organisations", {}),
        "organisation search fragment": ("/organisations?q=organizace", RESULTS),
        "organisation search by locality": ("/organisations?locality=1&q=o", RESULTS),
        "people list": ("/people", {}),
        "people search fragment": ("/people?q=koordinator", PEOPLE_RESULTS),
        "organisation page": (f"/organisations/{organisation_id}", {}),
        "person page": (f"/people/{person_id}", {}),
    }


def statements_per_page(client) -> dict[str, int]:
    """How many SQL statements each page sends, each asked for as by a fresh request."""
    organisation_id, person_id = first_ids()
    counts = {}
    for name, (path, headers) in pages(organisation_id, person_id).items():
        # The session was seen just now, so no request also refreshes its "last seen" time.
        db.session.execute(sa.update(AuthSession).values(last_seen_at=utcnow()))
        db.session.commit()
        db.session.remove()  # the test holds no transaction or loaded rows while the request runs
        with count_queries() as statements:
            response = client.get(path, headers=headers)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(statements)
    db.session.remove()
    return counts


@pytest.mark.parametrize("role", [Role.MEMBER, Role.SECRETARY])
def test_directory_pages_send_the_same_statements_for_3_and_60_organisations(signed_in, role):
    client = signed_in(role)
    add_organisations(1, 3)
    small = statements_per_page(client)

    add_organisations(4, 57)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 61  # and Město Vzorov
    large = statements_per_page(client)

    assert large == small


@pytest.mark.parametrize("role", [Role.MEMBER, Role.SECRETARY])
def test_list_pages_and_search_fragments_stay_within_their_budget(signed_in, role):
    client = signed_in(role)
    add_organisations(1, 60)
    counts = statements_per_page(client)
    for name, limit in LIMITS.items():
        assert counts[name] <= limit, f"{name}: {counts[name]} statements, at most {limit}"

