"""A round table from the first click to approved, locked minutes, as the people of the council
click through it, each in a browser of their own (issue 3, "Checks").

The people, their organisations and two other meetings exist beforehand; every step the story
names is done through the pages. The pictures of the meeting and its minutes go to a temporary folder;
to refresh those in docs/screenshots, run:

    COUNCIL_SCREENSHOT_DIR=docs/screenshots .venv/bin/python -m pytest tests/browser/test_meeting_story.py
"""
import os
import re
import shutil
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from council.auth.roles import Role
from council.extensions import db
from council.meetings.models import AgendaItem
from tests.browser.conftest import expect, sign_in
from tests.conftest import create_organisation, create_person
from tests.meetings.factories import create_meeting

pytestmark = pytest.mark.browser

SECRETARY = "sekretarka@example.org"
MARIE = "marie.clenova@example.org"  # member of the contact centre; she is excused
PETR = "petr.zapisovatel@example.org"  # member of the contact centre; he writes the minutes
EVA = "eva.overovatelka@example.org"  # member of the town hall; she reviews the minutes
GUEST = "alena.hostova@example.org"
GUEST_PASSWORD = "zelená konvice na okně"

# The agenda as the secretary types it (title, planned minutes) ...
ITEMS = [
    ("Zahájení a schválení programu", 10),
    ("Hlášení z terénní práce", 30),
    ("Substituční léčba v kraji", 25),
    ("Prevence ve školách", 20),
    ("Rozpočet na příští rok", 15),
    ("Různé", 10),
]
# ... and after she moves "Prevence ve školách" up twice and "Substituční léčba v kraji" down once.
REORDERED = [
    "Zahájení a schválení programu",
    "Prevence ve školách",
    "Hlášení z terénní práce",
    "Rozpočet na příští rok",
    "Substituční léčba v kraji",
    "Různé",
]
# Who came: as the secretary marks them on the attendance list.
ATTENDANCE = {"Petr Zapisovatel": "Present", "Eva Ověřovatelka": "Present", "Alena Hostová": "Present",
              "Marie Členová": "Excused", "Tomáš Úředník": "Absent"}
FIRST_CONCLUSION = "Kontaktní centrum rozšíří terénní program o dvě lokality."
SECOND_CONCLUSION = "Rada schvaluje rozpočet protidrogové politiky na příští rok."


def _council():
    contact_centre = create_organisation(name="Kontaktní centrum Vzorov", short_name="KC",
                                         sector_code="addiction_services")
    town_hall = create_organisation(name="Město Vzorov", short_name="MV", sector_code="municipality")
    police = create_organisation(name="Městská policie Vzorov", short_name="MP", sector_code="municipality")
    create_person(SECRETARY, role=Role.SECRETARY, name="Jana Sekretářová")
    create_person(MARIE, name="Marie Členová", organisation=contact_centre)
    create_person(PETR, name="Petr Zapisovatel", organisation=contact_centre)
    create_person(EVA, name="Eva Ověřovatelka", organisation=town_hall)
    create_person("tomas.urednik@example.org", name="Tomáš Úředník", organisation=town_hall)
    create_person("karel.straznik@example.org", name="Karel Strážník", organisation=police)
    # Meetings the guest is not invited to: one next week, one years ago.
    others = [create_meeting("Pracovní skupina Prevence", type_code="working_group", items=["Plán"]),
              create_meeting("Plénum", type_code="plenary", starts=datetime(2020, 3, 5, 14, 0), items=["Zpráva"])]
    return [meeting.id for meeting in others]


def _meeting_id(page) -> int:
    return int(re.search(r"/meetings/(\d+)", page.url).group(1))


def _csrf_token(page) -> str:
    return page.locator('meta[name="csrf-token"]').get_attribute("content")


def _post(page, path: str, data: dict | None = None):
    """A POST straight to the server with this browser's cookies and CSRF token, as a crafted
    form would send it: what the page no longer offers must be refused by the server too."""
    return page.request.post(path, form={"csrf_token": _csrf_token(page), **(data or {})}, max_redirects=0)


def _page_pdf_link(page):
    """The PDF link at the head of the minutes or the attendance page."""
    return page.locator(".page-head").get_by_role("link", name="PDF")


def _pdf_text(page, link, folder: Path, *, layout: bool = False) -> str:
    """Downloads the PDF behind the link as the browser does, and extracts its text."""
    with page.expect_download() as download:
        link.click()
    path = folder / download.value.suggested_filename
    download.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF-")
    options = ["-layout"] if layout else []
    return subprocess.run(["pdftotext", *options, "-enc", "UTF-8", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def _agenda_titles(page):
    return page.locator("#agenda tbody tr .agenda__title strong")


def _attendance_row(page, name: str):
    return page.locator("#attendance-list tbody tr", has_text=name)


def _minutes_section(page, number: int, title: str):
    return page.locator("section.minutes-item", has=page.get_by_role("heading", name=f"{number}. {title}"))


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext not found: install it with apt-get install poppler-utils")
def test_round_table_from_planning_to_locked_minutes(open_browser, seed, app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "COUNCIL_NAME", "Protidrogová komise Vymyšlenov")
    other_meetings = seed(_council)
    pictures = Path(os.environ.get("COUNCIL_SCREENSHOT_DIR") or tmp_path)
    pictures.mkdir(parents=True, exist_ok=True)
    day = date.today() + timedelta(days=7)

    # --- the secretary plans a round table ---------------------------------------------------
    secretary = open_browser()
    sign_in(secretary, SECRETARY)
    secretary.get_by_role("navigation", name="Main").get_by_role("link", name="Meetings").click()
    secretary.locator(".page-head").get_by_role("link", name="Plan a meeting").click()
    secretary.get_by_label("Title").fill("3. kulatý stůl k terénní práci")
    secretary.get_by_label("Type").select_option(label="Round table")
    secretary.get_by_label("Date").fill(day.isoformat())
    secretary.get_by_label("Starts at").fill("09:00")
    secretary.get_by_label("Ends at").fill("11:30")
    secretary.get_by_label("Place").fill("Radnice Vzorov, zasedací místnost 2")
    secretary.get_by_label("Chair").select_option(label="Jana Sekretářová")
    secretary.get_by_label("Recorder (writes the minutes)").select_option(label="Petr Zapisovatel")
    secretary.get_by_role("button", name="Save").click()
    expect(secretary.get_by_role("heading", level=1)).to_have_text("3. kulatý stůl k terénní práci")
    expect(secretary.get_by_text("The meeting is planned. Now build its agenda.")).to_be_visible()
    meeting_id = _meeting_id(secretary)
    meeting_url = f"/meetings/{meeting_id}"

    # She builds a six-item agenda; the form stays open for the next item.
    secretary.get_by_role("link", name="Add an item").click()
    agenda = secretary.locator("#agenda")
    for count, (title, minutes) in enumerate(ITEMS, start=1):
        expect(agenda.get_by_label("Title")).to_be_focused()  # ready for the next item
        agenda.get_by_label("Title").fill(title)
        agenda.get_by_label("Planned minutes").fill(str(minutes))
        agenda.get_by_role("button", name="Add the item").click()
        expect(agenda.get_by_role("status")).to_contain_text(f"“{title}” is added as item {count}.")
    agenda.get_by_role("link", name="Done adding").click()
    expect(_agenda_titles(secretary)).to_have_text([title for title, _minutes in ITEMS])

    # She reorders it with the move buttons: numbers and start times follow at once.
    for name, direction in (("Prevence ve školách", "Up"), ("Prevence ve školách", "Up"),
                            ("Substituční léčba v kraji", "Down")):
        before = agenda.locator(".agenda__title").all_inner_texts()
        agenda.get_by_role("button", name=f"{direction} ({name})").click()
        expect(agenda.locator(".agenda__title")).not_to_have_text(before)
    expect(_agenda_titles(secretary)).to_have_text(REORDERED)
    expect(agenda.locator(".agenda__number")).to_have_text([re.compile(rf"(^|\s){n}\.\s*$") for n in range(1, 7)])
    expect(agenda.locator(".agenda__time")).to_have_text(
        [re.compile(rf"^{time}\b") for time in ("9:00", "9:10", "9:30", "10:00", "10:15", "10:40")])

    agenda.get_by_role("button", name="Publish the agenda").click()
    expect(agenda.locator(".agenda__status")).to_contain_text("Published on")

    # She invites two organisations and a guest.
    secretary.locator("#invitations").get_by_role("link", name="Invite").click()
    by_organisation = secretary.get_by_role("region", name="An organisation")
    invited_heading = secretary.get_by_role("heading", name=re.compile("^Invited"))
    for invited_so_far, organisation in ((2, "Kontaktní centrum Vzorov"), (4, "Město Vzorov")):
        by_organisation.get_by_label("Organisation").select_option(label=f"{organisation} (2 people)")
        by_organisation.get_by_role("button", name="Invite the organisation").click()
        expect(invited_heading).to_have_text(f"Invited ({invited_so_far})")
        expect(secretary.get_by_text("2 people are invited.")).to_be_visible()
    guest_form = secretary.get_by_role("region", name="A guest")
    guest_form.get_by_label("Name").fill("Alena Hostová")
    guest_form.get_by_label("Organisation").fill("Ostravská univerzita")
    guest_form.get_by_label("Email").fill(GUEST)
    guest_form.get_by_role("button", name="Invite the guest").click()
    expect(secretary.get_by_role("heading", level=1)).to_have_text("Alena Hostová is invited")
    guest_link = secretary.get_by_label("Link to set a password").input_value()
    secretary.get_by_role("link", name="Invite more people").click()
    invited = secretary.get_by_role("region", name=re.compile("^Invited")).locator("tbody tr td:first-child")
    expect(invited).to_have_text(["Alena Hostová guest", "Eva Ověřovatelka", "Marie Členová",
                                  "Petr Zapisovatel", "Tomáš Úředník"])
    secretary.get_by_role("button", name="Send invitations").click()
    expect(secretary.locator(".badge--invited")).to_have_text("Invitations sent")

    # --- the guest sets her password and finds this meeting ----------------------------------
    guest = open_browser()
    guest.goto(guest_link)
    guest.get_by_label("New password", exact=True).fill(GUEST_PASSWORD)
    guest.get_by_label("New password again").fill(GUEST_PASSWORD)
    guest.get_by_role("button", name="Save password").click()
    guest.wait_for_url(re.compile(r"/login$"))
    sign_in(guest, GUEST, GUEST_PASSWORD)
    guest.get_by_role("navigation", name="Main").get_by_role("link", name="Meetings").click()
    expect(guest.locator("main").get_by_role("link", name=re.compile("kulatý stůl|Pracovní|Plénum"))).to_have_text(
        ["3. kulatý stůl k terénní práci"])
    guest.get_by_role("link", name="3. kulatý stůl k terénní práci").click()
    expect(_agenda_titles(guest)).to_have_text(REORDERED)
    expect(guest.get_by_role("button", name="I will attend")).to_be_visible()

    # --- a member answers "excused" with one click -------------------------------------------
    marie = open_browser()
    sign_in(marie, MARIE)
    marie.goto(meeting_url)
    marie.evaluate("window.stillTheSamePage = true")
    marie.get_by_role("button", name="I am excused").click()
    expect(marie.locator("#my-response")).to_contain_text("Your answer: you are excused.")
    expect(marie.get_by_role("button", name="I am excused")).to_have_attribute("aria-pressed", "true")
    expect(marie.locator("#invitation-counts")).to_contain_text("1 excused")
    assert marie.evaluate("window.stillTheSamePage") is True

    # --- after the meeting, the secretary marks it held and keeps the attendance list ----------
    secretary.goto(meeting_url)
    secretary.get_by_role("button", name="Mark as held").click()
    expect(secretary.locator(".badge--held")).to_have_text("Held")
    secretary.get_by_role("link", name="Attendance list").click()
    answers = {name: _attendance_row(secretary, name).locator("td").nth(2) for name in ATTENDANCE}
    expect(answers["Marie Členová"]).to_have_text("Excused")  # her own answer, before anything is marked
    expect(answers["Tomáš Úředník"]).to_have_text("–")
    for name, mark in ATTENDANCE.items():
        _attendance_row(secretary, name).get_by_role("button", name=mark).click()
        expect(_attendance_row(secretary, name).get_by_role("button", name=mark)).to_have_attribute(
            "aria-pressed", "true")
    expect(secretary.locator("#attendance-summary")).to_contain_text(
        "3 present · 1 excused · 1 absent · 0 not marked yet")

    # --- the recorder writes the minutes with two conclusions and sends them for review -------
    petr = open_browser()
    sign_in(petr, PETR)
    petr.goto(meeting_url)
    petr.get_by_role("button", name="Write the minutes").click()
    expect(petr.get_by_role("heading", level=1)).to_have_text("3. kulatý stůl k terénní práci")
    expect(petr.get_by_role("navigation", name="This meeting").locator("[aria-current=page]")).to_have_text("Minutes")
    expect(petr.locator("section[id^=minutes-item-] > h2")).to_have_text(
        [f"{number}. {title}" for number, title in enumerate(REORDERED, start=1)])
    fieldwork = _minutes_section(petr, 3, "Hlášení z terénní práce")
    fieldwork.get_by_label("Minutes of this item").fill("Terénní tým navštívil **12 lokalit**, nově i Sídliště Jih.")
    fieldwork.get_by_role("button", name="Save this item").click()
    expect(fieldwork.get_by_role("status")).to_have_text("Saved.")
    fieldwork.get_by_role("link", name="Add a conclusion").click()
    fieldwork.get_by_label("Conclusion").fill(FIRST_CONCLUSION)
    fieldwork.get_by_label("Responsible organisations").select_option(label="Kontaktní centrum Vzorov (KC)")
    fieldwork.get_by_label("The date means").select_option(label="ongoing from this date")
    fieldwork.get_by_label("Date", exact=True).fill(f"{day.year + 1}-09-01")
    fieldwork.get_by_role("button", name="Save the conclusion").click()
    expect(fieldwork.locator(".conclusion-list li")).to_have_count(1)
    expect(fieldwork.locator(".conclusion-list")).to_contain_text(FIRST_CONCLUSION)

    budget = _minutes_section(petr, 4, "Rozpočet na příští rok")
    budget.get_by_label("Minutes of this item").fill("Návrh rozpočtu představila Eva Ověřovatelka.")
    budget.get_by_role("button", name="Save this item").click()
    expect(budget.get_by_role("status")).to_have_text("Saved.")
    budget.get_by_role("link", name="Add a conclusion").click()
    budget.get_by_label("Conclusion").fill(SECOND_CONCLUSION)
    budget.get_by_label("Responsible people").select_option(label="Jana Sekretářová")
    budget.get_by_label("This is a decision of the council").check()
    budget.get_by_label("Votes for").fill("9")
    budget.get_by_label("Votes against").fill("0")
    budget.get_by_label("Abstained").fill("1")
    budget.get_by_role("button", name="Save the conclusion").click()
    expect(budget.locator(".conclusion-list")).to_contain_text(SECOND_CONCLUSION)

    petr.get_by_label("Reviewers").select_option(label="Eva Ověřovatelka")
    petr.get_by_role("button", name="Send the draft for review").click()
    expect(petr.get_by_text("The minutes are sent to the reviewers.")).to_be_visible()
    expect(petr.locator(".badge--minutes-in_review")).to_have_text("In review")

    # --- the reviewer approves --------------------------------------------------------------
    eva = open_browser()
    sign_in(eva, EVA)
    eva.goto(meeting_url)
    eva.get_by_role("link", name="Read and review the minutes").click()
    expect(eva.locator("main")).to_contain_text(FIRST_CONCLUSION)
    eva.get_by_role("button", name="Approve the minutes").click()
    expect(eva.get_by_text("Thank you: your approval of the minutes is recorded.")).to_be_visible()
    expect(eva.locator(".badge--minutes-reviewed")).to_have_text("Reviewed, waiting for approval")
    expect(eva.get_by_role("button", name="Approve and lock the minutes")).to_have_count(0)

    # A member cannot approve minutes: no button, and the server refuses a crafted request.
    marie.goto(f"{meeting_url}/minutes")
    expect(marie.locator(".badge--minutes-reviewed")).to_be_visible()
    expect(marie.get_by_role("button", name=re.compile("Approve"))).to_have_count(0)
    assert _post(marie, f"{meeting_url}/minutes/approve").status == 403

    # --- the secretary approves; the minutes are locked ---------------------------------------
    secretary.goto(meeting_url)
    secretary.get_by_role("link", name="Read and approve the minutes").click()
    secretary.get_by_role("button", name="Approve and lock the minutes").click()
    expect(secretary.get_by_text("The minutes are approved and locked.")).to_be_visible()
    expect(secretary.locator(".badge--minutes-approved")).to_have_text("Approved and locked")
    expect(secretary.locator(".badge--approved")).to_have_text("Minutes approved")
    expect(secretary.locator(".minutes-signature")).to_contain_text(
        re.compile(r"Recorded by Petr Zapisovatel on .+; reviewed by Eva Ověřovatelka on .+; "
                   r"approved by Jana Sekretářová on .+\."))
    secretary.screenshot(path=pictures / "meeting.png", caret="initial")
    secretary.get_by_role("link", name="Read the minutes").click()
    expect(secretary.locator("main")).to_contain_text(re.compile(r"Decision \d+/\d{4}"))

    # The recorder finds nothing left to edit, and the server refuses a change sent anyway.
    petr.goto(f"{meeting_url}/minutes")
    expect(petr.locator(".badge--minutes-approved")).to_have_text("Approved and locked")
    expect(petr.locator("main textarea, main input:not([type=hidden]), main select")).to_have_count(0)
    expect(petr.get_by_role("button", name=re.compile("Save|Send|Delete"))).to_have_count(0)
    expect(petr.get_by_role("link", name=re.compile("Add a conclusion|Edit|Correct"))).to_have_count(0)
    item_id = re.search(r"\d+", _minutes_section(petr, 3, "Hlášení z terénní práce").get_attribute("id")).group()
    # With the item's current version, so that nothing but the lock can be the reason for a "no".
    version = seed(lambda: db.session.get(AgendaItem, int(item_id)).version)
    refused = _post(petr, f"{meeting_url}/minutes/items/{item_id}", {"text": "Přepsáno potichu.",
                                                                      "version": str(version)})
    assert refused.status == 403
    assert "approved and locked" in refused.text()
    assert _post(petr, f"{meeting_url}/minutes/items/{item_id}/conclusions/new",
                 {"text": "Dodatečný závěr."}).status == 403
    petr.reload()
    expect(petr.locator("main")).to_contain_text("nově i Sídliště Jih")
    expect(petr.locator("main")).not_to_contain_text("Přepsáno potichu.")
    expect(petr.locator("main")).not_to_contain_text("Dodatečný závěr.")
    petr.screenshot(path=pictures / "minutes.png", caret="initial")

    # --- the PDF of the minutes has the items in the new order --------------------------------
    secretary.goto(f"{meeting_url}/minutes")
    minutes_pdf = _pdf_text(secretary, _page_pdf_link(secretary), tmp_path)
    programme_and_items = [line.split(". ", 1)[1] for line in minutes_pdf.split("Programme", 1)[1].splitlines()
                           if re.match(r"\d+\. ", line)]
    assert programme_and_items == REORDERED + REORDERED, minutes_pdf
    for text in (FIRST_CONCLUSION, SECOND_CONCLUSION, "nově i Sídliště Jih", "Responsible: Kontaktní centrum Vzorov",
                 "Votes: 9 for, 0 against, 1 abstained", "Recorded by Petr Zapisovatel"):
        assert text in minutes_pdf, text
    assert re.search(r"Decision \d+/\d{4}: " + re.escape(SECOND_CONCLUSION), minutes_pdf), minutes_pdf
    assert "draft, not approved" not in minutes_pdf

    # --- the attendance list shows who came and who was excused -------------------------------
    # Who came is part of the approved minutes: the list no longer changes, for anyone.
    secretary.get_by_role("link", name="Overview and agenda").click()
    expect(secretary.locator("#invitation-counts")).to_contain_text("3 present")
    secretary.locator("#invitations").get_by_role("link", name="Invitees and attendance").click()
    expect(secretary.locator("main")).to_contain_text("locked with them")
    for page in (secretary, marie):
        page.goto(f"{meeting_url}/attendance")
        for name, mark in ATTENDANCE.items():
            expect(_attendance_row(page, name).locator("td").last).to_have_text(mark)
        expect(page.locator("main form button")).to_have_count(0)
    attendance_pdf = _pdf_text(secretary, _page_pdf_link(secretary), tmp_path, layout=True)
    # One row per invitee: "1.  Alena Hostová  Ostravská univerzita  present" (long names wrap).
    marked = {match[0]: match[1] for match in re.findall(r"^\s*\d+\.\s+(\S+).*?\s(present|excused|absent)\s*$",
                                                         attendance_pdf, re.M)}
    assert marked == {name.split()[0]: mark.lower() for name, mark in ATTENDANCE.items()}, attendance_pdf

    # --- the guest reads the approved minutes of her meeting, and gets 403 on every other one --
    guest.goto(f"{meeting_url}/minutes")
    expect(guest.locator(".badge--minutes-approved")).to_have_text("Approved and locked")
    expect(guest.locator("main")).to_contain_text(SECOND_CONCLUSION)
    open_browser.expect_http_error(403)
    for other in other_meetings:
        assert guest.goto(f"/meetings/{other}").status == 403
        expect(guest.get_by_role("alert")).to_contain_text("Not allowed")
        for path in (f"/meetings/{other}/agenda", f"/meetings/{other}/minutes", f"/meetings/{other}/print/agenda",
                     f"/meetings/{other}/agenda.pdf", f"/meetings/{other}/attendance.pdf", f"/meetings/{other}.ics"):
            assert guest.request.get(path, max_redirects=0).status == 403, path
