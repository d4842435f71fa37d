import re

import pytest

from council.auth.roles import Role
from tests.browser.conftest import expect, sign_in
from tests.conftest import create_organisation, create_person

pytestmark = pytest.mark.browser


def test_secretary_fixes_a_rejected_organisation_form_in_place_and_lands_on_the_saved_page(open_browser, seed):
    def council():
        organisation = create_organisation(name="Kontaktní centrum Vzorov", short_name="KC",
                                           sector_code="addiction_services", address="Nádražní 1, Vzorov")
        secretary = create_person("sekretarka@example.org", role=Role.SECRETARY, name="Jana Sekretářová")
        return organisation.id, secretary.email

    organisation_id, secretary_email = seed(council)
    page = open_browser()
    sign_in(page, secretary_email)
    page.goto(f"/organisations/{organisation_id}/edit")
    form = page.locator("#organisation-form")

    form.get_by_label("Address").fill("Mostní 3, Vzorov")
    form.get_by_label("Short name").fill("KC Most")
    form.get_by_label("Name", exact=True).fill("")
    # A full page load would forget this; an htmx swap keeps it.
    page.evaluate("window.stillTheSamePage = true")
    open_browser.expect_http_error(422)  # Chromium logs every 4xx; this one is the form saying no
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        form.get_by_role("button", name="Save").click()
    assert answer.value.status == 422
    assert answer.value.request.headers.get("hx-request") == "true"

    name_field = page.locator("#organisation-form .field").filter(has=page.locator("#name"))
    expect(name_field.locator(".error")).to_have_text("This field is required.")
    expect(page.locator("#name")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#address")).to_have_value("Mostní 3, Vzorov")
    expect(page.locator("#short_name")).to_have_value("KC Most")
    assert page.evaluate("window.stillTheSamePage") is True
    expect(page).to_have_url(re.compile(rf"/organisations/{organisation_id}/edit$"))

    page.locator("#name").fill("Kontaktní centrum Most")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Save").click()
    assert answer.value.headers.get("hx-redirect") == f"/organisations/{organisation_id}"
    page.wait_for_url(re.compile(rf"/organisations/{organisation_id}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kontaktní centrum Most")
    expect(page.get_by_text("The organisation is saved.")).to_be_visible()
    expect(page.get_by_text("Mostní 3, Vzorov")).to_be_visible()
    assert page.evaluate("window.stillTheSamePage") is None
