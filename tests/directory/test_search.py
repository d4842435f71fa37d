"""Finding an organisation: active search with htmx that also works as a plain, bookmarkable page."""
import html
import re

import pytest
import sqlalchemy as sa

from council.auth.roles import Role
from council.directory.models import Locality, Organisation, Service
from council.directory.search import PAGE_SIZE
from council.extensions import db
from tests.conftest import create_organisation, sector

RESULTS = {"HX-Request": "true", "HX-Target": "organisation-results"}


def names_in(response) -> list[str]:
    """The organisations listed in the results, in order."""
    return [html.unescape(name) for name in re.findall(
        r'<h2 class="card__title"><a href="/organisations/\d+">([^<]*)</a>', response.get_data(as_text=True))]


def pager_links(response) -> dict[str, str]:
    page = response.get_data(as_text=True)
    links = {}
    for href, label in re.findall(r'<a href="([^"]*)">(Previous page|Next page)</a>', page):
        links[label] = html.unescape(href)
    return links


@pytest.fixture
def directory(people):
    """A few organisations of different sectors and localities; Město Vzorov comes from ``people``."""
    create_organisation(name="POLICIE ČR – obvodní oddělení Brno", short_name="PČR", sector_code="police",
                        localities=["Brno"])
    create_organisation(name="Městská policie Vzorov", short_name="MP", sector_code="police",
                        localities=["Vzorov"])
    create_organisation(name="Česta z Vzorova, z. s.", short_name="", sector_code="addiction_services",
                        localities=["Vzorov"], services=["Kontaktní centrum", "Terénní program"])
    create_organisation(name="Nemocnice Brno", short_name="", sector_code="health_care",
                        localities=["Brno"], services=["Substituční léčba"])
    return {name: db.session.scalar(sa.select(Locality).where(Locality.name == name)).id
            for name in ("Brno", "Vzorov")}


# --- fragment or whole page -----------------------------------------------------------------

def test_active_search_returns_only_the_results_fragment(signed_in, directory):
    response = signed_in(Role.MEMBER).get("/organisations?q=polic", headers=RESULTS)

    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="organisation-results"')
    assert "<html" not in body
    assert "<form" not in body  # the search form stays as it is in the browser
    assert names_in(response) == ["Městská policie Vzorov", "POLICIE ČR – obvodní oddělení Brno"]
    assert "HX-Request" in response.headers.get("Vary", "")


def test_the_same_search_without_javascript_gives_the_whole_page(signed_in, directory):
    member = signed_in(Role.MEMBER)
    fragment = member.get("/organisations?q=polic", headers=RESULTS)
    page = member.get("/organisations?q=polic")

    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert body.startswith("<!doctype html>")
    assert '<div id="organisation-results"' in body
    assert names_in(page) == names_in(fragment)
    assert 'value="polic"' in body  # the search box shows what was searched
    assert "HX-Request" in page.headers.get("Vary", "")


def test_boosted_navigation_gets_the_whole_page(signed_in, directory):
    response = signed_in(Role.MEMBER).get("/organisations?q=polic",
                                          headers={"HX-Request": "true", "HX-Target": "main", "HX-Boosted": "true"})
    body = response.get_data(as_text=True)
    assert body.startswith("<!doctype html>")
    assert names_in(response) == ["Městská policie Vzorov", "POLICIE ČR – obvodní oddělení Brno"]
    assert "HX-Request" in response.headers.get("Vary", "")


def test_htmx_request_without_a_target_gets_the_whole_page(signed_in, directory):
    response = signed_in(Role.MEMBER).get("/organisations?q=polic", headers={"HX-Request": "true"})
    assert response.get_data(as_text=True).startswith("<!doctype html>")


def test_search_form_is_a_plain_get_form_enhanced_by_htmx(signed_in, directory):
    body = signed_in(Role.MEMBER).get("/organisations").get_data(as_text=True)
    form = re.search(r'<form method="get" action="/organisations"[^>]*>', body)
    assert form, "the search works without JavaScript"
    assert 'hx-target="#organisation-results"' in form.group(0)
    assert 'hx-push-url="true"' in form.group(0)  # the address bar can be bookmarked
    assert '<input id="search-q" type="search" name="q"' in body


def test_bookmarked_search_shows_the_chosen_filters(signed_in, directory):
    police = sector("police").id
    body = signed_in(Role.MEMBER).get(f"/organisations?sector={police}&locality={directory['Vzorov']}") \
        .get_data(as_text=True)
    assert f'<option value="{police}" selected>' in body
    assert f'<option value="{directory["Vzorov"]}" selected>' in body


# --- what the search matches ----------------------------------------------------------------

@pytest.mark.parametrize("q, expected", [
    ("policie", ["Městská policie Vzorov", "POLICIE ČR – obvodní oddělení Brno"]),
    ("POLICIE", ["Městská policie Vzorov", "POLICIE ČR – obvodní oddělení Brno"]),
    ("cesta", ["Česta z Vzorova, z. s."]),
    ("ČESTA", ["Česta z Vzorova, z. s."]),
    ("mestska", ["Městská policie Vzorov"]),
    ("pcr", ["POLICIE ČR – obvodní oddělení Brno"]),  # the short name
    ("policie brno", ["POLICIE ČR – obvodní oddělení Brno"]),  # every word must match
    ("  brno   policie ", ["POLICIE ČR – obvodní oddělení Brno"]),
    ("hasiči", []),
])
def test_search_ignores_case_and_czech_diacritics(signed_in, directory, q, expected):
    response = signed_in(Role.MEMBER).get("/organisations", query_string={"q": q}, headers=RESULTS)
    assert names_in(response) == expected


def test_search_finds_an_organisation_by_its_service(signed_in, directory):
    member = signed_in(Role.MEMBER)
    assert names_in(member.get("/organisations?q=substitucni", headers=RESULTS)) == ["Nemocnice Brno"]
    assert names_in(member.get("/organisations?q=terénní", headers=RESULTS)) == ["Česta z Vzorova, z. s."]


def test_search_by_sector(signed_in, directory):
    member = signed_in(Role.MEMBER)
    police = sector("police").id
    assert names_in(member.get(f"/organisations?sector={police}", headers=RESULTS)) == [
        "Městská policie Vzorov", "POLICIE ČR – obvodní oddělení Brno"]
    assert names_in(member.get(f"/organisations?sector={police}&q=brno", headers=RESULTS)) == [
        "POLICIE ČR – obvodní oddělení Brno"]
    assert names_in(member.get(f"/organisations?sector={sector('probation').id}", headers=RESULTS)) == []


def test_search_by_locality(signed_in, directory):
    member = signed_in(Role.MEMBER)
    assert names_in(member.get(f"/organisations?locality={directory['Brno']}", headers=RESULTS)) == [
        "Nemocnice Brno", "POLICIE ČR – obvodní oddělení Brno"]
    both = f"/organisations?locality={directory['Vzorov']}&sector={sector('police').id}"
    assert names_in(member.get(both, headers=RESULTS)) == ["Městská policie Vzorov"]


def test_organisation_in_several_localities_is_listed_once(signed_in, directory):
    create_organisation(name="Krajský úřad", short_name="KÚ", sector_code="regional_authority",
                        localities=["Brno", "Vzorov", "Znojmo"])
    response = signed_in(Role.MEMBER).get("/organisations?q=krajsky", headers=RESULTS)
    assert names_in(response) == ["Krajský úřad"]
    assert "Brno, Vzorov, Znojmo" in html.unescape(response.get_data(as_text=True))


def test_no_match_says_so(signed_in, directory):
    response = signed_in(Role.MEMBER).get("/organisations?q=hasici", headers=RESULTS)
    assert "No organisation matches. Try fewer words or another sector." in html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("q", ["%", "_", "\\", "%policie", "50%"])
def test_wildcards_typed_by_people_are_plain_characters(signed_in, directory, q):
    response = signed_in(Role.MEMBER).get("/organisations", query_string={"q": q}, headers=RESULTS)
    assert response.status_code == 200
    assert names_in(response) == []


def test_archived_organisations_are_not_found(signed_in, directory):
    create_organisation(name="Policie – zrušené oddělení", short_name="", sector_code="police", active=False)
    member = signed_in(Role.MEMBER)
    assert "Policie – zrušené oddělení" not in names_in(member.get("/organisations?q=policie", headers=RESULTS))
    secretary = signed_in(Role.SECRETARY)
    assert "Policie – zrušené oddělení" in names_in(
        secretary.get("/organisations?q=policie&inactive=1", headers=RESULTS))


# --- pages ----------------------------------------------------------------------------------

def add_many(count: int, prefix: str, sector_code: str) -> None:
    chosen = sector(sector_code)
    for number in range(1, count + 1):
        organisation = Organisation(name=f"{prefix} {number:03d}", sector=chosen,
                                    services=[Service(name="Poradna")])
        organisation.refresh_search_text()
        db.session.add(organisation)
    db.session.commit()


def test_results_come_in_pages_that_keep_the_filter(signed_in, people):
    add_many(2 * PAGE_SIZE + 20, "Škola", "school_prevention")
    add_many(10, "Škola jiného sektoru", "other")
    member = signed_in(Role.MEMBER)
    school = sector("school_prevention").id

    first = member.get(f"/organisations?q=skola&sector={school}", headers=RESULTS)
    assert names_in(first) == [f"Škola {n:03d}" for n in range(1, PAGE_SIZE + 1)]
    links = pager_links(first)
    assert "Previous page" not in links
    assert links["Next page"] == f"/organisations?q=skola&sector={school}&page=2"

    second = member.get(links["Next page"], headers=RESULTS)
    assert names_in(second) == [f"Škola {n:03d}" for n in range(PAGE_SIZE + 1, 2 * PAGE_SIZE + 1)]
    links = pager_links(second)
    assert links["Previous page"] == f"/organisations?q=skola&sector={school}&page=1"
    assert links["Next page"] == f"/organisations?q=skola&sector={school}&page=3"

    third = member.get(links["Next page"])  # a plain link works without JavaScript too
    assert names_in(third) == [f"Škola {n:03d}" for n in range(2 * PAGE_SIZE + 1, 2 * PAGE_SIZE + 21)]
    assert set(pager_links(third)) == {"Previous page"}


def test_exactly_one_full_page_has_no_next_link(signed_in, people):
    add_many(PAGE_SIZE - 1, "Škola", "school_prevention")  # plus Město Vzorov from the fixture
    response = signed_in(Role.MEMBER).get("/organisations", headers=RESULTS)
    assert len(names_in(response)) == PAGE_SIZE
    assert pager_links(response) == {}


def test_page_after_the_last_one_offers_the_way_back(signed_in, directory):
    response = signed_in(Role.MEMBER).get(f"/organisations?q=policie&sector={sector('police').id}&page=7",
                                          headers=RESULTS)
    assert response.status_code == 200
    assert names_in(response) == []
    body = html.unescape(response.get_data(as_text=True))
    assert "No organisations yet." not in body  # there are some, just not this far
    assert "There are no more results." in body
    assert f'<a href="/organisations?q=policie&sector={sector("police").id}">Back to the first page</a>' in body


# --- junk in the address --------------------------------------------------------------------

@pytest.mark.parametrize("query", [
    "sector=abc", "locality=-1", "page=0", "page=-3", "page=abc", "sector=", "locality=1.5",
    "sector=99999999999999999999999", "page=99999999999", "q=%01%02",
    "q=" + "policie " * 40, "q=" + "a" * 5000,
])
def test_junk_in_the_address_does_not_break_the_search(signed_in, directory, query):
    member = signed_in(Role.MEMBER)
    assert member.get(f"/organisations?{query}").status_code == 200
    assert member.get(f"/organisations?{query}", headers=RESULTS).status_code == 200


@pytest.mark.parametrize("query", ["inactive=%00", "q=%00%01", "q=police%00"])
def test_a_nul_character_in_the_address_is_a_bad_request(signed_in, directory, query):
    assert signed_in(Role.MEMBER).get(f"/organisations?{query}").status_code == 400


def test_junk_filters_are_ignored(signed_in, directory):
    member = signed_in(Role.MEMBER)
    everything = names_in(member.get("/organisations", headers=RESULTS))
    assert len(everything) == 5
    assert names_in(member.get("/organisations?sector=abc&locality=-1&page=0", headers=RESULTS)) == everything


def test_very_long_search_uses_its_first_hundred_characters(signed_in, directory):
    q = "policie" + " " * 93 + "nonexistent"  # the second word starts after character 100
    response = signed_in(Role.MEMBER).get("/organisations", query_string={"q": q}, headers=RESULTS)
    assert names_in(response) == ["Městská policie Vzorov", "POLICIE ČR – obvodní oddělení Brno"]
