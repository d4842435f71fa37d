import re
from urllib.parse import parse_qs, urlsplit

import pytest

from council.auth.roles import Role
from tests.browser.conftest import expect, sign_in
from tests.conftest import create_organisation, create_person

pytestmark = pytest.mark.browser

POLICE = ["Městská policie Vzorov", "Policie ČR Vzorov"]
ADDICTION_SERVICES = ["Adiktologická poradna Vzorov", "Kontaktní centrum Vzorov"]
EVERYONE = sorted(POLICE + ADDICTION_SERVICES + ["Město Vzorov", "Nemocnice Vzorov"])


def _directory_of_six_organisations():
    create_organisation(name="Městská policie Vzorov", short_name="MP", sector_code="police")
    create_organisation(name="Policie ČR Vzorov", short_name="PČR", sector_code="police")
    create_organisation(name="Kontaktní centrum Vzorov", short_name="KC", sector_code="addiction_services",
                        services=["Výměnný program"])
    create_organisation(name="Adiktologická poradna Vzorov", short_name="AP", sector_code="addiction_services")
    create_organisation(name="Město Vzorov", short_name="MV", sector_code="municipality")
    create_organisation(name="Nemocnice Vzorov", short_name="NV", sector_code="health_care")
    return create_person("clen@example.org", role=Role.MEMBER, name="Marie Členová").email


def _organisation_names(page):
    return page.locator("#organisation-results .card__title a")


def _is_search_for(query: str):
    def matches(response) -> bool:
        url = urlsplit(response.url)
        return url.path == "/organisations" and parse_qs(url.query).get("q") == [query]

    return matches


def test_typing_in_the_search_box_narrows_the_organisations_to_the_police(open_browser, seed):
    member_email = seed(_directory_of_six_organisations)
    page = open_browser()
    sign_in(page, member_email)
    page.goto("/organisations")
    expect(_organisation_names(page)).to_have_text(EVERYONE)

    search_box = page.get_by_label("Search by name or service")
    with page.expect_response(_is_search_for("polic")) as answer:
        search_box.press_sequentially("polic", delay=60)
    fragment = answer.value.text()

    expect(_organisation_names(page)).to_have_text(POLICE)
    assert "<html" not in fragment.lower() and 'id="organisation-results"' in fragment
    assert answer.value.request.headers.get("hx-target") == "organisation-results"
    expect(page).to_have_url(re.compile(r"/organisations\?(.*&)?q=polic(&|$)"))
    expect(search_box).to_have_value("polic")
    expect(search_box).to_be_focused()


def test_choosing_a_sector_narrows_the_organisations(open_browser, seed):
    member_email = seed(_directory_of_six_organisations)
    page = open_browser()
    sign_in(page, member_email)
    page.goto("/organisations")
    expect(_organisation_names(page)).to_have_text(EVERYONE)

    with page.expect_response(lambda r: "sector=" in urlsplit(r.url).query) as answer:
        page.get_by_label("Sector").select_option(label="Addiction services")
    assert "<html" not in answer.value.text().lower()
    expect(_organisation_names(page)).to_have_text(ADDICTION_SERVICES)
    expect(page).to_have_url(re.compile(r"[?&]sector=\d+"))

    # The search box and the sector work together.
    page.get_by_label("Search by name or service").press_sequentially("kontakt", delay=60)
    expect(_organisation_names(page)).to_have_text(["Kontaktní centrum Vzorov"])


def test_search_works_without_javascript(open_browser, seed):
    member_email = seed(_directory_of_six_organisations)
    page = open_browser(java_script_enabled=False)
    sign_in(page, member_email)
    page.goto("/organisations")
    expect(_organisation_names(page)).to_have_text(EVERYONE)

    page.get_by_label("Search by name or service").fill("polic")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url(re.compile(r"[?&]q=polic(&|$)"))

    expect(_organisation_names(page)).to_have_text(POLICE)
    assert parse_qs(urlsplit(page.url).query).get("q") == ["polic"]
    expect(page.get_by_label("Search by name or service")).to_have_value("polic")
