from urllib.parse import urlsplit

import pytest

from council.auth.roles import Role
from council.directory.models import Service
from council.extensions import db
from tests.browser.conftest import expect, sign_in
from tests.conftest import create_organisation, create_person

pytestmark = pytest.mark.browser

HTMX_LOADER = '<div hx-post="/x" hx-trigger="load">x</div>'
SCRIPT = "<script>window.__pwned=1</script>"
BROKEN_IMAGE = '<img src=x onerror="window.__pwned=2">'
ALERT = '<img src=x onerror="alert(3)">'
HOSTILE = f"{HTMX_LOADER} {SCRIPT} {BROKEN_IMAGE} {ALERT}"
# A person's function holds at most 120 characters (PostgreSQL enforces it).
HOSTILE_FUNCTION = f"terénní pracovník {HTMX_LOADER} {BROKEN_IMAGE}"


def _organisation_with_hostile_text():
    organisation = create_organisation(
        name="Spolek Tester", short_name="ST", sector_code="other",
        address=f"Lipová 1 {HOSTILE}", contact_person=SCRIPT,
    )
    organisation.services.append(Service(
        name=f"Poradna {BROKEN_IMAGE}", target_group=HTMX_LOADER,
        description=f"Pomáháme.\n\n{HOSTILE}\n\n[klikni](javascript:alert(4))",
        how_to_refer=f"{SCRIPT}\n\n{HTMX_LOADER}",
    ))
    db.session.commit()
    create_person("tester@example.org", role=Role.MEMBER, name=f"Petr {ALERT}",
                  function=HOSTILE_FUNCTION, organisation=organisation)
    secretary = create_person("sekretarka@example.org", role=Role.SECRETARY, name="Jana Sekretářová")
    return organisation.id, secretary.email


def _nothing_ran(page) -> None:
    page.wait_for_load_state("networkidle")  # an hx-trigger="load" or a broken image would have fired
    assert page.evaluate("typeof window.__pwned") == "undefined", page.url
    expect(page.locator("[hx-post='/x'], [hx-trigger='load'], main script, main img, [onerror]")).to_have_count(0)
    expect(page.locator('main a[href^="javascript"]')).to_have_count(0)


def test_html_typed_into_the_directory_shows_as_text_and_never_runs(open_browser, seed):
    organisation_id, secretary_email = seed(_organisation_with_hostile_text)
    page = open_browser()
    requested_paths = []
    page.on("request", lambda request: requested_paths.append(urlsplit(request.url).path))
    sign_in(page, secretary_email)

    page.goto(f"/organisations/{organisation_id}")
    _nothing_ran(page)
    main = page.locator("main")
    # The reader sees the characters that were typed, not what they would make.
    expect(main.locator("dd").filter(has_text="Lipová 1")).to_have_text(f"Lipová 1 {HOSTILE}")
    expect(main.locator(".service h3")).to_have_text(f"Poradna {BROKEN_IMAGE}")
    expect(main.locator(".service .prose").first).to_contain_text(HTMX_LOADER)
    expect(main.get_by_text(HOSTILE_FUNCTION)).to_be_visible()

    page.get_by_role("link", name=f"Petr {ALERT}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Petr {ALERT}")
    _nothing_ran(page)

    page.goto("/people")
    _nothing_ran(page)
    page.goto("/organisations")
    page.get_by_label("Search by name or service").press_sequentially("tester", delay=30)
    expect(page.locator("#organisation-results .card")).to_have_count(1)
    _nothing_ran(page)
    page.goto(f"/organisations/{organisation_id}/edit")
    expect(page.get_by_label("Address")).to_have_value(f"Lipová 1 {HOSTILE}")
    _nothing_ran(page)

    assert "/x" not in requested_paths and not any(path.endswith("/x") for path in requested_paths), requested_paths
