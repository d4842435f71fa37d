"""Inviting people to a meeting (one by one, by organisation, by sector, the whole council,
guests), sending the invitations, and invitees answering "attending" or "excused"."""
import html
import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from council.auth.models import Person
from council.auth.roles import Role
from council.core.text import utcnow
from council.core.timezones import utc_to_local
from council.extensions import db
from council.meetings.models import Invitation, InvitationResponse, Meeting, MeetingStatus
from tests.conftest import PASSWORD, count_queries, create_organisation, create_person
from tests.helpers import text_of
from tests.meetings.factories import create_meeting

HTMX = {"HX-Request": "true"}


def latest():
    """End the test's own read transaction, so that it sees what the requests committed."""
    db.session.rollback()


def field_error(response, field_id: str) -> str | None:
    match = re.search(rf'<p class="error" id="{field_id}-error">([^<]*)</p>', response.get_data(as_text=True))
    return html.unescape(match.group(1)) if match else None


def invited_ids(meeting_id: int) -> list[int]:
    latest()
    return sorted(db.session.scalars(sa.select(Invitation.person_id).where(Invitation.meeting_id == meeting_id)))


def invitation_count(meeting_id: int) -> int:
    latest()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)
                             .where(Invitation.meeting_id == meeting_id))


@pytest.fixture
def council(people):
    """Two organisations of the addiction-services sector (one archived) and one of the police."""
    kc = create_organisation("Kontaktní centrum Vzorov", "KC", "addiction_services")
    tp = create_organisation("Terénní program", "TP", "addiction_services")
    archived = create_organisation("Zrušená poradna", "ZP", "addiction_services", active=False)
    police = create_organisation("Městská policie", "MP", "police")
    return {
        "kc": kc, "tp": tp, "police": police,
        "kc_people": [create_person("ana@kc.org", name="Ana Nováková", organisation=kc, password=None),
                      create_person("bob@kc.org", name="Bob Dvořák", organisation=kc, password=None)],
        "kc_inactive": create_person("old@kc.org", name="Old Staff", organisation=kc, active=False, password=None),
        "tp_person": create_person("cyril@tp.org", name="Cyril Malý", organisation=tp, password=None),
        "archived_person": create_person("dana@zp.org", name="Dana Stará", organisation=archived, password=None),
        "officer": create_person("eva@mp.org", name="Eva Strážná", organisation=police, password=None),
    }


# --- who may invite -------------------------------------------------------------------------

def test_member_cannot_open_invite_page_or_invite(app, signed_in, people, council):
    meeting = create_meeting()
    client = signed_in(Role.MEMBER)
    assert client.get(f"/meetings/{meeting.id}/invite").status_code == 403
    for path, data in [
        ("person", {"person-person_id": str(council["officer"].id)}),
        ("organisation", {"organisation-organisation_id": str(council["kc"].id)}),
        ("sector", {"sector-sector_id": str(council["kc"].sector_id)}),
        ("council", {}),
        ("guest", {"guest-name": "Host", "guest-email": "host@example.org"}),
    ]:
        response = client.submit(f"/meetings/{meeting.id}/invite/{path}", data)
        assert response.status_code == 403, path
    assert invitation_count(meeting.id) == 0


def test_invite_page_of_unknown_meeting_is_not_found(signed_in):
    client = signed_in(Role.SECRETARY)
    assert client.get("/meetings/999999/invite").status_code == 404


# --- inviting members -----------------------------------------------------------------------

def test_secretary_invites_one_person_with_their_organisation(signed_in, people, council):
    meeting = create_meeting()
    client = signed_in(Role.SECRETARY)
    page = client.get(f"/meetings/{meeting.id}/invite")
    assert page.status_code == 200
    assert "Eva Strážná (MP)" in text_of(page)
    response = client.submit(f"/meetings/{meeting.id}/invite/person",
                             {"person-person_id": str(council["officer"].id)})
    assert response.status_code == 302
    assert "1 person is invited." in text_of(client.get(response.location))
    latest()
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.meeting_id == meeting.id))
    assert invitation.person_id == council["officer"].id
    assert invitation.organisation_id == council["police"].id
    # Once invited, the person is no longer offered in the list.
    assert "Eva Strážná (MP)" not in text_of(client.get(f"/meetings/{meeting.id}/invite"))


def test_inviting_an_organisation_adds_its_active_people_once(signed_in, people, council):
    meeting = create_meeting()
    client = signed_in(Role.SECRETARY)
    data = {"organisation-organisation_id": str(council["kc"].id)}
    first = client.submit(f"/meetings/{meeting.id}/invite/organisation", data)
    assert "2 people are invited." in text_of(client.get(first.location))
    assert invited_ids(meeting.id) == sorted(p.id for p in council["kc_people"])

    again = client.submit(f"/meetings/{meeting.id}/invite/organisation", data)
    page = text_of(client.get(again.location))
    assert "2 people were already invited and are skipped." in page
    assert invitation_count(meeting.id) == 2


def test_inviting_a_sector_adds_active_people_of_its_active_organisations(signed_in, people, council):
    meeting = create_meeting(invite=[council["kc_people"][0]])
    client = signed_in(Role.SECRETARY)
    response = client.submit(f"/meetings/{meeting.id}/invite/sector",
                             {"sector-sector_id": str(council["kc"].sector_id)})
    page = text_of(client.get(response.location))
    assert "2 people are invited." in page  # Bob and Cyril; Ana was already invited
    assert "1 person was already invited and is skipped." in page
    expected = [council["kc_people"][0].id, council["kc_people"][1].id, council["tp_person"].id]
    assert invited_ids(meeting.id) == sorted(expected)  # not the archived organisation, not police


def test_inviting_the_whole_council_leaves_out_guests_and_deactivated_people(signed_in, people, council):
    meeting = create_meeting(invite=[people[Role.MEMBER]])
    client = signed_in(Role.SECRETARY)
    page = text_of(client.get(f"/meetings/{meeting.id}/invite"))
    expected = db.session.scalars(sa.select(Person.id).where(
        Person.active.is_(True), Person.role != Role.GUEST.value)).all()
    assert len(expected) == 9  # 4 role fixtures besides the guest, 5 active people of organisations
    assert "9 active members (guests are not included)." in page

    response = client.submit(f"/meetings/{meeting.id}/invite/council", {})
    page = text_of(client.get(response.location))
    assert "8 people are invited." in page
    assert "1 person was already invited and is skipped." in page
    ids = invited_ids(meeting.id)
    assert ids == sorted(expected)
    assert people[Role.GUEST].id not in ids
    assert council["kc_inactive"].id not in ids
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    ("path", "data", "field_id", "message"),
    [
        ("person", {"person-person_id": "999999"}, "person-person_id", "Choose a person from the list."),
        ("person", {"person-person_id": "abc"}, "person-person_id", "Choose a person from the list."),
        ("person", {"person-person_id": "9" * 30}, "person-person_id", "Choose a person from the list."),
        ("person", {}, "person-person_id", "Choose a person from the list."),
        ("organisation", {"organisation-organisation_id": "999999"}, "organisation-organisation_id",
         "Choose an organisation from the list."),
        ("organisation", {"organisation-organisation_id": "1e9"}, "organisation-organisation_id",
         "Choose an organisation from the list."),
        ("sector", {"sector-sector_id": "-3"}, "sector-sector_id", "Choose a sector from the list."),
        ("sector", {"sector-sector_id": "x' OR 1=1"}, "sector-sector_id", "Choose a sector from the list."),
    ],
)
def test_unknown_people_organisations_and_sectors_are_explained(signed_in, people, council, path, data,
                                                                 field_id, message):
    meeting = create_meeting()
    client = signed_in(Role.SECRETARY)
    response = client.submit(f"/meetings/{meeting.id}/invite/{path}", data)
    assert response.status_code == 422
    assert field_error(response, field_id) == message
    assert invitation_count(meeting.id) == 0


def test_a_deactivated_person_cannot_be_invited(signed_in, people, council):
    meeting = create_meeting()
    client = signed_in(Role.SECRETARY)
    response = client.submit(f"/meetings/{meeting.id}/invite/person",
                             {"person-person_id": str(council["kc_inactive"].id)})
    assert response.status_code == 422
    assert field_error(response, "person-person_id") == "Choose a person from the list."


def test_organisation_without_active_people_invites_nobody_and_says_so(signed_in, people):
    empty = create_organisation("Prázdná organizace", "PO", "other")
    meeting = create_meeting()
    client = signed_in(Role.SECRETARY)
    response = client.submit(f"/meetings/{meeting.id}/invite/organisation",
                             {"organisation-organisation_id": str(empty.id)})
    assert "the organisation has no active people" in text_of(client.get(response.location))
    assert invitation_count(meeting.id) == 0


def test_cancelled_meeting_takes_no_invitations(signed_in, people, council):
    meeting = create_meeting()
    meeting.status = MeetingStatus.CANCELLED.value
    db.session.commit()
    client = signed_in(Role.SECRETARY)
    assert "restore it before inviting" in text_of(client.get(f"/meetings/{meeting.id}/invite"))
    response = client.submit(f"/meetings/{meeting.id}/invite/council", {})
    assert response.status_code == 302
    assert invitation_count(meeting.id) == 0


def test_secretary_removes_an_invitation(signed_in, people):
    meeting = create_meeting(invite=[people[Role.MEMBER], people[Role.FACILITATOR]])
    invitation_id = db.session.scalar(sa.select(Invitation.id).where(
        Invitation.meeting_id == meeting.id, Invitation.person_id == people[Role.MEMBER].id))
    client = signed_in(Role.SECRETARY)
    response = client.submit(f"/meetings/{meeting.id}/invitations/{invitation_id}/remove", {})
    assert response.status_code == 302
    assert invited_ids(meeting.id) == [people[Role.FACILITATOR].id]
    assert signed_in(Role.MEMBER).submit(
        f"/meetings/{meeting.id}/invitations/{invitation_id}/remove", {}).status_code == 403


# --- guests ---------------------------------------------------------------------------------

def test_guest_invite_creates_a_guest_account_that_sees_only_this_meeting(signed_in, make_client, people):
    meeting = create_meeting("Kulatý stůl k terénní práci")
    other = create_meeting("Jiné jednání")
    client = signed_in(Role.SECRETARY)
    response = client.submit(f"/meetings/{meeting.id}/invite/guest", {
        "guest-name": "Hana Hostová", "guest-organisation": "Probační a mediační služba",
        "guest-email": "  Hana@Example.ORG ",
    })
    assert response.status_code == 200
    page = text_of(response)
    link = re.search(r'value="(http://[^"]+/set-password/[^"]+)"', page).group(1)
    assert "Hana Hostová is invited" in page

    latest()
    guest = db.session.scalar(sa.select(Person).where(Person.email == "hana@example.org"))
    assert guest.role == Role.GUEST and guest.organisation_id is None
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.person_id == guest.id))
    assert invitation.meeting_id == meeting.id
    assert invitation.walk_in_organisation == "Probační a mediační služba"

    browser = make_client()
    path = link.split("localhost", 1)[1]
    token = browser.csrf_token(path)
    assert browser.post(path, data={"password": PASSWORD, "confirm": PASSWORD,
                                    "csrf_token": token}).status_code == 302
    assert browser.login("hana@example.org").status_code == 302
    assert browser.get(f"/meetings/{meeting.id}").status_code == 200
    assert browser.get(f"/meetings/{other.id}").status_code == 403
    # Among the invitees the secretary sees the guest with the organisation typed in.
    assert "Probační a mediační služba" in text_of(client.get(f"/meetings/{meeting.id}/attendance"))


def test_guest_email_already_known_invites_that_person_without_a_second_account(signed_in, people):
    meeting = create_meeting()
    client = signed_in(Role.SECRETARY)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Person))
    response = client.submit(f"/meetings/{meeting.id}/invite/guest", {
        "guest-name": "Someone Else", "guest-organisation": "", "guest-email": "GUEST@example.org",
    })
    assert response.status_code == 302
    assert "already has an account with this email and is now invited" in text_of(client.get(response.location))
    latest()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == before
    assert invited_ids(meeting.id) == [people[Role.GUEST].id]


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("not-an-email", "Enter a valid email address, like name@example.org."),
        ("", "This field is required."),
        ("member@example.org", "Member has this email and is already invited."),
    ],
)
def test_bad_guest_email_is_explained_and_nothing_is_saved(signed_in, people, email, message):
    meeting = create_meeting(invite=[people[Role.MEMBER]])
    client = signed_in(Role.SECRETARY)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Person))
    response = client.submit(f"/meetings/{meeting.id}/invite/guest", {
        "guest-name": "Typed Name Is Kept", "guest-organisation": "Charita", "guest-email": email,
    })
    assert response.status_code == 422
    assert field_error(response, "guest-email") == message
    assert 'value="Typed Name Is Kept"' in response.get_data(as_text=True)
    latest()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == before
    assert invitation_count(meeting.id) == 1


def test_deactivated_account_email_is_refused_for_a_guest(signed_in, people):
    create_person("gone@example.org", name="Gone Person", active=False)
    meeting = create_meeting()
    response = signed_in(Role.SECRETARY).submit(f"/meetings/{meeting.id}/invite/guest", {
        "guest-name": "Gone", "guest-email": "gone@example.org"})
    assert response.status_code == 422
    assert "deactivated" in field_error(response, "guest-email")
    assert invitation_count(meeting.id) == 0


# --- sending --------------------------------------------------------------------------------

def test_sending_invitations_marks_the_meeting_and_lists_who_has_not_answered(signed_in, people):
    meeting = create_meeting(invite=[people[Role.MEMBER], people[Role.FACILITATOR]])
    db.session.execute(sa.update(Invitation).where(Invitation.person_id == people[Role.FACILITATOR].id)
                       .values(response=InvitationResponse.ATTENDING.value))
    db.session.commit()
    client = signed_in(Role.SECRETARY)
    assert "Send invitations" in text_of(client.get(f"/meetings/{meeting.id}"))
    response = client.submit(f"/meetings/{meeting.id}/invitations/send", {})
    assert response.status_code == 302
    page = text_of(client.get(response.location))
    assert "the 2 invitees can now see the meeting and answer" in page
    assert re.search(r"Not answered yet:</strong>\s*Member\b", page)
    latest()
    assert db.session.get(Meeting, meeting.id).status == MeetingStatus.INVITED


def test_sending_without_invitees_says_to_invite_first(signed_in, people):
    meeting = create_meeting()
    client = signed_in(Role.SECRETARY)
    response = client.submit(f"/meetings/{meeting.id}/invitations/send", {})
    assert "Invite someone first." in text_of(client.get(response.location))
    latest()
    assert db.session.get(Meeting, meeting.id).status == MeetingStatus.PLANNED


def test_member_cannot_send_invitations(signed_in, people):
    meeting = create_meeting(invite=[people[Role.MEMBER]])
    assert signed_in(Role.MEMBER).submit(f"/meetings/{meeting.id}/invitations/send", {}).status_code == 403
    latest()
    assert db.session.get(Meeting, meeting.id).status == MeetingStatus.PLANNED


# --- answering ------------------------------------------------------------------------------

def my_response(meeting_id: int, person_id: int) -> str:
    latest()
    return db.session.scalar(sa.select(Invitation.response).where(
        Invitation.meeting_id == meeting_id, Invitation.person_id == person_id))


def test_member_answers_excused_in_one_click(signed_in, people):
    meeting = create_meeting(invite=[people[Role.MEMBER]])
    client = signed_in(Role.MEMBER)
    page = text_of(client.get(f"/meetings/{meeting.id}"))
    assert 'id="my-response"' in page and "I am excused" in page
    response = client.submit(f"/meetings/{meeting.id}/respond", {"response": "excused"},
                             headers={**HTMX, "HX-Target": "my-response"})
    assert response.status_code == 200
    fragment = text_of(response)
    assert "<html" not in fragment and "<nav" not in fragment
    assert fragment.lstrip().startswith('<div id="my-response"')
    assert "Your answer: you are excused." in fragment
    assert re.search(r'value="excused" class="button" aria-pressed="true"', fragment)
    assert my_response(meeting.id, people[Role.MEMBER].id) == InvitationResponse.EXCUSED
    # The counts on the page follow, swapped out of band.
    assert 'id="invitation-counts" hx-swap-oob="true"> 1 invited · 0 attending · 1 excused · 0 not answered' \
        in " ".join(fragment.split())
    assert len(response.data) < 2048


def test_answer_without_javascript_goes_back_to_the_page_it_came_from(signed_in, people):
    meeting = create_meeting(invite=[people[Role.MEMBER]])
    client = signed_in(Role.MEMBER)
    response = client.submit(f"/meetings/{meeting.id}/respond", {"response": "attending"})
    assert response.status_code == 302 and response.location.startswith(f"/meetings/{meeting.id}")
    assert "Your answer is saved." in text_of(client.get(response.location))
    assert my_response(meeting.id, people[Role.MEMBER].id) == InvitationResponse.ATTENDING
    back = client.submit(f"/meetings/{meeting.id}/respond", {"response": "excused", "back": "dashboard"})
    assert back.status_code == 302 and back.location == "/"


def test_answer_from_the_dashboard_panel_swaps_the_panel_fragment(signed_in, people):
    meeting = create_meeting(invite=[people[Role.MEMBER]])
    client = signed_in(Role.MEMBER)
    response = client.submit(f"/meetings/{meeting.id}/respond", {"response": "attending", "back": "dashboard"},
                             headers={**HTMX, "HX-Target": "panel-my-response"})
    assert response.status_code == 200
    fragment = text_of(response)
    assert fragment.lstrip().startswith('<div id="panel-my-response"')
    assert 'name="back" value="dashboard"' in fragment
    assert "Your answer: you will attend." in fragment


@pytest.mark.parametrize("value", ["", "pending", "maybe", "ATTENDING"])
def test_an_answer_that_is_neither_attending_nor_excused_is_refused(signed_in, people, value):
    meeting = create_meeting(invite=[people[Role.MEMBER]])
    client = signed_in(Role.MEMBER)
    response = client.submit(f"/meetings/{meeting.id}/respond", {"response": value},
                             headers={**HTMX, "HX-Target": "my-response"})
    assert response.status_code == 422
    assert "Choose whether you will attend or are excused." in text_of(response)
    assert my_response(meeting.id, people[Role.MEMBER].id) == InvitationResponse.PENDING


def test_nobody_can_answer_for_someone_else(signed_in, people):
    meeting = create_meeting(invite=[people[Role.FACILITATOR]])
    member = signed_in(Role.MEMBER)
    # Not invited: refused, whatever the form claims about whose answer it is.
    response = member.submit(f"/meetings/{meeting.id}/respond",
                             {"response": "excused", "person_id": str(people[Role.FACILITATOR].id)})
    assert response.status_code == 403
    assert my_response(meeting.id, people[Role.FACILITATOR].id) == InvitationResponse.PENDING
    # The secretary cannot answer for an invitee either: the answer is always one's own.
    secretary = signed_in(Role.SECRETARY)
    assert secretary.submit(f"/meetings/{meeting.id}/respond", {"response": "excused"}).status_code == 403
    assert my_response(meeting.id, people[Role.FACILITATOR].id) == InvitationResponse.PENDING


def test_guest_answers_their_own_invitation_only(signed_in, people):
    theirs = create_meeting("Jejich jednání", invite=[people[Role.GUEST]])
    other = create_meeting("Jiné jednání", invite=[people[Role.MEMBER]])
    guest = signed_in(Role.GUEST)
    assert guest.submit(f"/meetings/{theirs.id}/respond", {"response": "attending"}).status_code == 302
    assert my_response(theirs.id, people[Role.GUEST].id) == InvitationResponse.ATTENDING
    assert guest.submit(f"/meetings/{other.id}/respond", {"response": "excused"}).status_code == 403
    assert my_response(other.id, people[Role.MEMBER].id) == InvitationResponse.PENDING


def test_answers_close_once_the_meeting_is_held(signed_in, people):
    meeting = create_meeting(invite=[people[Role.MEMBER]])
    meeting.status = MeetingStatus.HELD.value
    db.session.commit()
    client = signed_in(Role.MEMBER)
    assert "I am excused" not in text_of(client.get(f"/meetings/{meeting.id}"))
    response = client.submit(f"/meetings/{meeting.id}/respond", {"response": "excused"},
                             headers={**HTMX, "HX-Target": "my-response"})
    assert response.status_code == 409
    assert "answers are closed" in text_of(response)
    assert my_response(meeting.id, people[Role.MEMBER].id) == InvitationResponse.PENDING


def test_answers_close_after_the_meeting_ended(signed_in, people):
    yesterday = utc_to_local(utcnow() - timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    meeting = create_meeting(starts=yesterday, hours=1, invite=[people[Role.MEMBER]])
    response = signed_in(Role.MEMBER).submit(f"/meetings/{meeting.id}/respond", {"response": "attending"})
    assert response.status_code == 302
    assert my_response(meeting.id, people[Role.MEMBER].id) == InvitationResponse.PENDING


# --- the meeting page -----------------------------------------------------------------------

def _meeting_with_invitees(count: int) -> int:
    latest()  # a read transaction begun before the last request could not write
    organisation = create_organisation(f"Organizace {count}", f"O{count}", "social_services")
    invitees = [create_person(f"p{count}-{i}@example.org", name=f"Osoba {i:02d}", organisation=organisation,
                              password=None)
                for i in range(count)]
    meeting = create_meeting(f"Jednání {count}", starts=datetime(2030, 5, 2, 9, 0), invite=invitees)
    meeting_id = meeting.id
    db.session.add(Invitation(meeting_id=meeting_id, walk_in_name="Walk In", walk_in_organisation="Charita"))
    db.session.commit()
    return meeting_id


@pytest.mark.parametrize("role", [Role.SECRETARY, Role.MEMBER])
def test_meeting_page_counts_and_the_invitees_page_lists_invitees_in_a_constant_number_of_queries(
        signed_in, people, role):
    client = signed_in(role)
    counts = {"": [], "/attendance": []}
    for size in (5, 50):
        meeting_id = _meeting_with_invitees(size)
        db.session.remove()  # nothing cached from creating them: lazy loads would show
        client.get(f"/meetings/{meeting_id}")  # the session's once-a-minute touch is not counted
        for page_path, sent in counts.items():
            with count_queries() as queries:
                page = client.get(f"/meetings/{meeting_id}{page_path}")
            assert page.status_code == 200
            text = text_of(page)
            if page_path:
                assert "Osoba 00" in text and f"Osoba {size - 1:02d}" in text and "Charita" in text
            else:
                assert f"{size + 1} invited" in text
                # Members see counts; the secretary also who has not answered yet.
                assert (f"Osoba {size - 1:02d}" in text) == (role == Role.SECRETARY)
            sent.append(len(queries))
    assert all(first == second for first, second in counts.values()), counts
