"""The secretary builds an agenda in the browser: drag and drop, move up/down from the keyboard,
add, edit, delete, publish; and the same without JavaScript."""
import re
from datetime import datetime

import pytest
import sqlalchemy as sa

from council.auth.roles import Role
from council.extensions import db
from council.meetings import agenda
from council.meetings.models import AgendaItem
from tests.browser.conftest import expect, sign_in
from tests.conftest import create_person
from tests.meetings.factories import create_meeting

pytestmark = pytest.mark.browser


def _council():
    secretary = create_person("sekretarka@example.org", role=Role.SECRETARY, name="Jana Sekretářová")
    create_person("clen@example.org", role=Role.MEMBER, name="Marie Členová")
    meeting = create_meeting(starts=datetime(2027, 3, 18, 9, 0),
                             items=[("Úvod", 10), ("Terénní práce", 20), ("Různé", 15)])
    return meeting.id, secretary.email


def _titles(page):
    return page.locator("#agenda tbody tr .agenda__title strong")


def _times(page):
    return page.locator("#agenda tbody tr .agenda__time")


def _rows(page):
    return page.locator("#agenda tbody tr")


def _titles_saved(seed, meeting_id):
    return seed(lambda: list(db.session.scalars(
        sa.select(AgendaItem.title).where(AgendaItem.meeting_id == meeting_id).order_by(AgendaItem.position))))


def _reorder_answer(response) -> bool:
    return response.request.method == "POST" and response.url.endswith("/agenda/reorder")


def test_secretary_drags_moves_adds_edits_deletes_and_publishes(open_browser, seed):
    meeting_id, email = seed(_council)
    page = open_browser()
    sign_in(page, email)
    page.goto(f"/meetings/{meeting_id}")
    expect(_titles(page)).to_have_text(["Úvod", "Terénní práce", "Různé"])
    handle = _rows(page).nth(2).locator(".agenda__handle")
    expect(handle).to_be_visible()

    # She drags "Různé" above "Úvod": numbering and start times follow, the order is saved.
    with page.expect_response(_reorder_answer) as answer:
        handle.drag_to(_rows(page).nth(0), target_position={"x": 10, "y": 3})
    assert answer.value.status == 200
    expect(_titles(page)).to_have_text(["Různé", "Úvod", "Terénní práce"])
    expect(_times(page)).to_have_text([re.compile("9:00"), re.compile("9:15"), re.compile("9:25")])
    assert _titles_saved(seed, meeting_id) == ["Různé", "Úvod", "Terénní práce"]

    # The new list can be dragged again.
    expect(_rows(page).nth(0).locator(".agenda__handle")).to_be_visible()
    with page.expect_response(_reorder_answer):
        _rows(page).nth(0).locator(".agenda__handle").drag_to(_rows(page).nth(2), target_position={"x": 10, "y": 30})
    expect(_titles(page)).to_have_text(["Úvod", "Terénní práce", "Různé"])

    # From the keyboard: "Terénní práce" up with Enter; the focus stays on the moved item.
    up = page.get_by_role("button", name="Up (Terénní práce)")
    up.focus()
    with page.expect_response(lambda r: "/move" in r.url):
        page.keyboard.press("Enter")
    expect(_titles(page)).to_have_text(["Terénní práce", "Úvod", "Různé"])
    expect(page.get_by_role("button", name="Down (Terénní práce)")).to_be_focused()
    page.keyboard.press("Enter")  # and down again
    expect(_titles(page)).to_have_text(["Úvod", "Terénní práce", "Různé"])
    expect(page.get_by_role("button", name="Down (Terénní práce)")).to_be_focused()

    # Adding happens in place: the page is not reloaded.
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_role("link", name="Add an item").click()
    title = page.get_by_label("Title")
    expect(title).to_be_focused()
    title.fill("Hlášení z terénu")
    page.get_by_label("Planned minutes").fill("0")
    open_browser.expect_http_error(422)
    page.get_by_role("button", name="Add the item").click()
    expect(page.locator("#agenda .error")).to_have_text("Between 1 and 600 minutes.")
    expect(title).to_have_value("Hlášení z terénu")
    # htmx moves the focus to the form's autofocus field when it settles: type after that.
    expect(page.locator("#agenda.htmx-settling")).to_have_count(0)
    page.get_by_label("Planned minutes").fill("25")
    page.get_by_label("Presenter", exact=True).select_option(label="Marie Členová")
    page.get_by_role("button", name="Add the item").click()
    expect(_titles(page)).to_have_text(["Úvod", "Terénní práce", "Různé", "Hlášení z terénu"])
    expect(page.locator("#agenda [role=status]")).to_contain_text("is added as item 4")
    expect(page.get_by_label("Title")).to_be_focused()
    expect(page.get_by_label("Title")).to_have_value("")
    page.get_by_role("link", name="Done adding").click()
    expect(page.get_by_label("Title")).to_have_count(0)

    page.get_by_role("link", name="Edit (Úvod)").click()
    expect(page.get_by_label("Title")).to_be_focused()
    page.get_by_label("Title").fill("Úvod a program")
    page.get_by_label("Planned minutes").fill("5")
    page.get_by_role("button", name="Save the item").click()
    expect(_titles(page)).to_have_text(["Úvod a program", "Terénní práce", "Různé", "Hlášení z terénu"])
    expect(_times(page)).to_have_text([re.compile("9:00"), re.compile("9:05"), re.compile("9:25"),
                                       re.compile("9:40")])

    page.get_by_role("link", name="Delete (Různé)").click()
    expect(page.get_by_text("Delete “Různé” from the agenda?")).to_be_visible()
    page.get_by_role("button", name="Delete the item").click()
    expect(_titles(page)).to_have_text(["Úvod a program", "Terénní práce", "Hlášení z terénu"])

    # Once published, a change is marked as changed.
    page.get_by_role("button", name="Publish the agenda").click()
    expect(page.locator("#agenda .agenda__status")).to_contain_text("Published on")
    page.get_by_role("button", name="Up (Hlášení z terénu)").click()
    expect(page.locator("#agenda .badge--changed")).to_have_count(2)
    assert page.evaluate("window.stillTheSamePage") is True
    assert _titles_saved(seed, meeting_id) == ["Úvod a program", "Hlášení z terénu", "Terénní práce"]


def test_without_javascript_the_agenda_works_with_plain_forms(open_browser, seed):
    meeting_id, email = seed(_council)
    page = open_browser(java_script_enabled=False)
    sign_in(page, email)
    page.goto(f"/meetings/{meeting_id}")
    expect(page.locator(".agenda__handle").first).to_be_hidden()
    page.get_by_role("button", name="Down (Úvod)").click()
    page.wait_for_url(re.compile(rf"/meetings/{meeting_id}#agenda$"))
    expect(_titles(page)).to_have_text(["Terénní práce", "Úvod", "Různé"])
    page.get_by_role("link", name="Add an item").click()
    page.get_by_label("Title").fill("")
    open_browser.expect_http_error(422)
    page.get_by_role("button", name="Add the item").click()
    expect(page.locator(".error")).to_have_text("This field is required.")
    page.get_by_label("Title").fill("Bez JavaScriptu")
    page.get_by_role("button", name="Add the item").click()
    page.wait_for_url(re.compile(rf"/meetings/{meeting_id}#agenda$"))
    expect(_titles(page)).to_have_text(["Terénní práce", "Úvod", "Různé", "Bez JavaScriptu"])
    page.get_by_role("link", name="Delete (Úvod)").click()
    page.get_by_role("button", name="Delete the item").click()
    page.wait_for_url(re.compile(rf"/meetings/{meeting_id}#agenda$"))
    expect(_titles(page)).to_have_text(["Terénní práce", "Různé", "Bez JavaScriptu"])
    assert _titles_saved(seed, meeting_id) == ["Terénní práce", "Různé", "Bez JavaScriptu"]


def test_a_drop_on_an_agenda_changed_meanwhile_shows_the_current_agenda(open_browser, seed):
    meeting_id, email = seed(_council)
    page = open_browser()
    sign_in(page, email)
    page.goto(f"/meetings/{meeting_id}")
    expect(_titles(page)).to_have_text(["Úvod", "Terénní práce", "Různé"])

    def someone_else_deletes_uvod():
        agenda.delete_item(db.session.scalar(sa.select(AgendaItem).where(AgendaItem.title == "Úvod")))

    seed(someone_else_deletes_uvod)
    open_browser.expect_http_error(400)
    with page.expect_response(_reorder_answer) as answer:
        _rows(page).nth(2).locator(".agenda__handle").drag_to(_rows(page).nth(0), target_position={"x": 10, "y": 3})
    assert answer.value.status == 400
    expect(_titles(page)).to_have_text(["Terénní práce", "Různé"])
    expect(page.locator("#agenda [role=alert]")).to_contain_text("this is its current order")
    expect(_rows(page).nth(0).locator(".agenda__handle")).to_be_visible()
    assert _titles_saved(seed, meeting_id) == ["Terénní práce", "Různé"]
