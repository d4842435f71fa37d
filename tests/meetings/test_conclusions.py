"""Conclusions per agenda item: who is responsible, by or from when, decisions and their votes."""
from datetime import date
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale

from council.auth.roles import Role
from council.extensions import db
from council.meetings.models import Conclusion
from tests.conftest import create_organisation, create_person
from tests.meetings.test_minutes import (  # noqa: F401 (fixture)
    field_error,
    fresh_request_globals,
    item_ids,
    meeting_with_minutes,
    text_of,
    textarea,
)

HTMX = {"HX-Request": "true"}


def conclusions_of(item_id: int) -> list[Conclusion]:
    db.session.rollback()  # see what the requests committed
    return list(db.session.scalars(
        sa.select(Conclusion).where(Conclusion.agenda_item_id == item_id).order_by(Conclusion.position)))


def new_url(meeting_id, item_id) -> str:
    return f"/meetings/{meeting_id}/minutes/items/{item_id}/conclusions/new"


def conclusion_data(**override) -> dict:
    data = {"text": "Monitoring stáží zajistí paní Střelková.", "due_kind": "by", "due_date": "",
            "votes_for": "", "votes_against": "", "votes_abstained": ""}
    data.update(override)
    return data


@pytest.fixture
def draft(people):
    """A meeting whose draft minutes the member records; ids of its two items."""
    meeting = meeting_with_minutes(people[Role.MEMBER])
    first, second = item_ids(meeting.id)
    return meeting.id, first, second


def test_recorder_adds_a_conclusion_ongoing_from_a_date_with_people_and_organisations(app, signed_in, draft):
    meeting_id, first, _second = draft
    kc = create_organisation(name="ROZKOŠ bez RIZIKA, z. s.", short_name="RbR")
    streckova = create_person("strelkova@example.org", name="Eva Střelková", organisation=kc)
    client = signed_in(Role.MEMBER)
    response = client.submit(new_url(meeting_id, first), conclusion_data(
        due_kind="from", due_date="2017-09-01", responsible_people=[str(streckova.id)],
        responsible_organisations=[str(kc.id)]))
    assert response.status_code == 302
    (conclusion,) = conclusions_of(first)
    assert conclusion.due_kind == "from" and conclusion.due_date.isoformat() == "2017-09-01"
    assert [p.name for p in conclusion.responsible_people] == ["Eva Střelková"]
    assert [o.name for o in conclusion.responsible_organisations] == ["ROZKOŠ bez RIZIKA, z. s."]
    assert not conclusion.is_decision
    page = text_of(signed_in(Role.FACILITATOR).get(f"/meetings/{meeting_id}/minutes"))
    assert "Monitoring stáží zajistí paní Střelková." in page
    assert "from September 1, 2017" in page
    assert "Eva Střelková, ROZKOŠ bez RIZIKA, z. s." in page


def test_a_decision_with_its_vote_waits_for_its_number_until_approval(app, signed_in, draft):
    meeting_id, first, _second = draft
    client = signed_in(Role.MEMBER)
    client.submit(new_url(meeting_id, first), conclusion_data(
        text="Rada schvaluje plán sdíleného terénu.", due_date="2026-09-30", is_decision="y",
        votes_for="12", votes_against="0", votes_abstained="2"))
    (decision,) = conclusions_of(first)
    assert decision.is_decision and decision.decision_number is None
    assert (decision.votes_for, decision.votes_against, decision.votes_abstained) == (12, 0, 2)
    page = text_of(client.get(f"/meetings/{meeting_id}/minutes"))
    assert "Decision (numbered when the minutes are approved)" in page
    assert "by September 30, 2026" in page
    assert "12 for, 0 against, 2 abstained" in page


@pytest.mark.parametrize(
    ("override", "field", "message"),
    [
        ({"text": "   "}, "text", "This field is required."),
        ({"is_decision": "y", "votes_for": "-3"}, "votes_for", "Enter a number from 0 to 100000."),
        ({"is_decision": "y", "votes_against": "many"}, "votes_against", "Enter a whole number, like 12."),
        ({"is_decision": "y", "votes_abstained": "99999999999999"}, "votes_abstained",
         "Enter a number from 0 to 100000."),
        ({"votes_for": "5"}, "votes_for",
         "Votes are recorded for decisions only: tick “This is a decision of the council”."),
        ({"responsible_people": ["987654"]}, "responsible_people", "Choose people from the list."),
        ({"responsible_people": ["x"]}, "responsible_people", "Choose people from the list."),
        ({"responsible_organisations": ["987654"]}, "responsible_organisations",
         "Choose organisations from the list."),
        ({"due_date": "září 2017"}, "due_date", "Enter a date like 2026-09-30."),
        ({"due_date": "2017-13-01"}, "due_date", "Enter a date like 2026-09-30."),
        ({"due_date": "0017-09-01"}, "due_date", "Enter a date like 2026-09-30."),
        ({"due_kind": "whenever"}, "due_kind", "Choose from the list."),
    ],
)
def test_bad_conclusion_input_is_explained_next_to_the_field_and_nothing_is_saved(
        app, signed_in, draft, override, field, message):
    meeting_id, first, _second = draft
    client = signed_in(Role.MEMBER)
    typed = "Typed conclusion is kept" if "text" not in override else override["text"]
    response = client.submit(new_url(meeting_id, first), conclusion_data(**{"text": typed, **override}))
    assert response.status_code == 422
    prefix = f"minutes-item-{first}-new-conclusion"
    assert field_error(response, f"{prefix}-{field}") == message
    if typed.strip():
        assert textarea(response, f"{prefix}-text") == typed
    assert conclusions_of(first) == []


def test_an_inactive_person_cannot_be_made_responsible(app, signed_in, draft):
    """Only active people can be made responsible for a new conclusion."""
    meeting_id, first, _second = draft
    gone = create_person("gone@example.org", name="Odešlý člen", active=False)
    response = signed_in(Role.MEMBER).submit(new_url(meeting_id, first),
                                             conclusion_data(responsible_people=[str(gone.id)]))
    assert response.status_code == 422
    assert conclusions_of(first) == []


def test_recorder_edits_and_deletes_conclusions_in_place_with_htmx(app, signed_in, draft, people):
    meeting_id, first, _second = draft
    client = signed_in(Role.MEMBER)
    target = f"minutes-item-{first}-conclusions"
    form = client.get(new_url(meeting_id, first), headers={**HTMX, "HX-Target": target})
    assert form.status_code == 200
    assert form.get_data(as_text=True).lstrip().startswith(f'<div id="{target}"')
    assert "Save the conclusion" in text_of(form)

    added = client.submit(new_url(meeting_id, first), conclusion_data(text="Původní znění"),
                          headers={**HTMX, "HX-Target": target})
    assert added.status_code == 200 and "Původní znění" in text_of(added)
    (conclusion,) = conclusions_of(first)

    edit_url = f"/meetings/{meeting_id}/minutes/conclusions/{conclusion.id}/edit"
    editing = client.get(edit_url, headers={**HTMX, "HX-Target": target})
    assert textarea(editing, f"conclusion-{conclusion.id}-text") == "Původní znění"
    saved = client.submit(edit_url, conclusion_data(
        text="Upravené znění", version=str(conclusion.version),
        responsible_people=[str(people[Role.FACILITATOR].id)]), headers={**HTMX, "HX-Target": target})
    assert saved.status_code == 200
    assert "Upravené znění" in text_of(saved) and "Save the conclusion" not in text_of(saved)
    (conclusion,) = conclusions_of(first)
    assert conclusion.text == "Upravené znění"
    assert [p.id for p in conclusion.responsible_people] == [people[Role.FACILITATOR].id]

    deleted = client.submit(f"/meetings/{meeting_id}/minutes/conclusions/{conclusion.id}/delete",
                            headers={**HTMX, "HX-Target": target})
    assert deleted.status_code == 200 and "Upravené znění" not in text_of(deleted)
    assert conclusions_of(first) == []


def test_without_javascript_the_conclusion_form_is_a_page_of_its_own(app, signed_in, draft):
    meeting_id, first, _second = draft
    client = signed_in(Role.MEMBER)
    page = client.get(new_url(meeting_id, first))
    assert page.status_code == 200
    assert "Add a conclusion" in text_of(page) and "<html" in page.get_data(as_text=True)
    response = client.submit(new_url(meeting_id, first), conclusion_data())
    assert response.status_code == 302
    assert response.location.endswith(f"/meetings/{meeting_id}/minutes#minutes-item-{first}")


def test_two_people_editing_the_same_conclusion_do_not_overwrite_each_other(app, make_client, draft, people):
    meeting_id, first, _second = draft
    recorder, secretary = make_client(), make_client()
    recorder.login(people[Role.MEMBER].email)
    secretary.login(people[Role.SECRETARY].email)
    recorder.submit(new_url(meeting_id, first), conclusion_data(text="Na začátku"))
    (conclusion,) = conclusions_of(first)
    edit_url = f"/meetings/{meeting_id}/minutes/conclusions/{conclusion.id}/edit"
    version = str(conclusion.version)
    assert recorder.submit(edit_url, conclusion_data(text="Verze zapisovatele", version=version)).status_code == 302
    clash = secretary.submit(edit_url, conclusion_data(text="Verze tajemnice", version=version))
    assert clash.status_code == 409
    assert "Verze zapisovatele" in text_of(clash)
    assert textarea(clash, f"conclusion-{conclusion.id}-text") == "Verze tajemnice"
    assert conclusions_of(first)[0].text == "Verze zapisovatele"


def test_member_who_is_not_the_recorder_cannot_touch_conclusions(app, signed_in, draft, people):
    meeting_id, first, _second = draft
    signed_in(Role.MEMBER).submit(new_url(meeting_id, first), conclusion_data(text="Zůstane"))
    (conclusion,) = conclusions_of(first)
    other = signed_in(Role.FACILITATOR)
    assert other.get(new_url(meeting_id, first)).status_code == 403
    assert other.submit(new_url(meeting_id, first), conclusion_data()).status_code == 403
    edit_url = f"/meetings/{meeting_id}/minutes/conclusions/{conclusion.id}/edit"
    assert other.submit(edit_url, conclusion_data(text="Přepsáno", version="1")).status_code == 403
    assert other.submit(f"/meetings/{meeting_id}/minutes/conclusions/{conclusion.id}/delete").status_code == 403
    assert [c.text for c in conclusions_of(first)] == ["Zůstane"]


def test_a_conclusion_of_another_meeting_is_not_found(app, signed_in, draft, people):
    meeting_id, first, _second = draft
    other = meeting_with_minutes(people[Role.MEMBER], items=["Jinde"])
    (foreign_item,) = item_ids(other.id)
    client = signed_in(Role.MEMBER)
    client.submit(new_url(other.id, foreign_item), conclusion_data())
    (foreign,) = conclusions_of(foreign_item)
    assert client.get(f"/meetings/{meeting_id}/minutes/conclusions/{foreign.id}/edit").status_code == 404
    assert client.submit(f"/meetings/{meeting_id}/minutes/conclusions/{foreign.id}/delete").status_code == 404


def test_a_conclusion_reads_its_facts_with_names_escaped_once(app):
    conclusion = SimpleNamespace(
        text="Rozšířit **terénní** práci", is_decision=True, decision_label="12/2026",
        responsible_people=[SimpleNamespace(name="Eva <Nová>")],
        responsible_organisations=[SimpleNamespace(name="Charita & spol.")],
        due_date=date(2017, 9, 1), due_kind="from", votes_for=9, votes_against=0, votes_abstained=None)
    with app.test_request_context(), force_locale("en"):
        html = render_template("meetings/_conclusion.html", conclusion=conclusion)
        conclusion.is_decision, conclusion.votes_for, conclusion.votes_against = False, None, None
        plain = render_template("meetings/_conclusion.html", conclusion=conclusion)
    assert '<span class="badge badge--decision">Decision 12/2026</span>' in html
    assert "<strong>terénní</strong>" in html
    assert ("Responsible: Eva &lt;Nová&gt;, Charita &amp; spol. · from September 1, 2017 · "
            "Vote: 9 for, 0 against") in html
    assert "badge--decision" not in plain and "Vote:" not in plain
