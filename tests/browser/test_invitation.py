import re

import pytest

from council.auth.roles import Role
from tests.browser.conftest import expect, sign_in
from tests.conftest import create_organisation, create_person

pytestmark = pytest.mark.browser

NEW_PASSWORD = "modrá lampa šumí potichu"

# What the Czech catalogue is expected to say for a few words of the navigation and the search.
CZECH = {"Dashboard": "Přehled", "Organisations": "Organizace", "People": "Lidé",
         "Sign out": "Odhlásit se", "Search": "Hledat"}


def _council_with_an_ngo():
    create_organisation(name="Kontaktní centrum Vzorov", short_name="KC", sector_code="addiction_services")
    create_organisation(name="Město Vzorov", short_name="MV", sector_code="municipality")
    return create_person("sekretarka@example.org", role=Role.SECRETARY, name="Jana Sekretářová").email


def test_invited_member_sets_a_password_and_switches_the_council_to_czech(open_browser, seed):
    secretary_email = seed(_council_with_an_ngo)

    # The secretary invites a worker of the contact centre and copies the link for her.
    secretary = open_browser()
    secretary.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=open_browser.base_url)
    sign_in(secretary, secretary_email)
    secretary.get_by_role("link", name="Invite a person").click()
    secretary.get_by_label("Name").fill("Alena Nováková")
    secretary.get_by_label("Email").fill("alena.novakova@example.org")
    secretary.get_by_label("Organisation").select_option(label="Kontaktní centrum Vzorov")
    secretary.get_by_label("Function").fill("terénní pracovnice")
    secretary.get_by_label("Phone").fill("+420 600 111 222")
    expect(secretary.get_by_label("Role")).to_have_value("member")
    secretary.get_by_role("button", name="Invite").click()

    expect(secretary.get_by_role("heading", level=1)).to_have_text("Alena Nováková is invited")
    link_box = secretary.get_by_label("Link to set a password")
    link = link_box.input_value()
    assert re.fullmatch(rf"{re.escape(open_browser.base_url)}/set-password/[\w-]+", link), link
    secretary.get_by_role("button", name="Copy link").click()
    expect(secretary.get_by_role("button", name="Copied")).to_be_visible()
    assert secretary.evaluate("navigator.clipboard.readText()") == link

    # Alena opens the link in her own browser and chooses a password.
    alena = open_browser()
    alena.goto(link)
    expect(alena.get_by_role("heading", level=1)).to_have_text("Choose your password")
    alena.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    alena.get_by_label("New password again").fill(NEW_PASSWORD)
    alena.get_by_role("button", name="Save password").click()
    alena.wait_for_url(re.compile(r"/login$"))
    expect(alena.get_by_text("Your password is set.")).to_be_visible()

    sign_in(alena, "alena.novakova@example.org", NEW_PASSWORD)
    expect(alena.get_by_role("heading", level=1)).to_have_text("Hello, Alena Nováková")

    # She corrects her phone number and asks for Czech.
    alena.get_by_role("link", name="Alena Nováková").click()
    expect(alena.get_by_role("heading", level=1)).to_have_text("My profile")
    profile = alena.locator("main form")
    expect(profile.get_by_label("Phone")).to_have_value("+420 600 111 222")
    profile.get_by_label("Phone").fill("+420 777 123 456")
    profile.get_by_label("Language").select_option("cs")
    profile.get_by_role("button", name="Save").click()
    alena.wait_for_load_state()
    expect(alena.locator("html")).to_have_attribute("lang", "cs")
    expect(alena.locator("#phone")).to_have_value("+420 777 123 456")
    expect(alena.locator("#locale")).to_have_value("cs")

    # The directory now speaks Czech to her.
    alena.locator('.main-nav a[href="/organisations"]').click()
    alena.wait_for_url(re.compile(r"/organisations$"))
    expect(alena.locator("html")).to_have_attribute("lang", "cs")
    expect(alena.get_by_role("link", name="Kontaktní centrum Vzorov")).to_be_visible()
    navigation = alena.locator(".main-nav")
    for english in ("Dashboard", "Organisations", "People"):
        expect(navigation.get_by_role("link", name=CZECH[english], exact=True)).to_be_visible()
    expect(alena.get_by_role("button", name=CZECH["Sign out"], exact=True)).to_be_visible()
    expect(alena.locator("main form[role=search]").get_by_role("button", name=CZECH["Search"], exact=True)).to_be_visible()
