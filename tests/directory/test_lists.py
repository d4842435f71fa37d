"""The secretary's lists of sectors and localities, used across the council's tools."""
import html
import re

import pytest
import sqlalchemy as sa

from council.auth.roles import Role
from council.directory.models import Locality, Sector
from council.extensions import db
from tests.conftest import create_organisation, sector
from tests.helpers import see_saved, text_of


def field_error(response, field_id: str) -> str | None:
    match = re.search(rf'<p class="error" id="{field_id}-error">([^<]*)</p>', response.get_data(as_text=True))
    return html.unescape(match.group(1)) if match else None


def input_value(response, name: str) -> str | None:
    match = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', response.get_data(as_text=True))
    if not match:
        return None
    value = re.search(r'\bvalue="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else ""


def version_in(response) -> str:
    match = re.search(r'name="version" value="(\d+)"', response.get_data(as_text=True))
    assert match, "the form carries no version"
    return match.group(1)


def locality_named(name: str) -> Locality | None:
    see_saved()
    return db.session.scalar(sa.select(Locality).where(Locality.name == name))


def sector_named(name: str) -> Sector | None:
    see_saved()
    return db.session.scalar(sa.select(Sector).where(Sector.name == name))


def offered_in_new_organisation_form(client) -> str:
    form = text_of(client.get("/organisations/new"))
    return form[form.index('<form id="organisation-form"'):]


def search_filter(client) -> str:
    page = text_of(client.get("/organisations"))
    return page[page.index('role="search"'):page.index('id="organisation-results"')]


def test_secretary_sees_both_lists(signed_in):
    create_organisation(name="Nemocnice Brno", localities=["Brno"])
    page = signed_in(Role.SECRETARY).get("/lists")
    assert page.status_code == 200
    text = text_of(page)
    assert "Sectors" in text and "Localities" in text
    assert "Probation and mediation" in text
    assert "Brno" in text


def test_secretary_adds_a_locality_and_a_sector_that_the_organisation_form_offers(signed_in, people):
    secretary = signed_in(Role.SECRETARY)

    added = secretary.submit("/lists", {"kind": "localities", "localities-name": "  Znojmo "})
    assert added.status_code == 302
    assert "Added to the list." in text_of(secretary.get(added.headers["Location"]))
    added = secretary.submit("/lists", {"kind": "sectors", "sectors-name": "Neziskové organizace"})
    assert added.status_code == 302

    see_saved()
    znojmo, ngo = locality_named("Znojmo"), sector_named("Neziskové organizace")
    assert znojmo is not None and ngo is not None
    lists = text_of(secretary.get("/lists"))
    assert "Znojmo" in lists and "Neziskové organizace" in lists
    form = offered_in_new_organisation_form(secretary)
    assert f'value="{znojmo.id}"' in form and ">Znojmo<" in form
    assert f'<option value="{ngo.id}">Neziskové organizace</option>' in form
    assert ">Neziskové organizace<" in search_filter(secretary)

    created = secretary.submit("/organisations/new", {"name": "Sdružení Znojmo", "sector_id": str(ngo.id),
                                                      "locality_ids": [str(znojmo.id)]})
    assert created.status_code == 302
    page = text_of(secretary.get(created.headers["Location"]))
    assert "Neziskové organizace" in page and "Znojmo" in page


def test_added_sector_comes_after_the_default_ones(signed_in, people):
    secretary = signed_in(Role.SECRETARY)
    secretary.submit("/lists", {"kind": "sectors", "sectors-name": "Agentura"})
    form = offered_in_new_organisation_form(secretary)
    assert form.index(">Other<") < form.index(">Agentura<")


@pytest.mark.parametrize("kind, existing, typed", [
    ("localities", "Brno", "Brno"),
    ("localities", "Brno", "  brno "),
    ("sectors", "Police", "police"),
    ("sectors", "Probation and mediation", "PROBATION AND MEDIATION"),
])
def test_duplicate_entry_is_refused_with_a_message(signed_in, kind, existing, typed):
    create_organisation(name="Nemocnice Brno", localities=["Brno"])
    secretary = signed_in(Role.SECRETARY)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Locality if kind == "localities" else Sector))
    response = secretary.submit("/lists", {"kind": kind, f"{kind}-name": typed})

    assert response.status_code == 422
    assert field_error(response, f"{kind}-name") == "This name is already on the list."
    assert input_value(response, f"{kind}-name") == typed.strip()
    see_saved()
    after = db.session.scalar(sa.select(sa.func.count()).select_from(Locality if kind == "localities" else Sector))
    assert after == before


def test_duplicate_differing_in_czech_capitals_is_refused(signed_in, people):
    db.session.add(Locality(name="Černá Hora"))
    db.session.commit()
    response = signed_in(Role.SECRETARY).submit("/lists", {"kind": "localities", "localities-name": "ČERNÁ HORA"})
    assert response.status_code == 422
    assert field_error(response, "localities-name") == "This name is already on the list."


@pytest.mark.parametrize("kind", ["localities", "sectors"])
def test_empty_name_is_refused_next_to_the_field(signed_in, people, kind):
    response = signed_in(Role.SECRETARY).submit("/lists", {"kind": kind, f"{kind}-name": "  "})
    assert response.status_code == 422
    assert field_error(response, f"{kind}-name") == "This field is required."


def test_too_long_name_is_refused(signed_in, people):
    response = signed_in(Role.SECRETARY).submit("/lists", {"kind": "localities", "localities-name": "x" * 121})
    assert response.status_code == 422
    assert field_error(response, "localities-name") == "Use at most 120 characters."


def test_unknown_list_is_a_bad_request(signed_in, people):
    secretary = signed_in(Role.SECRETARY)
    assert secretary.submit("/lists", {"kind": "people", "people-name": "X"}).status_code == 400
    assert secretary.submit("/lists", {"name": "X"}).status_code == 400
    assert secretary.submit("/lists/people/1/active", {"active": "0"}).status_code == 404
    assert secretary.submit("/lists/localities/9999/active", {"active": "0"}).status_code == 404


def test_hidden_locality_is_no_longer_offered_but_stays_on_organisations_that_have_it(signed_in):
    organisation = create_organisation(name="Nemocnice Brno", localities=["Brno", "Vzorov"])
    brno = locality_named("Brno")
    secretary = signed_in(Role.SECRETARY)

    hidden = secretary.submit(f"/lists/localities/{brno.id}/active", {"active": "0"})
    assert hidden.status_code == 302
    assert "(hidden)" in text_of(secretary.get("/lists"))

    assert ">Brno<" not in offered_in_new_organisation_form(secretary)
    assert ">Vzorov<" in offered_in_new_organisation_form(secretary)
    assert ">Brno<" not in search_filter(secretary)
    assert "Brno, Vzorov" in text_of(secretary.get(f"/organisations/{organisation.id}"))
    assert "Brno, Vzorov" in text_of(secretary.get("/organisations?q=nemocnice"))

    # Whoever edits that organisation still sees it ticked, and saving keeps it.
    form = secretary.get(f"/organisations/{organisation.id}/edit")
    assert re.search(rf'<input checked[^>]*value="{brno.id}"', form.get_data(as_text=True))
    saved = secretary.submit(f"/organisations/{organisation.id}/edit", {
        "name": "Nemocnice Brno", "sector_id": str(organisation.sector_id),
        "locality_ids": [str(brno.id), str(locality_named("Vzorov").id)], "version": version_in(form)})
    assert saved.status_code == 302
    assert "Brno, Vzorov" in text_of(secretary.get(f"/organisations/{organisation.id}"))

    # A new organisation cannot choose it.
    refused = secretary.submit("/organisations/new", {"name": "Škola Brno", "sector_id": str(organisation.sector_id),
                                                      "locality_ids": [str(brno.id)]})
    assert refused.status_code == 422
    assert field_error(refused, "locality_ids") == "Choose localities from the list."


def test_hidden_sector_is_no_longer_offered_but_stays_on_organisations_that_have_it(signed_in):
    organisation = create_organisation(name="Probační a mediační služba", sector_code="probation")
    probation = sector("probation")
    secretary = signed_in(Role.SECRETARY)

    assert secretary.submit(f"/lists/sectors/{probation.id}/active", {"active": "0"}).status_code == 302

    assert ">Probation and mediation<" not in offered_in_new_organisation_form(secretary)
    assert ">Probation and mediation<" not in search_filter(secretary)
    assert "Probation and mediation" in text_of(secretary.get(f"/organisations/{organisation.id}"))
    refused = secretary.submit("/organisations/new", {"name": "Nová služba", "sector_id": str(probation.id)})
    assert refused.status_code == 422
    assert field_error(refused, "sector_id") == "Choose a sector from the list."


def test_hidden_entry_can_be_shown_again(signed_in, people):
    db.session.add(Locality(name="Znojmo", active=False))
    db.session.commit()
    znojmo = locality_named("Znojmo")
    secretary = signed_in(Role.SECRETARY)
    assert ">Znojmo<" not in offered_in_new_organisation_form(secretary)
    assert secretary.submit(f"/lists/localities/{znojmo.id}/active", {"active": "1"}).status_code == 302
    assert ">Znojmo<" in offered_in_new_organisation_form(secretary)


def test_hiding_needs_the_form_token(signed_in, people):
    db.session.add(Locality(name="Znojmo"))
    db.session.commit()
    znojmo = locality_named("Znojmo")
    secretary = signed_in(Role.SECRETARY)
    assert secretary.post(f"/lists/localities/{znojmo.id}/active", data={"active": "0"}).status_code == 400
    see_saved()
    assert locality_named("Znojmo").active is True


@pytest.mark.parametrize("role", [Role.MEMBER, Role.FACILITATOR, Role.GUEST])
def test_only_the_secretariat_manages_the_lists(signed_in, people, role):
    db.session.add(Locality(name="Znojmo"))
    db.session.commit()
    znojmo = locality_named("Znojmo")
    client = signed_in(role)
    assert client.get("/lists").status_code == 403
    assert client.submit("/lists", {"kind": "localities", "localities-name": "Brno"}).status_code == 403
    assert client.submit(f"/lists/localities/{znojmo.id}/active", {"active": "0"}).status_code == 403
    assert "/lists" not in text_of(client.get("/"))
    see_saved()
    assert locality_named("Brno") is None
    assert locality_named("Znojmo").active is True


def test_admin_manages_the_lists_too(signed_in, people):
    admin = signed_in(Role.ADMIN)
    assert admin.get("/lists").status_code == 200
    assert admin.submit("/lists", {"kind": "localities", "localities-name": "Brno"}).status_code == 302
