"""Decisions are numbered per year when their minutes are approved ("12/2026", as councils
cite them) and listed in a register across meetings, filterable by year, meeting and organisation."""
from datetime import datetime

import pytest

from council.auth.roles import Role
from council.meetings import conclusions, minutes
from tests.conftest import create_organisation, create_person
from tests.meetings.test_minutes import fresh_request_globals, meeting_with_minutes, text_of  # noqa: F401

HTMX = {"HX-Request": "true", "HX-Target": "decision-results"}


def decide(people, starts: datetime, decisions: list[dict], title="Kulatý stůl") -> list:
    """A meeting on ``starts`` whose minutes record ``decisions`` on its first item and get approved."""
    meeting = meeting_with_minutes(people[Role.MEMBER], items=("Usnesení",), starts=starts, title=title)
    item = meeting.agenda_items[0]
    added = [conclusions.add_conclusion(item, {"is_decision": True, **data}) for data in decisions]
    record = meeting.minutes
    minutes.send_for_review(record, [people[Role.FACILITATOR]], people[Role.MEMBER])
    minutes.approve_review(record, people[Role.FACILITATOR])
    minutes.approve(record, people[Role.SECRETARY])
    return added


def test_decisions_are_numbered_per_year_continuing_across_meetings(app_context, people):
    spring = decide(people, datetime(2026, 3, 12, 9, 0), [{"text": "První"}, {"text": "Druhé"}])
    assert [d.decision_label for d in spring] == ["1/2026", "2/2026"]
    summer = decide(people, datetime(2026, 6, 11, 9, 0), [{"text": "Třetí"}])
    assert [d.decision_label for d in summer] == ["3/2026"]
    next_year = decide(people, datetime(2027, 1, 14, 9, 0), [{"text": "První příštího roku"}])
    assert [d.decision_label for d in next_year] == ["1/2027"]


def test_plain_conclusions_get_no_number(app_context, people):
    meeting = meeting_with_minutes(people[Role.MEMBER], items=("Usnesení",))
    item = meeting.agenda_items[0]
    conclusions.add_conclusion(item, {"text": "Jen závěr", "is_decision": False, "votes_for": 5})
    decision = conclusions.add_conclusion(item, {"text": "Rozhodnutí", "is_decision": True, "votes_for": 5})
    record = meeting.minutes
    minutes.send_for_review(record, [people[Role.FACILITATOR]], people[Role.MEMBER])
    minutes.approve_review(record, people[Role.FACILITATOR])
    minutes.approve(record, people[Role.SECRETARY])
    plain = item.conclusions[0]
    assert plain.decision_label is None and plain.votes_for is None  # a vote belongs to a decision
    assert decision.decision_label == "1/2026" and decision.votes_for == 5


@pytest.fixture
def register(people):
    """Decisions of 2026 and 2027 with different responsible organisations."""
    mmo = create_organisation(name="Magistrát města Ostravy", short_name="MMO", sector_code="municipality")
    rbr = create_organisation(name="ROZKOŠ bez RIZIKA, z. s.", short_name="RbR")
    strelkova = create_person("strelkova@example.org", name="Eva Střelková", organisation=rbr)
    decide(people, datetime(2026, 3, 12, 9, 0), [
        {"text": "Město zmapuje mladistvé v sexbyznysu.", "responsible_organisations": [mmo],
         "votes_for": 11, "votes_against": 1, "votes_abstained": 0},
        {"text": "Monitoring stáží od září.", "responsible_people": [strelkova],
         "due_kind": "from", "due_date": datetime(2026, 9, 1).date()},
    ], title="Jarní kulatý stůl")
    (winter,) = decide(people, datetime(2027, 1, 14, 9, 0),
                       [{"text": "Nový plán terénu.", "responsible_organisations": [mmo]}], title="Zimní kulatý stůl")
    return {"mmo": mmo.id, "rbr": rbr.id, "winter": winter.agenda_item.meeting_id}


def test_register_lists_decisions_across_meetings(app, signed_in, register):
    page = signed_in(Role.MEMBER).get("/meetings/decisions")
    assert page.status_code == 200
    text = text_of(page)
    assert "3 decisions" in text
    for expected in ("1/2026", "2/2026", "1/2027", "Město zmapuje mladistvé v sexbyznysu.",
                     "Jarní kulatý stůl", "Zimní kulatý stůl", "Magistrát města Ostravy", "Eva Střelková",
                     "from September 1, 2026", "11 for, 1 against, 0 abstained"):
        assert expected in text, expected
    assert text.index("1/2027") < text.index("2/2026") < text.index("1/2026")  # newest first
    assert 'href="/meetings/' in page.get_data(as_text=True)


def test_register_filters_by_year_meeting_and_organisation(app, signed_in, register):
    client = signed_in(Role.MEMBER)
    by_year = text_of(client.get("/meetings/decisions?year=2027"))
    assert "1/2027" in by_year and "1/2026" not in by_year
    # An organisation is responsible directly, or through one of its people.
    rbr = text_of(client.get(f"/meetings/decisions?organisation={register['rbr']}"))
    assert "Monitoring stáží od září." in rbr and "Nový plán terénu." not in rbr
    assert "1 decision" in rbr
    mmo_2026 = text_of(client.get(f"/meetings/decisions?organisation={register['mmo']}&year=2026"))
    assert "Město zmapuje mladistvé" in mmo_2026 and "Nový plán terénu." not in mmo_2026


def test_register_filter_by_meeting_keeps_the_choice_in_the_form(app, signed_in, register):
    winter = register["winter"]
    client = signed_in(Role.MEMBER)
    page = client.get(f"/meetings/decisions?meeting={winter}")
    text = text_of(page)
    assert "Nový plán terénu." in text and "Monitoring stáží" not in text
    assert f'<option value="{winter}" selected>' in page.get_data(as_text=True)


def test_htmx_filter_swaps_only_the_results(app, signed_in, register):
    response = signed_in(Role.MEMBER).get("/meetings/decisions?year=2026", headers=HTMX)
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="decision-results"')
    assert "<html" not in body and "2/2026" in body and "1/2027" not in body


def test_nonsense_filters_are_ignored_not_an_error(app, signed_in, register):
    client = signed_in(Role.MEMBER)
    for query in ("year=abc", "year=99999", "meeting=-1", "organisation=x", "meeting=99999999999999999999"):
        response = client.get(f"/meetings/decisions?{query}")
        assert response.status_code == 200, query


def test_guest_cannot_open_the_register(app, signed_in, register):
    assert signed_in(Role.GUEST).get("/meetings/decisions").status_code == 403


def test_decision_number_is_shown_in_the_minutes_once_assigned(app, signed_in, register):
    page = text_of(signed_in(Role.MEMBER).get("/meetings/decisions?year=2027"))
    assert "1/2027" in page
    assert "Decision 1/2027" in text_of(signed_in(Role.MEMBER).get(f"/meetings/{register['winter']}/minutes"))
