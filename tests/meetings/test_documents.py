"""Printable documents, PDF downloads, calendar files and attachments."""
import io
import shutil
import subprocess
from datetime import datetime

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from council.audit.models import AuditEntry
from council.auth.roles import Role
from council.extensions import db
from council.meetings import minutes as minutes_rules
from council.meetings.models import Attachment, Conclusion
from tests.meetings.factories import create_meeting

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/MediaBox[0 0 3 3]/Parent 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4c40000000049454e44ae426082")


def pdf_text(data: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: apt-get install poppler-utils")
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


@pytest.fixture
def meeting_id(app, people):
    with app.app_context():
        meeting = create_meeting(
            "Kulatý stůl – sdílený terén", starts=datetime(2027, 6, 14, 9, 0),
            items=[("Úvod, představení", 10), ("Reflexe výstupů", 30), ("Sdílený terén", 45)],
            recorder=people[Role.MEMBER], invite=[people[Role.MEMBER], people[Role.GUEST]],
        )
        return meeting.id


def test_agenda_pdf_lists_the_items_in_order_with_start_times(app, signed_in, meeting_id):
    response = signed_in(Role.MEMBER).get(f"/meetings/{meeting_id}/agenda.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    text = pdf_text(response.data)
    assert text.index("Úvod, představení") < text.index("Reflexe výstupů") < text.index("Sdílený terén")
    assert "9:00" in text and "9:10" in text and "9:40" in text
    assert "TEST COUNCIL" in text  # the council heading, in small caps


def test_minutes_pdf_has_conclusions_and_the_signature_line(app, signed_in, people, meeting_id):
    with app.app_context():
        from council.meetings.models import Meeting

        meeting = db.session.get(Meeting, meeting_id)
        minutes = minutes_rules.start_minutes(meeting, people[Role.MEMBER])
        item = meeting.agenda_items[2]
        minutes_rules.save_item_minutes(item, "Organizace si předávají informace o lokalitách.", item.version)
        item.conclusions.append(Conclusion(text="Informovat se o nalezených injekčních setech", is_decision=True))
        db.session.commit()
        minutes_rules.send_for_review(minutes, [db.session.merge(people[Role.FACILITATOR])], people[Role.MEMBER])
        minutes_rules.approve_review(minutes, people[Role.FACILITATOR])
        minutes_rules.approve(minutes, people[Role.SECRETARY])
    text = pdf_text(signed_in(Role.MEMBER).get(f"/meetings/{meeting_id}/minutes.pdf").data)
    assert "Organizace si předávají informace" in text
    assert "1/2027" in text
    assert "Recorded by" in text and "reviewed by" in text and people[Role.FACILITATOR].name in text


def test_printable_pages_use_the_print_stylesheet(signed_in, meeting_id):
    page = signed_in(Role.MEMBER).get(f"/meetings/{meeting_id}/print/attendance")
    assert page.status_code == 200
    assert b"document.css" in page.data and b"Signature" in page.data
    assert signed_in(Role.MEMBER).get(f"/meetings/{meeting_id}/print/minutes").status_code == 404  # none yet
    assert signed_in(Role.MEMBER).get(f"/meetings/{meeting_id}/print/whatever").status_code == 404


def test_meeting_ics_is_a_valid_calendar(signed_in, meeting_id):
    response = signed_in(Role.MEMBER).get(f"/meetings/{meeting_id}.ics")
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    assert str(event["SUMMARY"]) == "Kulatý stůl – sdílený terén"
    assert event.decoded("DTSTART").isoformat() == "2027-06-14T07:00:00+00:00"  # 9:00 in Prague (summer)
    assert "1. Úvod, představení" in str(event["DESCRIPTION"])
    assert str(event["UID"]).startswith(f"meeting-{meeting_id}@")


def test_personal_calendar_feed_works_with_its_secret_and_stops_when_revoked(app, make_client, signed_in, meeting_id):
    with app.app_context():
        create_meeting("Jednání bez hosta")
    guest = signed_in(Role.GUEST)
    assert guest.submit("/meetings/calendar", {"action": "new"}, token_from="/meetings/calendar").status_code == 302
    page = guest.get("/meetings/calendar").data.decode()
    feed_path = page.split('id="calendar-feed" type="text" readonly value="http://localhost')[1].split('"')[0]
    anonymous = make_client()
    feed = anonymous.get(feed_path)
    assert feed.status_code == 200
    summaries = [str(e["SUMMARY"]) for e in Calendar.from_ical(feed.data).walk("VEVENT")]
    assert summaries == ["Kulatý stůl – sdílený terén"]  # only the meeting the guest is invited to
    guest.submit("/meetings/calendar", {"action": "revoke"}, token_from="/meetings/calendar")
    assert anonymous.get(feed_path).status_code == 404
    assert anonymous.get("/meetings/calendar/not-a-token.ics").status_code == 404


def _upload(client, meeting_id, name, content):
    return client.submit(f"/meetings/{meeting_id}/attachments",
                         {"file": (io.BytesIO(content), name), "agenda_item_id": "0"},
                         token_from=f"/meetings/{meeting_id}", content_type="multipart/form-data")


def test_secretary_attaches_a_pdf_that_members_download_as_attachment(app, signed_in, meeting_id):
    secretary = signed_in(Role.SECRETARY)
    assert _upload(secretary, meeting_id, "příloha zápisu.pdf", MINIMAL_PDF).status_code == 302
    with app.app_context():
        attachment = db.session.scalar(sa.select(Attachment))
        assert attachment.content_type == "application/pdf"
        assert attachment.stored_name not in attachment.filename
        attachment_id = attachment.id
    member = signed_in(Role.MEMBER)
    assert "příloha zápisu.pdf" in member.get(f"/meetings/{meeting_id}").data.decode()
    download = member.get(f"/meetings/attachments/{attachment_id}")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.data == MINIMAL_PDF
    download.close()


@pytest.mark.parametrize(("name", "content"), [
    ("zapis.pdf", b"this is plain text pretending to be a PDF"),
    ("obrazek.pdf", PNG),  # a picture with a PDF name
    ("program.exe", b"MZ\x90\x00" + b"\x00" * 100),
    ("prazdny.pdf", b""),
])
def test_files_are_checked_by_content_not_by_name(app, signed_in, meeting_id, name, content):
    response = _upload(signed_in(Role.SECRETARY), meeting_id, name, content)
    assert response.status_code == 422
    assert b"Attach a PDF, an office document" in response.data or b"Choose a file." in response.data
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Attachment)) == 0


def test_a_too_large_file_gets_a_clear_413_page(app, signed_in, meeting_id):
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 2048
    try:
        response = _upload(signed_in(Role.SECRETARY), meeting_id, "velky.pdf", MINIMAL_PDF + b"0" * 4096)
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert response.status_code == 413
    assert b"File too large" in response.data


def test_only_people_who_may_see_the_meeting_download_and_removal_is_audited(app, signed_in, people, meeting_id):
    with app.app_context():
        other_id = create_meeting("Jiné jednání").id
    secretary = signed_in(Role.SECRETARY)
    _upload(secretary, other_id, "tajne.png", PNG)
    with app.app_context():
        attachment_id = db.session.scalar(sa.select(Attachment.id))
    assert signed_in(Role.GUEST).get(f"/meetings/attachments/{attachment_id}").status_code == 403
    member = signed_in(Role.MEMBER)
    assert member.submit(f"/meetings/attachments/{attachment_id}/delete").status_code == 403
    assert _upload(member, other_id, "x.png", PNG).status_code == 403
    assert secretary.submit(f"/meetings/attachments/{attachment_id}/delete").status_code == 302
    assert member.get(f"/meetings/attachments/{attachment_id}").status_code == 404
    with app.app_context():
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.object_type == "attachment",
                                                              AuditEntry.action == "delete"))
        assert entry is not None and entry.summary == "tajne.png"
        assert entry.actor_id == people[Role.SECRETARY].id


def test_the_upload_form_opens_on_the_meeting_page_or_on_its_own(signed_in, meeting_id):
    secretary = signed_in(Role.SECRETARY)
    page = secretary.get(f"/meetings/{meeting_id}").data.decode()
    upload_url = f"/meetings/{meeting_id}/attachments"
    assert f'href="{upload_url}" hx-get="{upload_url}" hx-target="#attachment-upload"' in page
    fragment = secretary.get(upload_url, headers={"HX-Request": "true", "HX-Target": "attachment-upload"})
    assert fragment.status_code == 200 and b"<html" not in fragment.data
    assert b'enctype="multipart/form-data"' in fragment.data and b"1. \xc3\x9avod, p\xc5\x99edstaven\xc3\xad" in fragment.data
    whole = secretary.get(upload_url)
    assert whole.status_code == 200 and b"<html" in whole.data and b'enctype="multipart/form-data"' in whole.data
    # The member here is the meeting's recorder, who may attach; another member may not.
    assert upload_url in signed_in(Role.MEMBER).get(f"/meetings/{meeting_id}").data.decode()
    other = signed_in(Role.FACILITATOR)
    assert upload_url not in other.get(f"/meetings/{meeting_id}").data.decode()
    assert other.get(upload_url).status_code == 403
