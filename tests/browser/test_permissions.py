import pytest

from council.auth.roles import Role
from tests.browser.conftest import expect, sign_in
from tests.conftest import create_organisation, create_person

pytestmark = pytest.mark.browser


def test_member_cannot_open_invite_page(open_browser, seed):
    def members_of_a_council():
        organisation = create_organisation(name="Kontaktní centrum Vzorov", sector_code="addiction_services")
        return create_person("clenka@example.org", role=Role.MEMBER, name="Marie Členová",
                             organisation=organisation).email

    member_email = seed(members_of_a_council)
    page = open_browser()
    sign_in(page, member_email)

    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation.get_by_role("link", name="Organisations")).to_be_visible()
    expect(page.locator('a[href^="/people/invite"]')).to_have_count(0)

    open_browser.expect_http_error(403)
    response = page.goto("/people/invite")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_contain_text("Not allowed")
    expect(page.get_by_label("Email")).to_have_count(0)
    expect(navigation.get_by_role("link", name="Organisations")).to_be_visible()
    for secretary_only in ("Invite", "Lists", "Audit log"):
        expect(navigation.get_by_role("link", name=secretary_only)).to_have_count(0)
    expect(page.locator('a[href^="/people/invite"], a[href="/lists"], a[href^="/audit"]')).to_have_count(0)
