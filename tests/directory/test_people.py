"""People on the council: the list, each person's page, and keeping their record up to date."""
import html
import re

import pytest

from council.auth.models import Person
from council.auth.roles import Role
from council.directory.search import PAGE_SIZE
from council.extensions import db
from tests.conftest import create_organisation, create_person, sector
from tests.helpers import input_value, see_saved, text_of


def field_error(response, field_id: str) -> str | None:
    match = re.search(rf'<p class="error" id="{field_id}-error">([^<]*)</p>', response.get_data(as_text=True))
    return html.unescape(match.group(1)) if match else None


def version_in(response) -> str:
    match = re.search(r'name="version" value="(\d+)"', response.get_data(as_text=True))
    assert match, "the form carries no version"
    return match.group(1)


def listed_names(response) -> list[str]:
    """The names in the people table, in order."""
    return [html.unescape(name) for name in
            re.findall(r'<td><a href="/people/\d+">([^<]*)</a>', response.get_data(as_text=True))]


@pytest.fixture
def council(people):
    """Two organisations in two localities, with a person each, besides the role fixtures."""
    police = create_organisation(name="Policie ČR Vzorov", short_name="PČR", sector_code="police",
                                 localities=["Vzorov"])
    centre = create_organisation(name="Kontaktní centrum Brno", short_name="KC",
                                 sector_code="addiction_services", localities=["Brno"],
                                 services=["Výměna jehel"])
    officer = create_person("novakova@example.org", name="Jana Nováková", organisation=police,
                            function="preventistka", password=None)
    worker = create_person("dvorak@example.org", name="Petr Dvořák", organisation=centre,
                           function="terénní pracovník", password=None)
    return {"police": police, "centre": centre, "officer": officer, "worker": worker}


def people_page(client, **query):
    return client.get("/people", query_string=query)


# --- the list and search --------------------------------------------------------------------

def test_member_sees_everyone_active_with_organisation_and_sector(signed_in, council):
    response = people_page(signed_in(Role.MEMBER))
    assert response.status_code == 200
    names = listed_names(response)
    assert names == sorted(names)
    assert {"Jana Nováková", "Petr Dvořák", "Member", "Secretary", "Guest"} <= set(names)
    text = text_of(response)
    assert "PČR" in text and "Police" in text and "preventistka" in text


def test_search_people_by_name_ignores_case_and_diacritics(signed_in, council):
    member = signed_in(Role.MEMBER)
    assert listed_names(people_page(member, q="NOVAKOVA")) == ["Jana Nováková"]
    assert listed_names(people_page(member, q="dvořák")) == ["Petr Dvořák"]
    assert listed_names(people_page(member, q="jana novakova")) == ["Jana Nováková"]


def test_search_people_by_function_and_email(signed_in, council):
    member = signed_in(Role.MEMBER)
    assert listed_names(people_page(member, q="terenni")) == ["Petr Dvořák"]
    assert listed_names(people_page(member, q="novakova@example")) == ["Jana Nováková"]


def test_search_people_by_organisation_name(signed_in, council):
    member = signed_in(Role.MEMBER)
    assert listed_names(people_page(member, q="policie")) == ["Jana Nováková"]
    assert listed_names(people_page(member, q="kontaktni centrum")) == ["Petr Dvořák"]
    assert set(listed_names(people_page(member, q="vzorov"))) == {
        "Jana Nováková", "Admin", "Secretary", "Facilitator", "Member"}  # Město Vzorov too


def test_search_people_by_sector(signed_in, council):
    member = signed_in(Role.MEMBER)
    assert listed_names(people_page(member, sector=sector("police").id)) == ["Jana Nováková"]
    assert listed_names(people_page(member, sector=sector("health_care").id)) == []
    assert "Nobody matches" in text_of(people_page(member, sector=sector("health_care").id))


def test_search_people_by_locality_of_their_organisation(signed_in, council):
    member = signed_in(Role.MEMBER)
    brno = council["centre"].localities[0]
    assert listed_names(people_page(member, locality=brno.id)) == ["Petr Dvořák"]
    assert listed_names(people_page(member, locality=brno.id, q="novakova")) == []


def test_people_search_fragment_for_htmx(signed_in, council):
    member = signed_in(Role.MEMBER)
    response = member.get("/people?q=novakova", headers={"HX-Request": "true", "HX-Target": "people-results"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="people-results"')
    assert "<html" not in body
    assert listed_names(response) == ["Jana Nováková"]
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize("query", ["sector=abc", "locality=-1", "page=0", "page=abc", "q=" + "x" * 500,
                                   "locality=99999999999999999999", "inactive=yes"])
def test_junk_in_the_people_query_does_not_break_the_page(signed_in, council, query):
    assert signed_in(Role.MEMBER).get(f"/people?{query}").status_code == 200


def test_guests_without_organisation_are_shown_as_guests(signed_in, council):
    response = people_page(signed_in(Role.MEMBER), q="guest")
    assert listed_names(response) == ["Guest"]
    row = re.search(r"<tr>.*?</tr>", response.get_data(as_text=True).split("<tbody>")[1], re.S).group(0)
    assert '<span class="muted">guest</span>' in row


def test_deactivated_people_are_hidden_unless_archived_are_included(signed_in, council):
    council["worker"].active = False
    db.session.commit()
    secretary = signed_in(Role.SECRETARY)
    assert "Petr Dvořák" not in listed_names(people_page(secretary))
    with_archived = people_page(secretary, inactive="1")
    assert "Petr Dvořák" in listed_names(with_archived)
    assert "(deactivated)" in text_of(with_archived)


def test_members_do_not_see_deactivated_people_even_when_asking(signed_in, council):
    council["worker"].active = False
    db.session.commit()
    member = signed_in(Role.MEMBER)
    assert "Petr Dvořák" not in listed_names(people_page(member, inactive="1"))


def test_deactivated_person_is_not_listed_on_the_organisation_page(signed_in, council):
    council["worker"].active = False
    db.session.commit()
    page = text_of(signed_in(Role.MEMBER).get(f"/organisations/{council['centre'].id}"))
    assert "Petr Dvořák" not in page
    assert "Nobody from this organisation is on the council yet." in page


def test_guest_cannot_open_the_people_list(signed_in, council):
    guest = signed_in(Role.GUEST)
    assert guest.get("/people").status_code == 403
    assert guest.get("/people?q=a", headers={"HX-Request": "true", "HX-Target": "people-results"}).status_code == 403


# --- a person's page ------------------------------------------------------------------------

def test_member_opens_a_persons_page(signed_in, council):
    officer = council["officer"]
    officer.phone = "+420 777 000 111"
    db.session.commit()
    response = signed_in(Role.MEMBER).get(f"/people/{officer.id}")
    assert response.status_code == 200
    text = text_of(response)
    assert "Jana Nováková" in text
    assert "Policie ČR Vzorov" in text and "Police" in text
    assert "preventistka" in text
    assert 'href="mailto:novakova@example.org"' in text
    assert "+420 777 000 111" in text
    assert "Member" in text
    assert "invited, no password yet" not in text  # the account state is for the secretariat
    assert f"/people/{officer.id}/edit" not in text


def test_secretary_sees_whether_a_person_has_signed_up(signed_in, council):
    text = text_of(signed_in(Role.SECRETARY).get(f"/people/{council['officer'].id}"))
    assert "invited, no password yet" in text
    assert f"/people/{council['officer'].id}/edit" in text


def test_guest_page_says_guest_without_organisation(signed_in, people):
    text = text_of(signed_in(Role.MEMBER).get(f"/people/{people[Role.GUEST].id}"))
    assert "guest, no organisation" in text


def test_guest_sees_own_page_but_not_others(signed_in, people):
    guest = signed_in(Role.GUEST)
    assert guest.get(f"/people/{people[Role.GUEST].id}").status_code == 200
    assert guest.get(f"/people/{people[Role.MEMBER].id}").status_code == 403


def test_unknown_person_is_not_found(signed_in, people):
    assert signed_in(Role.MEMBER).get("/people/9999").status_code == 404


# --- the secretary edits a person -----------------------------------------------------------

def person_data(person: Person, **override) -> dict:
    data = {"name": person.name, "email": person.email, "organisation_id": str(person.organisation_id or 0),
            "function": person.function, "phone": person.phone, "role": person.role}
    data.update(override)
    return data


def test_secretary_moves_a_person_to_another_organisation(signed_in, council):
    worker = council["worker"]
    secretary = signed_in(Role.SECRETARY)
    form = secretary.get(f"/people/{worker.id}/edit")
    assert form.status_code == 200
    response = secretary.submit(f"/people/{worker.id}/edit", person_data(
        worker, organisation_id=str(council["police"].id), function="asistent prevence",
        version=version_in(form)))
    assert response.status_code == 302
    assert listed_names(people_page(secretary, q="policie")) == ["Jana Nováková", "Petr Dvořák"]
    assert listed_names(people_page(secretary, q="asistent")) == ["Petr Dvořák"]


def test_secretary_cannot_give_a_person_someone_elses_email(signed_in, council):
    worker = council["worker"]
    secretary = signed_in(Role.SECRETARY)
    form = secretary.get(f"/people/{worker.id}/edit")
    response = secretary.submit(f"/people/{worker.id}/edit", person_data(
        worker, email="NOVAKOVA@example.org", version=version_in(form)))
    assert response.status_code == 422
    assert field_error(response, "email") == "Someone with this email is already in the directory."
    assert input_value(response, "email") == "NOVAKOVA@example.org"


def test_empty_name_of_a_person_is_refused_next_to_the_field(signed_in, council):
    worker = council["worker"]
    secretary = signed_in(Role.SECRETARY)
    form = secretary.get(f"/people/{worker.id}/edit")
    response = secretary.submit(f"/people/{worker.id}/edit", person_data(
        worker, name="", function="koordinátor", version=version_in(form)))
    assert response.status_code == 422
    assert field_error(response, "name") == "This field is required."
    assert input_value(response, "function") == "koordinátor"


@pytest.mark.parametrize("organisation_id", ["9999", "abc"])
def test_unknown_organisation_for_a_person_is_refused(signed_in, council, organisation_id):
    worker = council["worker"]
    secretary = signed_in(Role.SECRETARY)
    form = secretary.get(f"/people/{worker.id}/edit")
    response = secretary.submit(f"/people/{worker.id}/edit", person_data(
        worker, organisation_id=organisation_id, version=version_in(form)))
    assert response.status_code == 422
    assert field_error(response, "organisation_id")


def test_person_of_an_archived_organisation_can_still_be_edited(signed_in, council):
    centre, worker = council["centre"], council["worker"]
    centre.active = False
    db.session.commit()
    secretary = signed_in(Role.SECRETARY)
    form = secretary.get(f"/people/{worker.id}/edit")
    assert f'<option selected value="{centre.id}">' in form.get_data(as_text=True)
    response = secretary.submit(f"/people/{worker.id}/edit", person_data(
        worker, phone="+420 600 000 000", version=version_in(form)))
    assert response.status_code == 302
    see_saved()
    assert db.session.get(Person, worker.id).organisation_id == centre.id


def test_archived_organisation_is_not_offered_to_other_people(signed_in, council):
    council["centre"].active = False
    db.session.commit()
    officer = council["officer"]
    secretary = signed_in(Role.SECRETARY)
    form = secretary.get(f"/people/{officer.id}/edit")
    assert "Kontaktní centrum Brno" not in text_of(form)
    response = secretary.submit(f"/people/{officer.id}/edit", person_data(
        officer, organisation_id=str(council["centre"].id), version=version_in(form)))
    assert response.status_code == 422


@pytest.mark.parametrize("role", [Role.MEMBER, Role.FACILITATOR, Role.GUEST])
def test_only_the_secretariat_edits_other_people(signed_in, council, role):
    worker = council["worker"]
    client = signed_in(role)
    assert client.get(f"/people/{worker.id}/edit").status_code == 403
    response = client.submit(f"/people/{worker.id}/edit", person_data(worker, name="Změněno", version="1"))
    assert response.status_code == 403
    see_saved()
    assert db.session.get(Person, worker.id).name == "Petr Dvořák"


def test_second_save_of_the_same_person_is_refused_and_keeps_the_typing(signed_in, council):
    worker = council["worker"]
    worker_data = person_data(worker)
    secretary, admin = signed_in(Role.SECRETARY), signed_in(Role.ADMIN)
    path = f"/people/{worker.id}/edit"
    secretary_form, admin_form = secretary.get(path), admin.get(path)

    saved = admin.submit(path, {**worker_data, "phone": "+420 111 111 111", "version": version_in(admin_form)})
    assert saved.status_code == 302

    refused = secretary.submit(path, {**worker_data, "function": "vedoucí terénu",
                                      "version": version_in(secretary_form)})
    assert refused.status_code == 409
    text = text_of(refused)
    assert "Someone else saved this in the meantime" in text
    assert "+420 111 111 111" in text
    assert input_value(refused, "function") == "vedoucí terénu"
    see_saved()
    assert db.session.get(Person, worker.id).function == "terénní pracovník"

    again = secretary.submit(path, {**worker_data, "phone": "+420 111 111 111", "function": "vedoucí terénu",
                                    "version": version_in(refused)})
    assert again.status_code == 302
    see_saved()
    stored = db.session.get(Person, worker.id)
    assert (stored.function, stored.phone) == ("vedoucí terénu", "+420 111 111 111")


# --- the member's own profile ---------------------------------------------------------------

def profile_data(person: Person, **override) -> dict:
    data = {"name": person.name, "email": person.email, "phone": person.phone, "function": person.function,
            "locale": person.locale or ""}
    data.update(override)
    return data


def test_member_updates_own_contact_details(signed_in, people):
    member = signed_in(Role.MEMBER)
    form = member.get("/profile")
    response = member.submit("/profile", profile_data(people[Role.MEMBER], phone="+420 222 333 444",
                                                      version=version_in(form)))
    assert response.status_code == 302
    assert "+420 222 333 444" in text_of(member.get(f"/people/{people[Role.MEMBER].id}"))


def test_profile_saved_after_the_secretary_changed_it_is_refused_and_keeps_the_typing(signed_in, people):
    me = people[Role.MEMBER]
    my_data = profile_data(me)
    record = person_data(me)
    member, secretary = signed_in(Role.MEMBER), signed_in(Role.SECRETARY)
    my_form = member.get("/profile")

    their_form = secretary.get(f"/people/{me.id}/edit")
    saved = secretary.submit(f"/people/{me.id}/edit", {**record, "function": "krajský koordinátor",
                                                        "version": version_in(their_form)})
    assert saved.status_code == 302

    refused = member.submit("/profile", {**my_data, "phone": "+420 999 888 777", "version": version_in(my_form)})
    assert refused.status_code == 409
    text = text_of(refused)
    assert "Someone else saved this in the meantime" in text
    assert "krajský koordinátor" in text
    assert input_value(refused, "phone") == "+420 999 888 777"
    see_saved()
    assert db.session.get(Person, me.id).phone == ""

    again = member.submit("/profile", {**my_data, "phone": "+420 999 888 777", "function": "krajský koordinátor",
                                       "version": version_in(refused)})
    assert again.status_code == 302
    see_saved()
    stored = db.session.get(Person, me.id)
    assert (stored.phone, stored.function) == ("+420 999 888 777", "krajský koordinátor")


def test_people_come_in_pages_that_keep_the_search(signed_in, council):
    for number in range(1, PAGE_SIZE + 6):
        person = Person(name=f"Koordinátor {number:02d}", email=f"koordinator{number}@example.org",
                        role=Role.MEMBER.value, organisation=council["police"])
        person.refresh_search_text()
        db.session.add(person)
    db.session.commit()
    member = signed_in(Role.MEMBER)

    first = people_page(member, q="koordinator")
    assert listed_names(first) == [f"Koordinátor {n:02d}" for n in range(1, PAGE_SIZE + 1)]
    assert '<a href="/people?q=koordinator&amp;page=2">Next page</a>' in first.get_data(as_text=True)
    second = people_page(member, q="koordinator", page=2)
    assert listed_names(second) == [f"Koordinátor {n:02d}" for n in range(PAGE_SIZE + 1, PAGE_SIZE + 6)]
    assert '<a href="/people?q=koordinator&amp;page=1">Previous page</a>' in second.get_data(as_text=True)
    assert "Next page" not in second.get_data(as_text=True)
    past_the_end = text_of(people_page(member, q="koordinator", page=3))
    assert "There are no more results." in past_the_end
    assert "Nobody is in the directory yet." not in past_the_end
