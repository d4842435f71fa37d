import re

import pytest

from council.auth.roles import Role
from tests.browser.conftest import expect, sign_in
from tests.conftest import create_person

pytestmark = pytest.mark.browser


def test_signing_out_ends_the_session_so_back_and_reload_show_the_login_page(open_browser, seed):
    email = seed(lambda: create_person("clen@example.org", role=Role.MEMBER, name="Marie Členová").email)
    page = open_browser()
    sign_in(page, email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Marie Členová")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    expect(page.get_by_text("You have signed out.")).to_be_visible()

    page.go_back()
    expect(page).to_have_url(re.compile(r"/login(\?|$)"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    expect(page.get_by_text("Marie Členová")).to_have_count(0)

    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login(\?|$)"))
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
