"""The agenda: numbered items with start times, changed in place (htmx) or with plain forms,
started from the last meeting or a template, published, and guarded by who may manage it."""
import re
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from council.auth.models import Person
from council.auth.roles import Role
from council.core.timezones import local_to_utc, utc_to_local
from council.extensions import db
from council.meetings import agenda, services
from council.meetings.models import AgendaItem, AgendaTemplate, Conclusion, DueKind, Meeting, MeetingStatus
from tests.conftest import count_queries, create_organisation, create_person
from tests.meetings.factories import create_meeting

HTMX = {"HX-Request": "true", "HX-Target": "agenda"}
NINE = datetime(2027, 3, 18, 9, 0)  # local wall-clock time of the meeting's start


def _titles(meeting_id: int) -> list[str]:
    return list(db.session.scalars(
        sa.select(AgendaItem.title).where(AgendaItem.meeting_id == meeting_id).order_by(AgendaItem.position)))


def _item_ids(meeting_id: int) -> dict[str, int]:
    rows = db.session.execute(sa.select(AgendaItem.title, AgendaItem.id).where(AgendaItem.meeting_id == meeting_id))
    return {title: item_id for title, item_id in rows}


def _item_form(**overrides) -> dict:
    data = {"item-title": "Terénní práce v lokalitě Nádraží", "item-description": "",
            "item-presenter_id": "0", "item-presenter_name": "", "item-planned_minutes": "20"}
    data.update(overrides)
    return data


def _agenda_of(html: bytes) -> str:
    """The agenda section of a page (so that other parts of the page do not answer for it)."""
    text = html.decode()
    start = text.index('<section id="agenda"')
    return text[start:text.index("</section>", start)]


_ROW = re.compile(r'<td class="agenda__number">(?: <span class="agenda__handle"[^>]*>[^<]*</span>)? (\d+)\. </td> '
                  r'<td class="agenda__time"><time [^>]*>(\d+:\d\d)[^<]*</time></td> '
                  r'<td class="agenda__title"> <strong>([^<]*)</strong>')


def _rows(html: bytes | str) -> list[tuple[str, str, str]]:
    """(number, start time, title) of each agenda row, as a person reads them."""
    text = html.decode() if isinstance(html, bytes) else html
    return _ROW.findall(" ".join(text.split()))


def _version_in(html: str) -> str:
    return html.split('name="item-version" value="')[1].split('"')[0]


def _meeting_with(app, items, **kwargs) -> tuple[int, dict[str, int]]:
    with app.app_context():
        meeting_id = create_meeting(starts=NINE, items=items, **kwargs).id
        return meeting_id, _item_ids(meeting_id)


# --- the rules, without HTTP ---------------------------------------------------------------

def test_start_times_add_up_the_planned_minutes_from_the_meeting_start(app_context):
    meeting = create_meeting(starts=NINE, items=[("Úvod", 10), ("Terénní práce", 20), ("Různé", 15), ("Závěr", 5)])
    schedule = agenda.schedule(meeting)
    assert [entry.number for entry in schedule] == [1, 2, 3, 4]
    assert [entry.item.title for entry in schedule] == ["Úvod", "Terénní práce", "Různé", "Závěr"]
    assert [utc_to_local(entry.starts_at).strftime("%H:%M") for entry in schedule] == ["09:00", "09:10", "09:30", "09:45"]


def test_the_meeting_page_schedules_its_read_only_rows_as_the_items_themselves(app_context):
    presenter = create_person("Marta Nováková", Role.MEMBER)
    meeting = create_meeting(starts=NINE, items=[("Úvod", 10), ("Terénní práce", 20), ("Různé", 15)])
    first, second, _third = meeting.agenda_items
    agenda.update_item(first, {"presenter_id": presenter.id}, None)
    agenda.update_item(second, {"presenter_id": None, "presenter_name": "host z kraje"}, None)
    agenda.publish(meeting)
    agenda.update_item(second, {"planned_minutes": 25}, None)  # changed after publishing

    from_items = agenda.schedule(meeting)
    from_rows = agenda.schedule(meeting, services.load_meeting_overview(meeting.id, presenter.id).agenda)

    def shown(schedule):
        return [(e.number, e.item.id, e.item.title, e.starts_at, e.starts_at_utc, e.changed, e.presenter)
                for e in schedule]
    assert shown(from_rows) == shown(from_items)
    assert [e.presenter for e in from_rows] == ["Marta Nováková", "host z kraje", ""]
    assert [e.changed for e in from_rows] == [False, True, False]
    assert from_rows[0].starts_at_utc == local_to_utc(NINE).strftime("%Y-%m-%dT%H:%MZ")


def test_moving_items_renumbers_the_agenda_and_the_ends_stay_put(app_context):
    meeting = create_meeting(items=["A", "B", "C"])
    a, b, c = meeting.agenda_items
    agenda.move_item(c, -1)
    assert [i.title for i in meeting.agenda_items] == ["A", "C", "B"]
    assert [i.position for i in meeting.agenda_items] == [1, 2, 3]
    agenda.move_item(a, -1)  # already first
    agenda.move_item(b, +1)  # already last
    assert [i.title for i in meeting.agenda_items] == ["A", "C", "B"]


@pytest.mark.parametrize("order", ["missing", "doubled", "foreign"])
def test_reorder_accepts_only_every_item_of_the_agenda_once(app_context, order):
    meeting = create_meeting(items=["A", "B", "C"])
    other = create_meeting("Jiné", items=["X"])
    ids = [i.id for i in meeting.agenda_items]
    wrong = {"missing": ids[:2], "doubled": [ids[0], ids[0], ids[1], ids[2]],
             "foreign": ids[:2] + [other.agenda_items[0].id]}[order]
    with pytest.raises(ValueError):
        agenda.reorder(meeting, wrong)
    agenda.reorder(meeting, [ids[2], ids[0], ids[1]])
    assert [i.title for i in meeting.agenda_items] == ["C", "A", "B"]
    assert [i.position for i in meeting.agenda_items] == [1, 2, 3]


def test_deleting_an_item_closes_the_gap_in_the_numbering(app_context):
    meeting = create_meeting(items=["A", "B", "C"])
    agenda.delete_item(meeting.agenda_items[1])
    assert [(i.title, i.position) for i in meeting.agenda_items] == [("A", 1), ("C", 2)]


def test_an_item_with_conclusions_stays_on_the_agenda(app_context):
    meeting = create_meeting(items=["A"])
    meeting.agenda_items[0].conclusions.append(Conclusion(text="Zjistit počty klientů"))
    db.session.commit()
    with pytest.raises(services.WorkflowError):
        agenda.delete_item(meeting.agenda_items[0])
    assert [i.title for i in meeting.agenda_items] == ["A"]


def test_standing_items_come_first_in_their_order_and_are_never_doubled(app_context):
    meeting = create_meeting(items=["Terénní práce", "Různé"])
    agenda.add_standing_items(meeting)
    agenda.add_standing_items(meeting)
    assert [i.standing for i in meeting.agenda_items] == ["previous_minutes", "previous_conclusions", None, None]
    assert [i.title for i in meeting.agenda_items][2:] == ["Terénní práce", "Různé"]
    assert [i.position for i in meeting.agenda_items] == [1, 2, 3, 4]


def test_copying_the_previous_meeting_does_not_double_the_standing_items(app_context):
    previous = create_meeting("Loni", starts=datetime(2026, 12, 10, 9, 0), items=[("Kontaktní centrum", 25)])
    agenda.add_standing_items(previous)
    meeting = create_meeting(starts=NINE)
    agenda.add_standing_items(meeting)
    assert agenda.previous_meeting_of_type(meeting).id == previous.id
    assert agenda.copy_from_meeting(meeting, previous) == 1
    assert [i.title for i in meeting.agenda_items][2:] == ["Kontaktní centrum"]
    assert meeting.agenda_items[2].planned_minutes == 25


def test_an_agenda_saved_as_a_template_starts_another_meeting(app_context):
    source = create_meeting(items=[("Úvod", 5), ("Hlášení z terénu", 40)])
    template = agenda.save_as_template(source, "Kulatý stůl – běžný")
    meeting = create_meeting("Další", starts=NINE)
    assert agenda.copy_from_template(meeting, template) == 2
    assert [(i.title, i.planned_minutes, i.position) for i in meeting.agenda_items] == \
        [("Úvod", 5, 1), ("Hlášení z terénu", 40, 2)]


def test_after_publishing_changed_and_new_items_are_marked_and_the_rest_not(app_context):
    meeting = create_meeting(items=["A", "B"])
    a, b = meeting.agenda_items
    assert not agenda.is_changed_since_publishing(meeting, a)  # not published: nothing is "changed"
    agenda.publish(meeting)
    agenda.update_item(b, {"title": "B, upraveno"}, b.version)
    added = agenda.add_item(meeting, {"title": "C", "planned_minutes": 5})
    assert [agenda.is_changed_since_publishing(meeting, i) for i in (a, b, added)] == [False, True, True]


def test_the_agenda_of_a_cancelled_meeting_or_of_reviewed_minutes_is_fixed(app_context):
    meeting = create_meeting(items=["A"])
    assert agenda.agenda_is_editable(meeting)
    for status in (MeetingStatus.CANCELLED, MeetingStatus.MINUTES_IN_REVIEW, MeetingStatus.MINUTES_APPROVED):
        meeting.status = status.value
        assert not agenda.agenda_is_editable(meeting)


# --- the agenda on the meeting page ----------------------------------------------------------

def test_member_sees_the_numbered_agenda_with_start_times_presenters_and_markdown(app, signed_in, people):
    with app.app_context():
        meeting = create_meeting(starts=NINE)
        agenda.add_item(meeting, {"title": "Úvod", "planned_minutes": 10, "presenter_id": people[Role.SECRETARY].id})
        agenda.add_item(meeting, {"title": "Terénní práce", "planned_minutes": 20, "presenter_name": "Jana Hostová",
                                  "description": "Počty **kontaktů** za čtvrtletí"})
        agenda.add_item(meeting, {"title": "Různé", "planned_minutes": 15})
        meeting_id = meeting.id
    section = _agenda_of(signed_in(Role.MEMBER).get(f"/meetings/{meeting_id}").data)
    assert _rows(section) == [("1", "9:00", "Úvod"), ("2", "9:10", "Terénní práce"), ("3", "9:30", "Různé")]
    assert "The last item ends at 9:45" in section
    assert "Secretary" in section and "Jana Hostová" in section
    assert "<strong>kontaktů</strong>" in section
    assert "Add an item" not in section and "/move" not in section  # a member only reads it
    assert "sortable-1.15.7.min.js" not in signed_in(Role.MEMBER).get(f"/meetings/{meeting_id}").data.decode()


def test_secretary_gets_the_drag_and_drop_list_and_its_scripts(app, signed_in):
    meeting_id, _ids = _meeting_with(app, [("A", 10), ("B", 10)])
    page = signed_in(Role.SECRETARY).get(f"/meetings/{meeting_id}").data.decode()
    assert f'data-reorder-url="/meetings/{meeting_id}/agenda/reorder"' in _agenda_of(page.encode())
    assert '<script src="/static/vendor/sortable-1.15.7.min.js" defer></script>' in page
    assert '<script src="/static/js/agenda.js" defer></script>' in page


def test_agenda_running_over_the_meeting_end_says_by_how_much(app, signed_in):
    meeting_id, _ids = _meeting_with(app, [("Dlouhé téma", 200)], hours=3)
    section = _agenda_of(signed_in(Role.MEMBER).get(f"/meetings/{meeting_id}").data)
    assert "That is 20 minutes after the planned end of the meeting." in section


def test_secretary_adds_items_in_place_and_gets_only_the_agenda_back(app, signed_in, people):
    meeting_id, _ids = _meeting_with(app, [("Úvod", 10)])
    client = signed_in(Role.SECRETARY)
    page = f"/meetings/{meeting_id}"
    opened = client.get(f"{page}/agenda/items", headers=HTMX)
    assert opened.status_code == 200 and b"<html" not in opened.data and b'name="item-title"' in opened.data
    response = client.submit(f"{page}/agenda/items", _item_form(**{
        "item-presenter_id": str(people[Role.MEMBER].id)}), headers=HTMX, token_from=page)
    assert response.status_code == 200
    assert b"<html" not in response.data and response.data.lstrip().startswith(b'<section id="agenda"')
    assert response.headers["HX-Trigger"] == "agenda-changed"
    text = response.data.decode()
    assert _rows(text) == [("1", "9:00", "Úvod"), ("2", "9:10", "Terénní práce v lokalitě Nádraží")]
    assert "is added as item 2" in text
    assert 'name="item-title"' in text and 'value="Terénní práce' not in text  # a fresh form for the next
    with app.app_context():
        assert _titles(meeting_id) == ["Úvod", "Terénní práce v lokalitě Nádraží"]
        assert db.session.scalar(sa.select(AgendaItem.presenter_id).where(
            AgendaItem.title.startswith("Terénní"))) == people[Role.MEMBER].id


def test_without_javascript_adding_an_item_goes_back_to_the_meeting_agenda(app, signed_in):
    meeting_id, _ids = _meeting_with(app, [])
    client = signed_in(Role.SECRETARY)
    page = f"/meetings/{meeting_id}"
    form_page = client.get(f"{page}/agenda/items")
    assert form_page.status_code == 200 and b"<html" in form_page.data
    response = client.submit(f"{page}/agenda/items", _item_form(**{"item-presenter_name": "Host z PČR"}),
                             token_from=page)
    assert response.status_code == 302
    assert response.location.endswith(f"/meetings/{meeting_id}#agenda")
    section = _agenda_of(client.get(page).data)
    assert "Terénní práce v lokalitě Nádraží" in section and "Host z PČR" in section


BAD_ITEM_INPUT = [
    ({"item-title": "   "}, "This field is required."),
    ({"item-title": "x" * 301}, "Use at most 300 characters."),
    ({"item-description": "x" * 5001}, "Use at most 5000 characters."),
    ({"item-planned_minutes": "0"}, "Between 1 and 600 minutes."),
    ({"item-planned_minutes": "601"}, "Between 1 and 600 minutes."),
    ({"item-planned_minutes": "99999999999999999999999"}, "Between 1 and 600 minutes."),
    ({"item-planned_minutes": "půl hodiny"}, "Enter a whole number of minutes"),
    ({"item-planned_minutes": ""}, "This field is required."),
    ({"item-presenter_id": "987654"}, "Choose a person from the list."),
    ({"item-presenter_id": "nobody'--"}, "Choose a person from the list."),
    ({"item-presenter_name": "Host\x01"}, "Remove the invisible control characters."),
]


@pytest.mark.parametrize("headers", [HTMX, {}], ids=["htmx", "plain"])
def test_bad_item_input_is_explained_next_to_the_field_and_nothing_is_saved(app, signed_in, headers):
    meeting_id, ids = _meeting_with(app, [("Úvod", 10)])
    client = signed_in(Role.SECRETARY)
    page = f"/meetings/{meeting_id}"
    typed = {"item-description": "Popis, který zůstane"}
    for path, version in ((f"{page}/agenda/items", {}), (f"{page}/agenda/{ids['Úvod']}", {"item-version": "1"})):
        for overrides, message in BAD_ITEM_INPUT:
            response = client.submit(path, _item_form(**{**typed, **version, **overrides}), headers=headers,
                                     token_from=page)
            case = f"{path} {overrides}"
            assert response.status_code == 422, case
            text = response.data.decode()
            assert message in text, case
            assert "field--error" in text and 'aria-invalid="true"' in text, case
            if "item-description" not in overrides:
                assert "Popis, který zůstane" in text, case
            assert ("<html" in text) is (not headers), case
    with app.app_context():
        assert _titles(meeting_id) == ["Úvod"]
        assert db.session.get(AgendaItem, ids["Úvod"]).version == 1


def test_presenter_is_either_a_member_or_a_guest_name_not_both(app, signed_in, people):
    meeting_id, _ids = _meeting_with(app, [])
    client = signed_in(Role.SECRETARY)
    page = f"/meetings/{meeting_id}"
    response = client.submit(f"{page}/agenda/items", _item_form(**{
        "item-presenter_id": str(people[Role.MEMBER].id), "item-presenter_name": "Host"}), headers=HTMX,
        token_from=page)
    assert response.status_code == 422
    assert b"Choose a member or type a guest" in response.data and b"s name, not both." in response.data


def test_inactive_people_are_not_offered_as_presenters(app, signed_in):
    with app.app_context():
        create_person("gone@example.org", name="Odešlý Člen", active=False)
        create_person("here@example.org", name="Aktivní Členka")
    meeting_id, _ids = _meeting_with(app, [])
    form = signed_in(Role.SECRETARY).get(f"/meetings/{meeting_id}/agenda/items", headers=HTMX).data.decode()
    assert "Aktivní Členka" in form and "Odešlý Člen" not in form


def test_secretary_edits_an_item_in_place(app, signed_in):
    meeting_id, ids = _meeting_with(app, [("Úvod", 10), ("Různé", 15)])
    client = signed_in(Role.SECRETARY)
    page = f"/meetings/{meeting_id}"
    edit = f"{page}/agenda/{ids['Úvod']}"
    opened = client.get(edit, headers=HTMX).data.decode()
    assert 'value="Úvod"' in opened and "<html" not in opened
    response = client.submit(edit, _item_form(**{"item-title": "Úvod a schválení programu",
                                                 "item-planned_minutes": "25", "item-version": _version_in(opened)}),
                             headers=HTMX, token_from=page)
    assert response.status_code == 200
    text = response.data.decode()
    assert _rows(text) == [("1", "9:00", "Úvod a schválení programu"), ("2", "9:25", "Různé")]
    assert 'name="item-title"' not in text  # the form is closed


def test_two_secretaries_editing_the_same_item_do_not_overwrite_each_other(app, make_client, people):
    meeting_id, ids = _meeting_with(app, [("Úvod", 10)])
    with app.app_context():
        second_email = create_person("second@example.org", role=Role.SECRETARY).email
    first, second = make_client(), make_client()
    first.login(people[Role.SECRETARY].email)
    second.login(second_email)
    page, edit = f"/meetings/{meeting_id}", f"/meetings/{meeting_id}/agenda/{ids['Úvod']}"
    first_version = _version_in(first.get(edit, headers=HTMX).data.decode())
    second_version = _version_in(second.get(edit, headers=HTMX).data.decode())
    saved = first.submit(edit, _item_form(**{"item-title": "Úvod podle první", "item-version": first_version}),
                         headers=HTMX, token_from=page)
    assert saved.status_code == 200
    clash = second.submit(edit, _item_form(**{"item-title": "Úvod podle druhé", "item-version": second_version}),
                          headers=HTMX, token_from=page)
    assert clash.status_code == 409
    text = clash.data.decode()
    assert "Someone else saved this in the meantime" in text
    assert "Úvod podle první" in text and 'value="Úvod podle druhé"' in text
    with app.app_context():
        assert _titles(meeting_id) == ["Úvod podle první"]
    # Having seen the other version, the second saves knowingly (the form now carries the new version).
    again = second.submit(edit, _item_form(**{"item-title": "Úvod podle druhé", "item-version": _version_in(text)}),
                          headers=HTMX, token_from=page)
    assert again.status_code == 200
    with app.app_context():
        assert _titles(meeting_id) == ["Úvod podle druhé"]


def test_move_up_and_down_renumber_and_recompute_the_start_times(app, signed_in):
    meeting_id, ids = _meeting_with(app, [("A", 10), ("B", 20), ("C", 15)])
    client = signed_in(Role.SECRETARY)
    page = f"/meetings/{meeting_id}"
    response = client.submit(f"{page}/agenda/{ids['C']}/move", {"direction": "up"}, headers=HTMX, token_from=page)
    assert response.status_code == 200 and b"<html" not in response.data
    assert _rows(response.data) == [("1", "9:00", "A"), ("2", "9:10", "C"), ("3", "9:25", "B")]
    plain = client.submit(f"{page}/agenda/{ids['A']}/move", {"direction": "down"}, token_from=page)
    assert plain.status_code == 302 and plain.location.endswith("#agenda")
    with app.app_context():
        assert _titles(meeting_id) == ["C", "A", "B"]
    assert client.submit(f"{page}/agenda/{ids['A']}/move", {"direction": "sideways"},
                         token_from=page).status_code == 400


def test_drag_and_drop_order_is_saved_and_the_agenda_renumbered(app, signed_in):
    meeting_id, ids = _meeting_with(app, [("A", 10), ("B", 20), ("C", 15)])
    client = signed_in(Role.SECRETARY)
    page = f"/meetings/{meeting_id}"
    order = [str(ids["B"]), str(ids["C"]), str(ids["A"])]
    response = client.submit(f"{page}/agenda/reorder", {"order": order}, headers=HTMX, token_from=page)
    assert response.status_code == 200 and b"<html" not in response.data
    assert _rows(response.data) == [("1", "9:00", "B"), ("2", "9:20", "C"), ("3", "9:35", "A")]
    with app.app_context():
        assert _titles(meeting_id) == ["B", "C", "A"]


@pytest.mark.parametrize("case", ["missing", "extra", "doubled", "junk", "empty"])
def test_reorder_with_ids_that_are_not_exactly_the_agenda_is_refused(app, signed_in, case):
    meeting_id, ids = _meeting_with(app, [("A", 10), ("B", 20)])
    other_id, other_ids = _meeting_with(app, [("X", 10)])
    client = signed_in(Role.SECRETARY)
    page = f"/meetings/{meeting_id}"
    a, b = str(ids["A"]), str(ids["B"])
    order = {"missing": [b], "extra": [b, a, str(other_ids["X"])], "doubled": [b, a, a],
             "junk": [b, "a'; drop table"], "empty": []}[case]
    for headers in (HTMX, {}):
        response = client.submit(f"{page}/agenda/reorder", {"order": order}, headers=headers, token_from=page)
        assert response.status_code == 400
    assert b"this is its current order" in client.submit(f"{page}/agenda/reorder", {"order": order}, headers=HTMX,
                                                         token_from=page).data
    with app.app_context():
        assert _titles(meeting_id) == ["A", "B"] and _titles(other_id) == ["X"]


def test_delete_asks_first_and_then_renumbers(app, signed_in):
    meeting_id, ids = _meeting_with(app, [("A", 10), ("B", 20), ("C", 15)])
    client = signed_in(Role.SECRETARY)
    page = f"/meetings/{meeting_id}"
    question = client.get(f"{page}/agenda/{ids['B']}/delete", headers=HTMX)
    assert question.status_code == 200 and "Delete “B” from the agenda?".encode() in question.data
    with app.app_context():
        assert _titles(meeting_id) == ["A", "B", "C"]  # asking deletes nothing
    response = client.submit(f"{page}/agenda/{ids['B']}/delete", headers=HTMX, token_from=page)
    assert response.status_code == 200 and b"<html" not in response.data
    assert _rows(response.data) == [("1", "9:00", "A"), ("2", "9:10", "C")]
    plain = client.submit(f"{page}/agenda/{ids['A']}/delete", token_from=page)
    assert plain.status_code == 302 and plain.location.endswith("#agenda")
    with app.app_context():
        assert _titles(meeting_id) == ["C"]


def test_publishing_marks_later_changes_and_new_items_as_changed(app, signed_in):
    meeting_id, ids = _meeting_with(app, [("A", 10), ("B", 20)])
    client = signed_in(Role.SECRETARY)
    page = f"/meetings/{meeting_id}"
    assert "changed</span>" not in _agenda_of(client.get(page).data)
    published = client.submit(f"{page}/agenda/publish", headers=HTMX, token_from=page)
    assert published.status_code == 200 and b"Published on" in published.data
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).agenda_published_at is not None
        version = db.session.get(AgendaItem, ids["B"]).version
    client.submit(f"{page}/agenda/{ids['B']}", _item_form(**{"item-title": "B upraveno", "item-version": str(version)}),
                  token_from=page)
    client.submit(f"{page}/agenda/items", _item_form(**{"item-title": "C nové"}), token_from=page)
    section = _agenda_of(signed_in(Role.MEMBER).get(page).data)
    rows = {title: section.split(f"<strong>{title}</strong>")[1].split("</td>")[0] for title in ("A", "B upraveno", "C nové")}
    assert "changed" not in rows["A"]
    assert "badge--changed" in rows["B upraveno"] and "badge--changed" in rows["C nové"]
    assert "2 items changed since then." in section
    again = client.submit(f"{page}/agenda/publish", headers=HTMX, token_from=page)
    assert again.status_code == 409 and b"published already" in again.data


def test_an_empty_agenda_cannot_be_published(app, signed_in):
    meeting_id, _ids = _meeting_with(app, [])
    client = signed_in(Role.SECRETARY)
    page = f"/meetings/{meeting_id}"
    response = client.submit(f"{page}/agenda/publish", headers=HTMX, token_from=page)
    assert response.status_code == 422 and b"Add at least one item" in response.data
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).agenda_published_at is None


# --- starting an agenda ----------------------------------------------------------------------

def test_standing_items_are_added_first(app, signed_in):
    meeting_id, _ids = _meeting_with(app, [("Terénní práce", 30)])
    client = signed_in(Role.SECRETARY)
    page = f"/meetings/{meeting_id}"
    response = client.submit(f"{page}/agenda/standing", headers=HTMX, token_from=page)
    assert response.status_code == 200
    text = response.data.decode()
    assert text.index("Approval of the minutes of the last meeting") \
        < text.index("Review of the conclusions of the last meeting") < text.index("Terénní práce")
    assert "Add the standing items" not in text
    with app.app_context():
        assert _titles(meeting_id)[2] == "Terénní práce"


def test_review_of_the_conclusions_lists_what_the_last_meeting_concluded(app, signed_in, people):
    member_email = people[Role.MEMBER].email
    client = signed_in(Role.MEMBER)
    with app.app_context():
        member = db.session.scalar(sa.select(Person).where(Person.email == member_email))
        previous = create_meeting("Kulatý stůl v prosinci", starts=datetime(2026, 12, 10, 9, 0),
                                  items=[("Terénní práce", 20), ("Různé", 10)])
        police = create_organisation(name="Městská policie Vzorov", short_name="MP", sector_code="police")
        first = Conclusion(text="Zmapovat místa **nálezů** stříkaček", due_date=date(2027, 2, 28),
                           is_decision=True, decision_year=2026, decision_number=12)
        first.responsible_people.append(member)
        first.responsible_organisations.append(police)
        ongoing = Conclusion(text="Pravidelně sdílet data", due_kind=DueKind.FROM.value, due_date=date(2027, 1, 1),
                             position=2)
        previous.agenda_items[0].conclusions.extend([first, ongoing])
        db.session.commit()
        meeting = create_meeting(starts=NINE, items=[("Nové téma", 10)])
        agenda.add_standing_items(meeting)
        meeting_id, previous_id = meeting.id, previous.id
    section = _agenda_of(client.get(f"/meetings/{meeting_id}").data)
    assert f'href="/meetings/{previous_id}">Kulatý stůl v prosinci</a>' in section
    assert "Zmapovat místa <strong>nálezů</strong> stříkaček" in section
    assert "Decision 12/2026" in section
    assert "Responsible: Member, Městská policie Vzorov" in section
    assert "by February 28, 2027" in section and "from January 1, 2027" in section
    assert section.index("Zmapovat") < section.index("Pravidelně")


def test_review_of_the_conclusions_costs_the_meeting_page_one_query_whatever_the_size(app, signed_in):
    def page_queries(items: int, standing: bool) -> int:
        with app.app_context():
            previous = create_meeting("Předchozí", starts=datetime(2026, 12, 10, 9, 0),
                                      items=[(f"Bod {n}", 10) for n in range(items)])
            for item in previous.agenda_items:
                item.conclusions.append(Conclusion(text=f"Závěr k {item.title}"))
            db.session.commit()
            meeting = create_meeting(starts=NINE, items=[(f"Téma {n}", 10) for n in range(items)])
            if standing:
                agenda.add_standing_items(meeting)
            meeting_id = meeting.id
        with count_queries() as statements:
            response = client.get(f"/meetings/{meeting_id}")
        assert response.status_code == 200
        with app.app_context():
            db.session.execute(sa.delete(AgendaItem).where(AgendaItem.meeting_id == meeting_id))
            db.session.execute(sa.delete(Conclusion))
            db.session.execute(sa.delete(AgendaItem))
            db.session.execute(sa.delete(Meeting))
            db.session.commit()
        return len(statements)

    client = signed_in(Role.MEMBER)
    client.get("/")  # the session row is fresh: no "last seen" write during the measurements
    small, large = page_queries(3, standing=True), page_queries(30, standing=True)
    without = page_queries(30, standing=False)
    assert small == large
    assert large - without == 1


def test_copy_the_agenda_of_the_previous_meeting_of_the_same_type(app, signed_in):
    with app.app_context():
        create_meeting("Loňský", starts=datetime(2026, 12, 10, 9, 0), items=[("Hlášení z terénu", 40), ("Různé", 10)])
        create_meeting("Jiný typ", starts=datetime(2027, 1, 10, 9, 0), type_code="plenary", items=[("Rozpočet", 30)])
    meeting_id, _ids = _meeting_with(app, [])
    client = signed_in(Role.SECRETARY)
    page = f"/meetings/{meeting_id}"
    offered = _agenda_of(client.get(page).data)
    assert "The previous meeting of this type, Loňský on" in offered and "had 2 items" in offered
    response = client.submit(f"{page}/agenda/copy-previous", headers=HTMX, token_from=page)
    assert response.status_code == 200 and b"2 items are copied" in response.data
    with app.app_context():
        assert _titles(meeting_id) == ["Hlášení z terénu", "Různé"]


def test_without_a_previous_meeting_there_is_nothing_to_copy(app, signed_in):
    meeting_id, _ids = _meeting_with(app, [])
    client = signed_in(Role.SECRETARY)
    page = f"/meetings/{meeting_id}"
    assert "Copy the agenda of the previous meeting" not in _agenda_of(client.get(page).data)
    response = client.submit(f"{page}/agenda/copy-previous", headers=HTMX, token_from=page)
    assert response.status_code == 422 and b"no earlier meeting of this type" in response.data


def test_save_as_template_then_start_another_agenda_from_it(app, signed_in):
    meeting_id, _ids = _meeting_with(app, [("Úvod", 5), ("Hlášení z terénu", 40)])
    with app.app_context():
        other_id = create_meeting("Další", starts=datetime(2027, 6, 17, 9, 0), type_code="plenary").id
    client = signed_in(Role.SECRETARY)
    page = f"/meetings/{meeting_id}"
    saved = client.submit(f"{page}/agenda/save-template", {"template-name": "Běžný kulatý stůl"}, headers=HTMX,
                          token_from=page)
    assert saved.status_code == 200 and "saved as the template “Běžný kulatý stůl”".encode() in saved.data
    clash = client.submit(f"{page}/agenda/save-template", {"template-name": "běžný KULATÝ stůl"}, headers=HTMX,
                          token_from=page)
    assert clash.status_code == 422 and b"A template with this name exists already" in clash.data
    assert "běžný KULATÝ stůl".encode() in clash.data
    empty = client.submit(f"{page}/agenda/save-template", {"template-name": ""}, token_from=page)
    assert empty.status_code == 422 and b"This field is required." in empty.data

    other = f"/meetings/{other_id}"
    offered = _agenda_of(client.get(other).data)
    assert "Běžný kulatý stůl</option>" in offered
    with app.app_context():
        template_id = db.session.scalar(sa.select(AgendaTemplate.id))
    for junk in ("", "abc", "987654", "-1"):
        refused = client.submit(f"{other}/agenda/from-template", {"template_id": junk}, headers=HTMX, token_from=other)
        assert refused.status_code == 422 and b"Choose a template from the list." in refused.data
    started = client.submit(f"{other}/agenda/from-template", {"template_id": str(template_id)}, token_from=other)
    assert started.status_code == 302 and started.location.endswith("#agenda")
    with app.app_context():
        assert _titles(other_id) == ["Úvod", "Hlášení z terénu"]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AgendaTemplate)) == 1


# --- who may do what -------------------------------------------------------------------------

def _changes(meeting_id: int, item_id: int, other_id: int) -> list[tuple[str, dict]]:
    page = f"/meetings/{meeting_id}/agenda"
    return [
        (f"{page}/items", _item_form()),
        (f"{page}/{item_id}", _item_form(**{"item-version": "1"})),
        (f"{page}/{item_id}/delete", {}),
        (f"{page}/{item_id}/move", {"direction": "down"}),
        (f"{page}/reorder", {"order": [str(other_id), str(item_id)]}),
        (f"{page}/publish", {}),
        (f"{page}/standing", {}),
        (f"{page}/copy-previous", {}),
        (f"{page}/from-template", {"template_id": "1"}),
        (f"{page}/save-template", {"template-name": "Můj"}),
    ]


@pytest.mark.parametrize("role", [Role.MEMBER, Role.FACILITATOR, Role.GUEST])
def test_only_those_who_manage_meetings_may_change_the_agenda(app, signed_in, people, role):
    meeting_id, ids = _meeting_with(app, [("A", 10), ("B", 10)], invite=[people[Role.GUEST]])
    client = signed_in(role)
    page = f"/meetings/{meeting_id}"
    section = _agenda_of(client.get(page).data)
    assert "<strong>A</strong>" in section and "Add an item" not in section and "sortable" not in section
    for path, data in _changes(meeting_id, ids["A"], ids["B"]):
        for headers in (HTMX, {}):
            assert client.submit(path, data, headers=headers, token_from=page).status_code == 403, path
    for path in (f"{page}/agenda/items", f"{page}/agenda/{ids['A']}", f"{page}/agenda/{ids['A']}/delete"):
        assert client.get(path, headers=HTMX).status_code == 403, path
    with app.app_context():
        assert _titles(meeting_id) == ["A", "B"]
        assert db.session.get(Meeting, meeting_id).agenda_published_at is None


def test_invited_guest_sees_the_agenda_but_not_last_meetings_conclusions(app, signed_in, people):
    with app.app_context():
        previous = create_meeting("Předchozí", starts=datetime(2026, 12, 10, 9, 0), items=["Téma"])
        previous.agenda_items[0].conclusions.append(Conclusion(text="Tajný závěr"))
        db.session.commit()
    meeting_id, _ids = _meeting_with(app, [("Téma pro hosty", 10)], invite=[people[Role.GUEST]])
    with app.app_context():
        agenda.add_standing_items(db.session.get(Meeting, meeting_id))
    section = _agenda_of(signed_in(Role.GUEST).get(f"/meetings/{meeting_id}").data)
    assert "Téma pro hosty" in section and "Review of the conclusions of the last meeting" in section
    assert "Tajný závěr" not in section


def test_guest_not_invited_cannot_open_the_meeting_or_its_agenda(app, signed_in):
    meeting_id, ids = _meeting_with(app, [("A", 10)])
    client = signed_in(Role.GUEST)
    assert client.get(f"/meetings/{meeting_id}").status_code == 403
    assert client.get(f"/meetings/{meeting_id}/agenda", headers=HTMX).status_code == 403


def test_signed_out_visitor_is_sent_to_sign_in(app, client):
    meeting_id, ids = _meeting_with(app, [("A", 10)])
    response = client.get(f"/meetings/{meeting_id}/agenda/items")
    assert response.status_code == 302 and "/login" in response.location


def test_junk_and_foreign_ids_are_not_found_not_errors(app, signed_in):
    meeting_id, ids = _meeting_with(app, [("A", 10)])
    other_id, other_ids = _meeting_with(app, [("X", 10)])
    client = signed_in(Role.SECRETARY)
    page = f"/meetings/{meeting_id}"
    for path in (f"{page}/agenda/{other_ids['X']}", f"{page}/agenda/987654", "/meetings/987654/agenda/items",
                 f"{page}/agenda/abc", f"{page}/agenda/-1/delete"):
        assert client.get(path, headers=HTMX).status_code == 404, path
    assert client.submit(f"{page}/agenda/{other_ids['X']}/move", {"direction": "up"},
                         token_from=page).status_code == 404
    with app.app_context():
        assert _titles(other_id) == ["X"]


def test_the_agenda_of_a_cancelled_meeting_cannot_be_changed(app, signed_in):
    meeting_id, ids = _meeting_with(app, [("A", 10), ("B", 10)])
    with app.app_context():
        services.cancel_meeting(db.session.get(Meeting, meeting_id))
    client = signed_in(Role.SECRETARY)
    page = f"/meetings/{meeting_id}"
    assert "Add an item" not in _agenda_of(client.get(page).data)
    refused = client.submit(f"{page}/agenda/{ids['B']}/move", {"direction": "up"}, headers=HTMX, token_from=page)
    assert refused.status_code == 409 and b"can no longer be changed" in refused.data
    plain = client.submit(f"{page}/agenda/items", _item_form(), token_from=page)
    assert plain.status_code == 302
    assert b"can no longer be changed" in client.get(plain.location).data
    with app.app_context():
        assert _titles(meeting_id) == ["A", "B"]


def test_an_item_with_minutes_or_conclusions_cannot_be_deleted(app, signed_in):
    meeting_id, ids = _meeting_with(app, [("A", 10), ("B", 10)])
    with app.app_context():
        item = db.session.get(AgendaItem, ids["A"])
        item.conclusions.append(Conclusion(text="Závěr"))
        db.session.commit()
    client = signed_in(Role.SECRETARY)
    page = f"/meetings/{meeting_id}"
    for method in ("get", "submit"):
        response = client.get(f"{page}/agenda/{ids['A']}/delete", headers=HTMX) if method == "get" else \
            client.submit(f"{page}/agenda/{ids['A']}/delete", headers=HTMX, token_from=page)
        assert response.status_code == 409 and b"has minutes or conclusions" in response.data
    with app.app_context():
        assert _titles(meeting_id) == ["A", "B"]


def test_plain_request_for_the_agenda_fragment_goes_to_the_meeting_page(app, signed_in):
    meeting_id, _ids = _meeting_with(app, [("A", 10)])
    client = signed_in(Role.MEMBER)
    response = client.get(f"/meetings/{meeting_id}/agenda")
    assert response.status_code == 302 and response.location.endswith(f"/meetings/{meeting_id}#agenda")
    fragment = client.get(f"/meetings/{meeting_id}/agenda", headers=HTMX)
    assert fragment.status_code == 200 and b"<html" not in fragment.data and b"<strong>A</strong>" in fragment.data


def test_the_form_to_save_the_agenda_as_a_template_opens_on_request(app, signed_in):
    meeting_id, _ids = _meeting_with(app, [("Úvod", 5)])
    client = signed_in(Role.SECRETARY)
    page = f"/meetings/{meeting_id}"
    agenda = _agenda_of(client.get(page).data)
    assert f'href="{page}/agenda/save-template"' in agenda and 'name="template-name"' not in agenda
    opened = client.get(f"{page}/agenda/save-template", headers=HTMX)
    assert opened.status_code == 200 and b'<section id="agenda"' in opened.data and b"<html" not in opened.data
    assert b'name="template-name"' in opened.data
    without_javascript = client.get(f"{page}/agenda/save-template")
    assert without_javascript.status_code == 200 and b"<html" in without_javascript.data
    assert b'name="template-name"' in without_javascript.data
    assert signed_in(Role.MEMBER).get(f"{page}/agenda/save-template").status_code == 403
