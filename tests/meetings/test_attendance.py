"""The attendance list on the day: toggles that save at once, walk-ins, who may keep it,
and the printed list that people sign."""
import html
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from council.auth.roles import Role
from council.core.text import utcnow
from council.core.timezones import utc_to_local
from council.extensions import db
from council.meetings.models import Attendance, Invitation, Meeting, MeetingStatus
from tests.conftest import count_queries, create_organisation, create_person
from tests.helpers import text_of
from tests.meetings.factories import create_meeting

HTMX = {"HX-Request": "true"}


def latest():
    """End the test's own read transaction, so that it sees what the requests committed."""
    db.session.rollback()


def field_error(response, field_id: str) -> str | None:
    match = re.search(rf'<p class="error" id="{field_id}-error">([^<]*)</p>', response.get_data(as_text=True))
    return html.unescape(match.group(1)) if match else None


def started_an_hour_ago():
    return utc_to_local(utcnow() - timedelta(hours=1)).replace(second=0, microsecond=0)


def meeting_today(**kwargs) -> Meeting:
    return create_meeting(starts=started_an_hour_ago(), **kwargs)


def invitation_of(meeting_id: int, person_id: int) -> Invitation:
    latest()
    return db.session.scalar(sa.select(Invitation).where(Invitation.meeting_id == meeting_id,
                                                         Invitation.person_id == person_id))


def status_of(meeting_id: int) -> str:
    latest()
    return db.session.scalar(sa.select(Meeting.status).where(Meeting.id == meeting_id))


# --- who may keep the list --------------------------------------------------------------------

def test_member_cannot_keep_attendance(signed_in, people):
    meeting = meeting_today(invite=[people[Role.MEMBER]])
    invitation = invitation_of(meeting.id, people[Role.MEMBER].id)
    member = signed_in(Role.MEMBER)
    page = member.get(f"/meetings/{meeting.id}/attendance")
    assert page.status_code == 200  # who is invited, without the buttons that record attendance
    assert "Member" in text_of(page) and 'name="attendance"' not in text_of(page)
    assert "Someone came without an invitation" not in text_of(page)
    assert member.submit(f"/meetings/{meeting.id}/attendance/{invitation.id}",
                         {"attendance": "present"}).status_code == 403
    assert member.submit(f"/meetings/{meeting.id}/attendance/walk-in",
                         {"walk_in-name": "Someone"}).status_code == 403
    assert signed_in(Role.GUEST).get(f"/meetings/{meeting.id}/attendance").status_code == 403
    assert invitation_of(meeting.id, people[Role.MEMBER].id).attendance == Attendance.UNKNOWN
    assert status_of(meeting.id) == MeetingStatus.PLANNED


@pytest.mark.parametrize("role_in_meeting", ["chair", "recorder", "facilitator"])
def test_the_people_running_the_meeting_keep_attendance(signed_in, people, role_in_meeting):
    member = people[Role.MEMBER]
    meeting = meeting_today(invite=[people[Role.FACILITATOR]], **{role_in_meeting: member})
    invitation = invitation_of(meeting.id, people[Role.FACILITATOR].id)
    client = signed_in(Role.MEMBER)
    assert client.get(f"/meetings/{meeting.id}/attendance").status_code == 200
    response = client.submit(f"/meetings/{meeting.id}/attendance/{invitation.id}", {"attendance": "present"})
    assert response.status_code == 302
    assert invitation_of(meeting.id, people[Role.FACILITATOR].id).attendance == Attendance.PRESENT


def test_meeting_page_offers_the_attendance_list_to_those_who_keep_it_and_the_invitees_to_others(
        signed_in, people):
    meeting = meeting_today(invite=[people[Role.MEMBER]])
    secretary_page = text_of(signed_in(Role.SECRETARY).get(f"/meetings/{meeting.id}"))
    member_page = text_of(signed_in(Role.MEMBER).get(f"/meetings/{meeting.id}"))
    link = f'href="/meetings/{meeting.id}/attendance">'
    assert f'{link}Attendance list</a>' in secretary_page
    assert f'{link}Invitees and attendance</a>' in member_page and "Attendance list</a>" not in member_page


# --- toggles --------------------------------------------------------------------------------

def test_secretary_marks_present_and_gets_a_small_row_back(signed_in, people):
    meeting = meeting_today(invite=[people[Role.MEMBER], people[Role.FACILITATOR]])
    invitation = invitation_of(meeting.id, people[Role.MEMBER].id)
    client = signed_in(Role.SECRETARY)
    page = text_of(client.get(f"/meetings/{meeting.id}/attendance"))
    assert f'id="attendance-row-{invitation.id}"' in page and "Member" in page and "Město Vzorov" in page

    response = client.submit(f"/meetings/{meeting.id}/attendance/{invitation.id}", {"attendance": "present"},
                             headers={**HTMX, "HX-Target": f"attendance-row-{invitation.id}"})
    assert response.status_code == 200
    assert len(response.data) < 2048, len(response.data)
    fragment = text_of(response)
    assert fragment.lstrip().startswith(f'<tr id="attendance-row-{invitation.id}"')
    assert "<html" not in fragment
    assert re.search(r'value="present" class="button" aria-pressed="true"', fragment)
    assert response.headers["HX-Trigger"] == "attendance-changed"
    assert invitation_of(meeting.id, people[Role.MEMBER].id).attendance == Attendance.PRESENT
    assert status_of(meeting.id) == MeetingStatus.HELD  # recording attendance marks it held

    again = client.submit(f"/meetings/{meeting.id}/attendance/{invitation.id}", {"attendance": "absent"},
                          headers={**HTMX, "HX-Target": f"attendance-row-{invitation.id}"})
    assert re.search(r'value="absent" class="button" aria-pressed="true"', text_of(again))
    assert invitation_of(meeting.id, people[Role.MEMBER].id).attendance == Attendance.ABSENT
    summary = client.get(f"/meetings/{meeting.id}/attendance", headers={**HTMX, "HX-Target": "attendance-summary"})
    assert "<html" not in text_of(summary)
    assert "0 present" in text_of(summary) and "1 absent" in text_of(summary)
    assert "1 not marked yet" in text_of(summary)


def test_attendance_toggle_works_without_javascript(signed_in, people):
    meeting = meeting_today(invite=[people[Role.MEMBER]])
    invitation = invitation_of(meeting.id, people[Role.MEMBER].id)
    client = signed_in(Role.SECRETARY)
    response = client.submit(f"/meetings/{meeting.id}/attendance/{invitation.id}", {"attendance": "excused"})
    assert response.status_code == 302
    assert response.location == f"/meetings/{meeting.id}/attendance#attendance-row-{invitation.id}"
    assert invitation_of(meeting.id, people[Role.MEMBER].id).attendance == Attendance.EXCUSED


@pytest.mark.parametrize("value", ["", "unknown", "present ", "PRESENT", "<b>"])
def test_an_unknown_attendance_value_is_refused(signed_in, people, value):
    meeting = meeting_today(invite=[people[Role.MEMBER]])
    invitation = invitation_of(meeting.id, people[Role.MEMBER].id)
    client = signed_in(Role.SECRETARY)
    response = client.submit(f"/meetings/{meeting.id}/attendance/{invitation.id}", {"attendance": value},
                             headers={**HTMX, "HX-Target": f"attendance-row-{invitation.id}"})
    assert response.status_code == 422
    assert "Choose present, excused or absent." in text_of(response)
    assert invitation_of(meeting.id, people[Role.MEMBER].id).attendance == Attendance.UNKNOWN
    assert status_of(meeting.id) == MeetingStatus.PLANNED


def test_an_invitation_of_another_meeting_is_not_found(signed_in, people):
    meeting = meeting_today(invite=[people[Role.MEMBER]])
    other = meeting_today(invite=[people[Role.MEMBER]])
    theirs = invitation_of(other.id, people[Role.MEMBER].id)
    client = signed_in(Role.SECRETARY)
    assert client.submit(f"/meetings/{meeting.id}/attendance/{theirs.id}",
                         {"attendance": "present"}).status_code == 404
    assert client.get("/meetings/999999/attendance").status_code == 404


def test_attendance_opens_on_the_day_of_the_meeting(signed_in, people):
    meeting = create_meeting(invite=[people[Role.MEMBER]])  # next week
    invitation = invitation_of(meeting.id, people[Role.MEMBER].id)
    client = signed_in(Role.SECRETARY)
    page = text_of(client.get(f"/meetings/{meeting.id}/attendance"))
    assert "opens on the day of the meeting" in page
    assert 'name="attendance"' not in page
    response = client.submit(f"/meetings/{meeting.id}/attendance/{invitation.id}", {"attendance": "excused"},
                             headers={**HTMX, "HX-Target": f"attendance-row-{invitation.id}"})
    assert response.status_code == 409
    assert invitation_of(meeting.id, people[Role.MEMBER].id).attendance == Attendance.UNKNOWN
    assert status_of(meeting.id) == MeetingStatus.PLANNED


def test_cancelled_meeting_has_no_attendance_to_keep(signed_in, people):
    meeting = meeting_today(invite=[people[Role.MEMBER]])
    meeting.status = MeetingStatus.CANCELLED.value
    db.session.commit()
    client = signed_in(Role.SECRETARY)
    page = client.get(f"/meetings/{meeting.id}/attendance")
    assert page.status_code == 200 and 'name="attendance"' not in text_of(page)
    invitation = invitation_of(meeting.id, people[Role.MEMBER].id)
    assert client.submit(f"/meetings/{meeting.id}/attendance/{invitation.id}",
                         {"attendance": "present"}).status_code == 403


# --- walk-ins -------------------------------------------------------------------------------

def test_walk_in_without_an_account_is_added_as_present(signed_in, people):
    meeting = meeting_today(invite=[people[Role.MEMBER]])
    client = signed_in(Role.SECRETARY)
    response = client.submit(f"/meetings/{meeting.id}/attendance/walk-in",
                             {"walk_in-person_id": "0", "walk_in-name": "Jana Příchozí",
                              "walk_in-organisation": "Charita Vzorov"},
                             headers={**HTMX, "HX-Target": "attendance-list"})
    assert response.status_code == 200
    fragment = text_of(response)
    assert fragment.lstrip().startswith('<div id="attendance-list"')
    assert "Jana Příchozí is added and marked present." in fragment
    assert "Jana Příchozí" in fragment and "Charita Vzorov" in fragment
    assert response.headers["HX-Trigger"] == "attendance-changed"
    latest()
    walk_in = db.session.scalar(sa.select(Invitation).where(Invitation.meeting_id == meeting.id,
                                                            Invitation.person_id.is_(None)))
    assert (walk_in.walk_in_name, walk_in.walk_in_organisation) == ("Jana Příchozí", "Charita Vzorov")
    assert walk_in.attendance == Attendance.PRESENT
    assert status_of(meeting.id) == MeetingStatus.HELD
    # The printed list and the meeting page show the walk-in too.
    assert "Jana Příchozí" in text_of(client.get(f"/meetings/{meeting.id}/print/attendance"))


def test_walk_in_with_an_account_records_their_organisation(signed_in, people):
    organisation = create_organisation("Probační služba", "PMS", "probation")
    officer = create_person("officer@pms.org", name="Petr Probační", organisation=organisation, password=None)
    meeting = meeting_today(invite=[people[Role.MEMBER]])
    client = signed_in(Role.SECRETARY)
    response = client.submit(f"/meetings/{meeting.id}/attendance/walk-in",
                             {"walk_in-person_id": str(officer.id), "walk_in-name": ""})
    assert response.status_code == 302
    invitation = invitation_of(meeting.id, officer.id)
    assert invitation.attendance == Attendance.PRESENT
    assert invitation.organisation_id == organisation.id


def test_walk_in_who_was_invited_after_all_is_marked_present_once(signed_in, people):
    meeting = meeting_today(invite=[people[Role.MEMBER]])
    client = signed_in(Role.SECRETARY)
    response = client.submit(f"/meetings/{meeting.id}/attendance/walk-in",
                             {"walk_in-person_id": str(people[Role.MEMBER].id)})
    assert response.status_code == 302
    latest()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)
                             .where(Invitation.meeting_id == meeting.id)) == 1
    assert invitation_of(meeting.id, people[Role.MEMBER].id).attendance == Attendance.PRESENT


@pytest.mark.parametrize(
    ("data", "field_id", "message"),
    [
        ({"walk_in-person_id": "0", "walk_in-name": ""}, "walk_in-name",
         "Choose a person from the list or type the name of someone without an account."),
        ({"walk_in-person_id": "MEMBER", "walk_in-name": "Also A Name"}, "walk_in-name",
         "Choose a person from the list or type a name, not both."),
        ({"walk_in-person_id": "999999"}, "walk_in-person_id", "Choose a person from the list."),
        ({"walk_in-person_id": "abc"}, "walk_in-person_id", "Choose a person from the list."),
        ({"walk_in-name": "x" * 121}, "walk_in-name", "Use at most 120 characters."),
        ({"walk_in-name": "Bell\x07"}, "walk_in-name", "Remove the invisible control characters."),
    ],
)
def test_bad_walk_in_is_explained_and_nothing_is_saved(signed_in, people, data, field_id, message):
    meeting = meeting_today(invite=[people[Role.FACILITATOR]])
    data = {key: str(people[Role.MEMBER].id) if value == "MEMBER" else value for key, value in data.items()}
    client = signed_in(Role.SECRETARY)
    response = client.submit(f"/meetings/{meeting.id}/attendance/walk-in",
                             {"walk_in-organisation": "Typed organisation is kept", **data})
    assert response.status_code == 422
    assert field_error(response, field_id) == message
    assert 'value="Typed organisation is kept"' in response.get_data(as_text=True)
    latest()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)
                             .where(Invitation.meeting_id == meeting.id)) == 1
    assert status_of(meeting.id) == MeetingStatus.PLANNED


# --- speed ----------------------------------------------------------------------------------

def _meeting_with(count: int) -> tuple[int, int]:
    latest()  # a read transaction begun before the last request could not write
    organisation = create_organisation(f"Organizace {count}", f"O{count}", "social_services")
    invitees = [create_person(f"p{count}-{i}@example.org", name=f"Osoba {i:02d}", organisation=organisation,
                              password=None) for i in range(count)]
    meeting = meeting_today(invite=invitees)
    db.session.add(Invitation(meeting_id=meeting.id, walk_in_name="Walk In", walk_in_organisation="Charita"))
    db.session.commit()
    first = db.session.scalar(sa.select(Invitation.id).where(Invitation.meeting_id == meeting.id)
                              .order_by(Invitation.id))
    return meeting.id, first


def test_attendance_list_and_toggle_keep_a_constant_number_of_queries(signed_in, people):
    client = signed_in(Role.SECRETARY)
    list_counts, toggle_counts = [], []
    for size in (5, 50):
        meeting_id, invitation_id = _meeting_with(size)
        db.session.remove()  # nothing cached from creating them: lazy loads would show
        client.get(f"/meetings/{meeting_id}/attendance")  # the session's once-a-minute touch is not counted
        with count_queries() as queries:
            fragment = client.get(f"/meetings/{meeting_id}/attendance",
                                  headers={**HTMX, "HX-Target": "attendance-list"})
        assert fragment.status_code == 200 and "<html" not in text_of(fragment)
        assert text_of(fragment).count('<tr id="attendance-row-') == size + 1
        list_counts.append(len(queries))
        token = client.csrf_token(f"/meetings/{meeting_id}/attendance")
        with count_queries() as queries:
            toggle = client.post(f"/meetings/{meeting_id}/attendance/{invitation_id}",
                                 data={"attendance": "present", "csrf_token": token},
                                 headers={**HTMX, "HX-Target": f"attendance-row-{invitation_id}"})
        assert toggle.status_code == 200 and len(toggle.data) < 2048
        toggle_counts.append(len(queries))
    assert list_counts[0] == list_counts[1], list_counts
    assert toggle_counts[0] == toggle_counts[1], toggle_counts


# --- the printed list -----------------------------------------------------------------------

def test_printable_list_has_a_signature_column_and_every_name(signed_in, people):
    meeting = meeting_today(invite=[people[Role.MEMBER], people[Role.FACILITATOR], people[Role.GUEST]])
    db.session.add(Invitation(meeting_id=meeting.id, walk_in_name="Jana Příchozí", walk_in_organisation="Charita"))
    db.session.commit()
    page = text_of(signed_in(Role.SECRETARY).get(f"/meetings/{meeting.id}/print/attendance"))
    header = re.search(r"<thead>(.*?)</thead>", page, re.S).group(1)
    assert [h.strip() for h in re.findall(r"<th[^>]*>([^<]*)</th>", header)] == \
        ["No.", "Name", "Organisation", "Present", "Signature"]
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S).group(1)
    names = re.findall(r"<td>\d+\.</td>\s*<td>([^<]+?)</td>", body)
    assert names == ["Facilitator", "Guest", "Jana Příchozí", "Member"]
    assert "Město Vzorov" in body and "Charita" in body
    assert "css/document.css" in page
    assert "Kulatý stůl" in page and "Radnice, zasedací místnost" in page


def test_member_may_print_the_list_but_a_guest_of_another_meeting_may_not(signed_in, people):
    meeting = meeting_today(invite=[people[Role.MEMBER]])
    assert signed_in(Role.MEMBER).get(f"/meetings/{meeting.id}/print/attendance").status_code == 200
    assert signed_in(Role.GUEST).get(f"/meetings/{meeting.id}/print/attendance").status_code == 403


@pytest.mark.parametrize("status", [MeetingStatus.MINUTES_IN_REVIEW, MeetingStatus.MINUTES_APPROVED])
def test_attendance_is_locked_with_the_minutes(signed_in, people, status):
    meeting = meeting_today(invite=[people[Role.MEMBER]])
    invitation = invitation_of(meeting.id, people[Role.MEMBER].id)
    invitation.attendance = Attendance.PRESENT.value
    meeting.status = status.value
    db.session.commit()
    client = signed_in(Role.SECRETARY)
    page = text_of(client.get(f"/meetings/{meeting.id}/attendance"))
    assert "locked with them" in page and 'name="attendance"' not in page
    assert "Someone came without an invitation" not in page
    refused = client.submit(f"/meetings/{meeting.id}/attendance/{invitation.id}", {"attendance": "absent"},
                            headers={**HTMX, "HX-Target": f"attendance-row-{invitation.id}"})
    assert refused.status_code == 409 and "can no longer change" in text_of(refused)
    walk_in = client.submit(f"/meetings/{meeting.id}/attendance/walk-in",
                            {"walk_in-person_id": "0", "walk_in-name": "Pozdní Host"})
    assert walk_in.status_code == 302
    assert "can no longer change" in text_of(client.get(walk_in.location))
    fragment = client.submit(f"/meetings/{meeting.id}/attendance/walk-in",
                             {"walk_in-person_id": "0", "walk_in-name": "Pozdní Host"},
                             headers={**HTMX, "HX-Target": "attendance-list"})
    assert fragment.status_code == 409 and "can no longer change" in text_of(fragment)
    assert invitation_of(meeting.id, people[Role.MEMBER].id).attendance == Attendance.PRESENT
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)
                             .where(Invitation.meeting_id == meeting.id)) == 1
