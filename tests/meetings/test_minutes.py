"""The recorder writes the minutes per agenda item, with general notes and the next meeting;
nobody overwrites anybody silently. (The helpers here are shared by the other minutes tests.)"""
import html
import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import g, request_started

from council.auth.roles import Role
from council.core.text import utcnow
from council.core.timezones import utc_to_local
from council.extensions import db
from council.meetings import minutes
from council.meetings.models import AgendaItem, Meeting, MeetingStatus, Minutes
from tests.conftest import create_person
from tests.helpers import text_of
from tests.meetings.factories import create_meeting

LAST_SPRING = datetime(2026, 3, 12, 9, 0)


@pytest.fixture(autouse=True)
def fresh_request_globals(app):
    """Every request starts with an empty ``g``, as in production (the test's app context is
    reused by the requests, so one client's signed-in person would leak into the next)."""

    def clear(_sender, **_extra):
        for name in list(g):
            g.pop(name)

    request_started.connect(clear, app)
    yield
    request_started.disconnect(clear, app)


# --- helpers shared by the minutes tests ------------------------------------------------------


def field_error(response, field_id: str) -> str | None:
    match = re.search(rf'<p class="error" id="{field_id}-error">([^<]*)</p>', response.get_data(as_text=True))
    return html.unescape(match.group(1)) if match else None


def textarea(response, element_id: str) -> str | None:
    match = re.search(rf'<textarea[^>]*\bid="{element_id}"[^>]*>(.*?)</textarea>',
                      response.get_data(as_text=True), re.S)
    return html.unescape(match.group(1)).strip("\r\n") if match else None


def version_in(response, form_id: str) -> str:
    page = response.get_data(as_text=True)
    start = page.index(f'id="{form_id}"')
    match = re.search(r'name="version" value="(\d+)"', page[start:])
    assert match, f"the form {form_id} carries no version"
    return match.group(1)


def meeting_with_minutes(recorder, items=("Úvod", "Sdílený terén"), starts=LAST_SPRING, **kwargs) -> Meeting:
    """A meeting that was held, whose draft minutes the recorder has started."""
    meeting = create_meeting(starts=starts, items=items, recorder=recorder, **kwargs)
    minutes.start_minutes(meeting, recorder)
    return meeting


def item_ids(meeting_id: int) -> list[int]:
    return list(db.session.scalars(
        sa.select(AgendaItem.id).where(AgendaItem.meeting_id == meeting_id).order_by(AgendaItem.position)))


def item_text(item_id: int) -> str:
    db.session.rollback()  # end the test's read transaction: see what the requests committed
    return db.session.get(AgendaItem, item_id).minutes_text


def minutes_of(meeting_id: int) -> Minutes | None:
    db.session.rollback()  # end the test's read transaction: see what the requests committed
    return db.session.scalar(sa.select(Minutes).where(Minutes.meeting_id == meeting_id))


def save_item(client, meeting_id: int, item_id: int, text: str, version, **kwargs):
    return client.submit(f"/meetings/{meeting_id}/minutes/items/{item_id}",
                         {"text": text, "version": str(version)}, **kwargs)


# --- starting and writing ---------------------------------------------------------------------

def test_recorder_starts_the_minutes_and_the_meeting_counts_as_held(app, signed_in, people):
    an_hour_ago = utc_to_local(utcnow()) - timedelta(hours=1)  # in the council's time zone
    meeting = create_meeting(starts=an_hour_ago, items=["Úvod"],
                             recorder=people[Role.MEMBER])
    client = signed_in(Role.MEMBER)
    page = client.get(f"/meetings/{meeting.id}")
    assert "Write the minutes" in text_of(page)
    response = client.submit(f"/meetings/{meeting.id}/minutes/start", token_from=f"/meetings/{meeting.id}")
    assert response.status_code == 302
    assert response.location.endswith(f"/meetings/{meeting.id}/minutes")
    assert minutes_of(meeting.id).status == "draft"
    assert db.session.get(Meeting, meeting.id).status == MeetingStatus.HELD
    writing = text_of(client.get(response.location))
    assert "Save this item" in writing and "Send for review" in writing


def test_minutes_cannot_be_started_before_the_meeting_begins(app, signed_in, people):
    meeting = create_meeting(items=["Úvod"], recorder=people[Role.MEMBER])  # next week
    client = signed_in(Role.MEMBER)
    assert "Write the minutes" not in text_of(client.get(f"/meetings/{meeting.id}"))
    response = client.submit(f"/meetings/{meeting.id}/minutes/start")
    assert response.status_code == 403
    assert "once the meeting has begun" in text_of(response)
    assert minutes_of(meeting.id) is None


def test_minutes_text_is_rendered_as_markdown_without_scripts(app, signed_in, people):
    meeting = meeting_with_minutes(people[Role.MEMBER])
    first, _second = item_ids(meeting.id)
    client = signed_in(Role.MEMBER)
    text = "Pan Antony **přivítal** přítomné.\n\n- sdílený terén\n- stáže\n\n<script>alert(1)</script>"
    response = save_item(client, meeting.id, first, text, 1)
    assert response.status_code == 302
    assert item_text(first) == text
    reader = signed_in(Role.FACILITATOR)
    page = reader.get(f"/meetings/{meeting.id}/minutes").get_data(as_text=True)
    assert "<strong>přivítal</strong>" in page
    assert "<li>sdílený terén</li>" in page
    assert "<script>alert(1)</script>" not in page


def test_htmx_saves_an_item_in_place(app, signed_in, people):
    meeting = meeting_with_minutes(people[Role.MEMBER])
    first, _second = item_ids(meeting.id)
    client = signed_in(Role.MEMBER)
    target = f"minutes-item-{first}-minutes"
    response = save_item(client, meeting.id, first, "Zápis prvního bodu", 1,
                         headers={"HX-Request": "true", "HX-Target": target})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith(f'<form id="{target}"')
    assert "<html" not in body
    assert "Saved." in body
    assert version_in(response, target) == "2"
    assert item_text(first) == "Zápis prvního bodu"


def test_second_person_saving_the_same_item_sees_both_texts_and_keeps_theirs(app, make_client, people):
    meeting = meeting_with_minutes(people[Role.MEMBER])
    first, _second = item_ids(meeting.id)
    recorder, secretary = make_client(), make_client()
    recorder.login(people[Role.MEMBER].email)
    secretary.login(people[Role.SECRETARY].email)
    form_id = f"minutes-item-{first}-minutes"
    opened_by_recorder = version_in(recorder.get(f"/meetings/{meeting.id}/minutes"), form_id)
    opened_by_secretary = version_in(secretary.get(f"/meetings/{meeting.id}/minutes"), form_id)

    assert save_item(recorder, meeting.id, first, "Text of the recorder", opened_by_recorder).status_code == 302
    clash = save_item(secretary, meeting.id, first, "Text of the secretary", opened_by_secretary)

    assert clash.status_code == 409
    assert "Someone else saved this in the meantime" in text_of(clash)
    assert textarea(clash, f"minutes-item-{first}-theirs-1") == "Text of the recorder"
    assert textarea(clash, f"minutes-item-{first}-text") == "Text of the secretary"
    assert item_text(first) == "Text of the recorder"
    # Having seen the other text, the secretary saves on purpose: now it is accepted.
    again = save_item(secretary, meeting.id, first, "Text of the secretary", version_in(clash, form_id))
    assert again.status_code == 302
    assert item_text(first) == "Text of the secretary"


def test_htmx_conflict_answers_409_with_the_item_fragment(app, make_client, people):
    meeting = meeting_with_minutes(people[Role.MEMBER])
    first, _second = item_ids(meeting.id)
    recorder, secretary = make_client(), make_client()
    recorder.login(people[Role.MEMBER].email)
    secretary.login(people[Role.SECRETARY].email)
    save_item(recorder, meeting.id, first, "Mine", 1)
    target = f"minutes-item-{first}-minutes"
    clash = save_item(secretary, meeting.id, first, "Yours", 1, headers={"HX-Request": "true", "HX-Target": target})
    assert clash.status_code == 409
    assert clash.get_data(as_text=True).lstrip().startswith(f'<form id="{target}"')
    assert "Mine" in text_of(clash) and "Yours" in text_of(clash)


def test_general_notes_and_the_next_meeting_are_saved_and_shown(app, signed_in, people):
    meeting = meeting_with_minutes(people[Role.MEMBER])
    client = signed_in(Role.MEMBER)
    response = client.submit(f"/meetings/{meeting.id}/minutes/general", {
        "general_notes": "Příští setkání připraví MMO.", "next_meeting_date": "",
        "next_meeting_note": "na podzim, termín bude upřesněn", "version": "1"})
    assert response.status_code == 302
    record = minutes_of(meeting.id)
    assert record.general_notes == "Příští setkání připraví MMO."
    assert record.next_meeting_note == "na podzim, termín bude upřesněn"
    page = text_of(signed_in(Role.FACILITATOR).get(f"/meetings/{meeting.id}/minutes"))
    assert "Příští setkání připraví MMO." in page
    assert "na podzim, termín bude upřesněn" in page
    client.submit(f"/meetings/{meeting.id}/minutes/general", {
        "general_notes": "Příští setkání připraví MMO.", "next_meeting_date": "2026-10-15",
        "next_meeting_note": "", "version": str(record.version)})
    assert "October 15, 2026" in text_of(signed_in(Role.FACILITATOR).get(f"/meetings/{meeting.id}/minutes"))


def test_a_wrong_date_for_the_next_meeting_is_explained_and_the_notes_kept(app, signed_in, people):
    meeting = meeting_with_minutes(people[Role.MEMBER])
    client = signed_in(Role.MEMBER)
    response = client.submit(f"/meetings/{meeting.id}/minutes/general", {
        "general_notes": "Typed notes are kept", "next_meeting_date": "15. 10. 2026",
        "next_meeting_note": "", "version": "1"})
    assert response.status_code == 422
    assert field_error(response, "next_meeting_date") == "Enter a date like 2026-09-30."
    assert textarea(response, "general_notes") == "Typed notes are kept"
    assert minutes_of(meeting.id).general_notes == ""


def test_two_people_saving_the_general_notes_do_not_overwrite_each_other(app, make_client, people):
    meeting = meeting_with_minutes(people[Role.MEMBER])
    recorder, secretary = make_client(), make_client()
    recorder.login(people[Role.MEMBER].email)
    secretary.login(people[Role.SECRETARY].email)
    data = {"next_meeting_date": "", "next_meeting_note": "", "version": "1"}
    assert recorder.submit(f"/meetings/{meeting.id}/minutes/general",
                           {**data, "general_notes": "Notes of the recorder"}).status_code == 302
    clash = secretary.submit(f"/meetings/{meeting.id}/minutes/general",
                             {**data, "general_notes": "Notes of the secretary"})
    assert clash.status_code == 409
    assert textarea(clash, "general-theirs-1") == "Notes of the recorder"
    assert textarea(clash, "general_notes") == "Notes of the secretary"
    assert minutes_of(meeting.id).general_notes == "Notes of the recorder"


def test_member_who_is_not_the_recorder_cannot_write_minutes(app, signed_in, people):
    recorder = create_person("recorder@example.org", name="Zapisovatelka")
    meeting = meeting_with_minutes(recorder)
    other = create_meeting(starts=LAST_SPRING - timedelta(days=30), recorder=recorder)
    first, _second = item_ids(meeting.id)
    client = signed_in(Role.MEMBER)
    page = text_of(client.get(f"/meetings/{meeting.id}/minutes"))
    assert "Save this item" not in page and "Add a conclusion" not in page
    assert save_item(client, meeting.id, first, "Not mine to write", 1).status_code == 403
    assert client.submit(f"/meetings/{meeting.id}/minutes/general",
                         {"general_notes": "x", "version": "1"}).status_code == 403
    assert client.submit(f"/meetings/{meeting.id}/minutes/items/{first}/conclusions/new",
                         {"text": "x"}).status_code == 403
    assert client.submit(f"/meetings/{meeting.id}/minutes/send",
                         {"reviewers": str(people[Role.MEMBER].id)}).status_code == 403
    assert client.submit(f"/meetings/{other.id}/minutes/start").status_code == 403
    assert item_text(first) == ""
    assert minutes_of(other.id) is None


def test_secretary_may_write_the_minutes_of_any_meeting(app, signed_in, people):
    meeting = meeting_with_minutes(people[Role.MEMBER])
    first, _second = item_ids(meeting.id)
    assert save_item(signed_in(Role.SECRETARY), meeting.id, first, "Doplnila tajemnice", 1).status_code == 302
    assert item_text(first) == "Doplnila tajemnice"


def test_an_item_of_another_meeting_is_not_found(app, signed_in, people):
    meeting = meeting_with_minutes(people[Role.MEMBER])
    other = meeting_with_minutes(people[Role.MEMBER], items=["Jiný bod"], starts=LAST_SPRING - timedelta(days=60))
    (foreign,) = item_ids(other.id)
    assert save_item(signed_in(Role.MEMBER), meeting.id, foreign, "x", 1).status_code == 404


def test_invited_guest_reads_the_minutes_of_their_meeting(app, signed_in, people):
    meeting = meeting_with_minutes(people[Role.MEMBER], invite=[people[Role.GUEST]])
    first, _second = item_ids(meeting.id)
    save_item(signed_in(Role.MEMBER), meeting.id, first, "Host vyslechl úvod.", 1)
    guest = signed_in(Role.GUEST)
    assert f'href="/meetings/{meeting.id}/minutes"' in text_of(guest.get(f"/meetings/{meeting.id}"))
    assert "Host vyslechl úvod." in text_of(guest.get(f"/meetings/{meeting.id}/minutes"))
    assert save_item(guest, meeting.id, first, "x", 2).status_code == 403


def test_a_save_without_its_version_or_with_control_characters_is_refused_and_the_text_kept(app, signed_in, people):
    meeting = meeting_with_minutes(people[Role.MEMBER])
    first, _second = item_ids(meeting.id)
    client = signed_in(Role.MEMBER)
    incomplete = client.submit(f"/meetings/{meeting.id}/minutes/items/{first}", {"text": "Bez verze"})
    assert incomplete.status_code == 422
    assert "The form is incomplete; reload the page." in text_of(incomplete)
    assert textarea(incomplete, f"minutes-item-{first}-text") == "Bez verze"
    hostile = save_item(client, meeting.id, first, "Zvonek\x07", 1)
    assert hostile.status_code == 422
    assert field_error(hostile, f"minutes-item-{first}-text") == "Remove the invisible control characters."
    too_long = save_item(client, meeting.id, first, "x" * 50_001, 1)
    assert too_long.status_code == 422
    assert field_error(too_long, f"minutes-item-{first}-text") == "Use at most 50000 characters."
    assert item_text(first) == ""


def test_the_meetings_pages_are_tabs_that_mark_where_the_reader_is(app, signed_in, people):
    meeting = meeting_with_minutes(people[Role.MEMBER], invite=[people[Role.GUEST]])
    base = f"/meetings/{meeting.id}"
    for client in (signed_in(Role.MEMBER), signed_in(Role.GUEST)):
        for path, current in ((base, "Overview and agenda"), (f"{base}/attendance", "Invitees and attendance"),
                              (f"{base}/minutes", "Minutes")):
            page = text_of(client.get(path))
            tabs = page[page.index('<nav class="tabs"'):page.index("</nav>", page.index('<nav class="tabs"'))]
            assert tabs.count("<a ") == 3
            assert tabs.count('aria-current="page"') == 1
            assert f'href="{path}" aria-current="page">{current}</a>' in tabs
