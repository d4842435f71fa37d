"""Planning meetings: the list, the form, series, copies, cancelling, the cadence rule."""
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from council.auth.roles import Role
from council.core.timezones import local_to_utc, utc_to_local
from council.extensions import db
from council.meetings import services
from council.meetings.models import Invitation, Meeting, MeetingStatus
from tests.conftest import create_person
from tests.helpers import text_of
from tests.meetings.factories import create_meeting, meeting_type


def _form(**overrides):
    data = {"title": "Kulatý stůl k terénní práci", "type_id": str(meeting_type().id),
            "day": "2027-03-18", "start_time": "09:00", "end_time": "12:00",
            "place": "Radnice", "description": "", "chair_id": "0", "recorder_id": "0",
            "facilitator_id": "0"}
    data.update(overrides)
    return data


def test_secretary_plans_a_meeting_in_local_time(app, signed_in, people):
    client = signed_in(Role.SECRETARY)
    response = client.submit("/meetings/new", _form(recorder_id=str(people[Role.MEMBER].id),
                                                    chair_id=str(people[Role.SECRETARY].id)))
    assert response.status_code == 302
    with app.app_context():
        meeting = db.session.scalar(sa.select(Meeting))
        assert utc_to_local(meeting.starts_at) == datetime(2027, 3, 18, 9, 0)
        assert meeting.starts_at == datetime(2027, 3, 18, 8, 0)  # Prague is UTC+1 in March
        assert meeting.status == MeetingStatus.PLANNED
        assert meeting.recorder_id == people[Role.MEMBER].id
    page = text_of(client.get(response.location))
    assert "Kulatý stůl k terénní práci" in page and "Round table" in page
    assert f"<dt>Chair</dt><dd>{people[Role.SECRETARY].name}</dd>" in page
    assert f"<dt>Recorder</dt><dd>{people[Role.MEMBER].name}</dd>" in page
    assert "<dt>Facilitator</dt>" not in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, b"This field is required."),
        ({"end_time": "08:00"}, b"The meeting must end after it starts."),
        ({"type_id": "9999"}, b"Choose a type from the list."),
        ({"chair_id": "123456"}, b"Choose a person from the list."),
        ({"day": "18. 3. 2027"}, b"Enter a date like 2027-03-18."),
    ],
)
def test_bad_meeting_input_is_explained_and_nothing_is_saved(app, signed_in, overrides, message):
    client = signed_in(Role.SECRETARY)
    response = client.submit("/meetings/new", _form(place="Typed place is kept", **overrides))
    assert response.status_code == 422
    assert message in response.data
    assert b"Typed place is kept" in response.data
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 0


def test_member_cannot_plan_or_edit_meetings(app, signed_in, people):
    with app.app_context():
        meeting_id = create_meeting().id
    client = signed_in(Role.MEMBER)
    assert client.get("/meetings/new").status_code == 403
    assert client.submit("/meetings/new", _form()).status_code == 403
    assert client.get(f"/meetings/{meeting_id}/edit").status_code == 403
    assert client.get(f"/meetings/{meeting_id}").status_code == 200


def test_guest_sees_only_the_meetings_they_are_invited_to(app, signed_in, people):
    with app.app_context():
        theirs = create_meeting("Jejich jednání", invite=[people[Role.GUEST]]).id
        other = create_meeting("Jiné jednání").id
    client = signed_in(Role.GUEST)
    assert client.get(f"/meetings/{theirs}").status_code == 200
    assert client.get(f"/meetings/{other}").status_code == 403
    listing = client.get("/meetings/").data.decode()
    assert "Jejich jednání" in listing and "Jiné jednání" not in listing


def test_two_secretaries_editing_the_same_meeting_do_not_overwrite_each_other(app, make_client, people):
    with app.app_context():
        meeting = create_meeting()
        meeting_id, version = meeting.id, meeting.version
        second_email = create_person("second@example.org", role=Role.SECRETARY).email
    first, second = make_client(), make_client()
    first.login(people[Role.SECRETARY].email)
    second.login(second_email)
    edit = f"/meetings/{meeting_id}/edit"
    assert first.submit(edit, _form(place="Place of the first", version=str(version))).status_code == 302
    clash = second.submit(edit, _form(place="Place of the second", version=str(version)))
    assert clash.status_code == 409
    assert b"Place of the first" in clash.data and b"Place of the second" in clash.data
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).place == "Place of the first"


def test_cancelling_keeps_the_record_and_can_be_undone(app, signed_in):
    with app.app_context():
        meeting_id = create_meeting(items=["Úvod"]).id
    client = signed_in(Role.SECRETARY)
    page = f"/meetings/{meeting_id}"
    client.submit(f"{page}/cancel", token_from=page)
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).status == MeetingStatus.CANCELLED
    assert b"This meeting was cancelled." in client.get(page).data
    client.submit(f"{page}/restore", token_from=page)
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).status == MeetingStatus.PLANNED


def test_clone_copies_the_agenda_to_a_new_date(app, signed_in):
    with app.app_context():
        meeting_id = create_meeting(starts=datetime(2027, 1, 14, 9, 0), items=["Úvod", "Sdílený terén"]).id
    client = signed_in(Role.SECRETARY)
    response = client.submit(f"/meetings/{meeting_id}/clone", {"day": "2027-04-15"})
    assert response.status_code == 302
    with app.app_context():
        copy = db.session.scalars(sa.select(Meeting).order_by(Meeting.id.desc())).first()
        assert utc_to_local(copy.starts_at) == datetime(2027, 4, 15, 9, 0)
        assert [item.title for item in copy.agenda_items] == ["Úvod", "Sdílený terén"]
        assert copy.id != meeting_id


def test_series_every_third_thursday_of_the_quarter(app_context):
    meeting = create_meeting(starts=datetime(2027, 1, 21, 14, 0), items=["Úvod"])  # 3rd Thursday
    rule = services.SeriesRule(interval_months=3, weekday=3, nth=3)
    created = services.create_series(meeting, rule, 3)
    starts = [utc_to_local(m.starts_at) for m in created]
    assert starts == [datetime(2027, 4, 15, 14, 0), datetime(2027, 7, 15, 14, 0), datetime(2027, 10, 21, 14, 0)]
    assert all(m.series_id == meeting.series_id for m in created)
    assert all([i.title for i in m.agenda_items] == ["Úvod"] for m in created)
    created[0].title = "Changed alone"
    db.session.commit()
    assert db.session.get(Meeting, created[1].id).title == meeting.title


def test_series_every_three_months_on_the_same_day(app_context):
    meeting = create_meeting(starts=datetime(2027, 2, 10, 10, 0))
    created = services.create_series(meeting, services.SeriesRule(interval_months=3), 2)
    assert [utc_to_local(m.starts_at).date().isoformat() for m in created] == ["2027-05-10", "2027-08-10"]


def test_series_form_plans_the_next_meetings(app, signed_in):
    with app.app_context():
        meeting_id = create_meeting(starts=datetime(2027, 1, 21, 14, 0)).id
    client = signed_in(Role.SECRETARY)
    response = client.submit(f"/meetings/{meeting_id}/series", {"interval_months": "3", "pattern": "weekday",
                                                                 "nth": "3", "weekday": "3", "count": "2"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 3
    bad = client.submit(f"/meetings/{meeting_id}/series", {"interval_months": "0", "pattern": "x",
                                                            "nth": "9", "weekday": "3", "count": "200"})
    assert bad.status_code == 422
    assert b"Between 1 and 12." in bad.data and b"Between 1 and 24." in bad.data


def _held(starts_local: datetime):
    meeting = create_meeting(starts=starts_local)
    return meeting


def test_cadence_warns_when_nothing_is_planned_within_three_months_of_the_last_meeting(app_context):
    now = local_to_utc(datetime(2027, 6, 1, 12, 0))
    assert services.cadence_warning(now=now, months=3).last_meeting is None  # nothing at all yet
    _held(datetime(2027, 2, 10, 9, 0))
    warning = services.cadence_warning(now=now, months=3)
    assert warning is not None
    assert warning.last_meeting.isoformat() == "2027-02-10"
    assert warning.due_by.isoformat() == "2027-05-10"
    _held(datetime(2027, 7, 1, 9, 0))  # planned, but later than 10 May: still a warning
    assert services.cadence_warning(now=now, months=3) is not None
    assert services.cadence_warning(now=now, months=6) is None


def test_cadence_is_satisfied_by_a_planned_meeting_in_time_but_not_by_a_cancelled_one(app_context):
    now = local_to_utc(datetime(2027, 3, 1, 12, 0))
    _held(datetime(2027, 2, 10, 9, 0))
    planned = _held(datetime(2027, 4, 20, 9, 0))
    assert services.cadence_warning(now=now, months=3) is None
    services.cancel_meeting(planned)
    assert services.cadence_warning(now=now, months=3) is not None


def test_cadence_setting_is_used_by_the_meetings_page(app, signed_in):
    with app.app_context():
        create_meeting(starts=datetime.now() - timedelta(days=200))
        create_meeting(starts=datetime.now() + timedelta(days=100))
    client = signed_in(Role.SECRETARY)
    assert b"at least every 3 months" in client.get("/meetings/").data
    assert client.submit("/meetings/settings", {"cadence-months": "12"}).status_code == 302
    assert b"at least every" not in client.get("/meetings/").data
    bad = client.submit("/meetings/settings", {"cadence-months": "0"})
    assert bad.status_code == 422 and b"Between 1 and 24." in bad.data
    assert signed_in(Role.MEMBER).get("/meetings/settings").status_code == 403


def test_meetings_page_lists_upcoming_and_past_with_attendance_counts(app, signed_in, people):
    with app.app_context():
        past = create_meeting("Minulé jednání", starts=datetime.now() - timedelta(days=30),
                              invite=[people[Role.MEMBER], people[Role.FACILITATOR]])
        for invitation in db.session.scalars(sa.select(Invitation).where(Invitation.meeting_id == past.id)):
            invitation.attendance = "present"
        db.session.commit()
        create_meeting("Příští jednání", starts=datetime.now() + timedelta(days=30), type_code="plenary")
    client = signed_in(Role.MEMBER)
    page = client.get("/meetings/").data.decode()
    assert page.index("Příští jednání") < page.index("Minulé jednání")
    row = page[page.index("Minulé jednání"):]
    assert "<td>2</td>" in row[: row.index("</tr>")]
    with app.app_context():
        plenary = meeting_type("plenary").id
    filtered = client.get(f"/meetings/?type={plenary}", headers={"HX-Request": "true", "HX-Target": "meeting-results"})
    assert b"<html" not in filtered.data
    assert "Příští jednání".encode() in filtered.data and "Minulé jednání".encode() not in filtered.data
