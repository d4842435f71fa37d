"""The secretary keeps the list of organisations; members look them up."""
import re

import pytest
import sqlalchemy as sa

from council.auth.roles import Role
from council.directory.models import Locality, Organisation, Sector
from council.extensions import db
from tests.conftest import create_organisation, create_person, sector
from tests.helpers import field_error, input_value, see_saved, text_of


def version_in(response) -> str:
    match = re.search(r'name="version" value="(\d+)"', response.get_data(as_text=True))
    assert match, "the form carries no version"
    return match.group(1)


def locality(name: str) -> Locality:
    see_saved()
    entry = db.session.scalar(sa.select(Locality).where(Locality.name == name))
    if entry is None:
        entry = Locality(name=name)
        db.session.add(entry)
        db.session.commit()
    return entry


def organisation_named(name: str) -> Organisation | None:
    see_saved()
    return db.session.scalar(sa.select(Organisation).where(Organisation.name == name))


def organisation_count() -> int:
    see_saved()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Organisation))


def new_organisation_data(**override) -> dict:
    data = {
        "name": "Policie ČR, obvodní oddělení Vzorov",
        "short_name": "PČR",
        "sector_id": str(sector("police").id),
        "address": "Náměstí 1, Vzorov",
        "website": "https://www.policie.cz",
        "contact_person": "npor. Jan Novák",
        "contact_email": "Vzorov.OOP@policie.cz",
        "contact_phone": "+420 974 000 000",
    }
    data.update(override)
    return data


# --- creating -------------------------------------------------------------------------------

def test_secretary_creates_organisation_and_sees_it_on_its_page(signed_in):
    brno, vzorov = locality("Brno"), locality("Vzorov")
    secretary = signed_in(Role.SECRETARY)

    response = secretary.submit("/organisations/new",
                                {**new_organisation_data(), "locality_ids": [str(brno.id), str(vzorov.id)]})

    assert response.status_code == 302
    organisation = organisation_named("Policie ČR, obvodní oddělení Vzorov")
    assert response.headers["Location"].endswith(f"/organisations/{organisation.id}")
    page = secretary.get(response.headers["Location"])
    assert page.status_code == 200
    text = text_of(page)
    assert "Policie ČR, obvodní oddělení Vzorov" in text
    assert "(PČR)" in text
    assert "Police" in text
    assert 'href="https://www.policie.cz"' in text
    assert "vzorov.oop@policie.cz" in text  # stored in lower case, like every email
    assert "Brno, Vzorov" in text
    assert "The organisation is saved." in text


def test_organisation_form_sent_by_htmx_redirects_the_whole_page(signed_in):
    secretary = signed_in(Role.SECRETARY)
    response = secretary.submit("/organisations/new", new_organisation_data(),
                                headers={"HX-Request": "true", "HX-Target": "organisation-form"})
    organisation = organisation_named("Policie ČR, obvodní oddělení Vzorov")
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/organisations/{organisation.id}"


def test_invalid_organisation_form_sent_by_htmx_gets_only_the_form_back(signed_in):
    secretary = signed_in(Role.SECRETARY)
    response = secretary.submit("/organisations/new", new_organisation_data(name=""),
                                headers={"HX-Request": "true", "HX-Target": "organisation-form"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<form id="organisation-form"')
    assert "<html" not in body
    assert field_error(response, "name") == "This field is required."


def test_empty_name_shows_message_next_to_the_field_and_keeps_what_was_typed(signed_in):
    secretary = signed_in(Role.SECRETARY)
    response = secretary.submit("/organisations/new", new_organisation_data(name="   "))

    assert response.status_code == 422
    assert field_error(response, "name") == "This field is required."
    assert input_value(response, "short_name") == "PČR"
    assert input_value(response, "website") == "https://www.policie.cz"
    assert input_value(response, "contact_person") == "npor. Jan Novák"
    assert input_value(response, "contact_email") == "Vzorov.OOP@policie.cz"
    assert f'<option selected value="{sector("police").id}">' in response.get_data(as_text=True)
    assert organisation_count() == 1  # only the fixture's municipality


@pytest.mark.parametrize("website", ["www.policie.cz", "policie", "javascript://policie.cz/%0Aalert(1)",
                                     "ftp://policie.cz/"])
def test_website_must_be_a_full_web_address(signed_in, website):
    secretary = signed_in(Role.SECRETARY)
    response = secretary.submit("/organisations/new", new_organisation_data(website=website))

    assert response.status_code == 422
    assert field_error(response, "website") == "Enter a full web address, like https://example.org."
    assert input_value(response, "website") == website
    assert organisation_named("Policie ČR, obvodní oddělení Vzorov") is None


def test_plain_http_website_is_accepted(signed_in):
    secretary = signed_in(Role.SECRETARY)
    response = secretary.submit("/organisations/new", new_organisation_data(website="http://policie.cz/vzorov"))
    assert response.status_code == 302
    assert organisation_named("Policie ČR, obvodní oddělení Vzorov").website == "http://policie.cz/vzorov"


@pytest.mark.parametrize("email", ["policie.cz", "oop@", "oop@policie", "two words@policie.cz"])
def test_contact_email_must_be_valid(signed_in, email):
    secretary = signed_in(Role.SECRETARY)
    response = secretary.submit("/organisations/new", new_organisation_data(contact_email=email))

    assert response.status_code == 422
    assert field_error(response, "contact_email") == "Enter a valid email address, like name@example.org."
    assert input_value(response, "contact_email") == email
    assert organisation_named("Policie ČR, obvodní oddělení Vzorov") is None


@pytest.mark.parametrize("name", ["Město Vzorov", "město vzorov", "  MĚSTO VZOROV "])
def test_duplicate_name_is_refused_with_a_message(signed_in, name):
    secretary = signed_in(Role.SECRETARY)
    response = secretary.submit("/organisations/new", new_organisation_data(name=name))

    assert response.status_code == 422
    assert field_error(response, "name") == "An organisation with this name is already in the directory."
    assert organisation_count() == 1


def test_duplicate_name_differing_in_czech_capitals_is_refused(signed_in):
    create_organisation(name="Česká abstinentní společnost", short_name="ČAS")
    secretary = signed_in(Role.SECRETARY)
    response = secretary.submit("/organisations/new", new_organisation_data(name="ČESKÁ ABSTINENTNÍ SPOLEČNOST"))
    assert response.status_code == 422
    assert field_error(response, "name") == "An organisation with this name is already in the directory."
    assert organisation_count() == 2


def test_renaming_to_another_organisations_name_is_refused(signed_in):
    other = create_organisation(name="Kontaktní centrum Vzorov")
    secretary = signed_in(Role.SECRETARY)
    form = secretary.get(f"/organisations/{other.id}/edit")
    response = secretary.submit(f"/organisations/{other.id}/edit",
                                new_organisation_data(name="Město Vzorov", version=version_in(form)))
    assert response.status_code == 422
    assert field_error(response, "name") == "An organisation with this name is already in the directory."
    see_saved()
    assert db.session.get(Organisation, other.id).name == "Kontaktní centrum Vzorov"


def test_keeping_its_own_name_is_not_a_duplicate(signed_in):
    organisation = organisation_named("Město Vzorov")
    secretary = signed_in(Role.SECRETARY)
    form = secretary.get(f"/organisations/{organisation.id}/edit")
    response = secretary.submit(f"/organisations/{organisation.id}/edit", new_organisation_data(
        name="Město Vzorov", sector_id=str(sector("municipality").id), version=version_in(form)))
    assert response.status_code == 302


@pytest.mark.parametrize("sector_id", ["9999", "0", "abc", ""])
def test_unknown_sector_is_refused_with_a_message(signed_in, sector_id):
    secretary = signed_in(Role.SECRETARY)
    response = secretary.submit("/organisations/new", new_organisation_data(sector_id=sector_id))

    assert response.status_code == 422
    assert field_error(response, "sector_id") == "Choose a sector from the list."
    assert input_value(response, "name") == "Policie ČR, obvodní oddělení Vzorov"
    assert organisation_count() == 1


def test_organisation_without_a_sector_is_refused(signed_in):
    data = new_organisation_data()
    del data["sector_id"]
    response = signed_in(Role.SECRETARY).submit("/organisations/new", data)
    assert response.status_code == 422
    assert field_error(response, "sector_id") == "Choose a sector from the list."


@pytest.mark.parametrize("locality_id", ["9999", "-1", "abc"])
def test_unknown_locality_is_refused_with_a_message(signed_in, locality_id):
    brno = locality("Brno")
    secretary = signed_in(Role.SECRETARY)
    response = secretary.submit("/organisations/new",
                                {**new_organisation_data(), "locality_ids": [str(brno.id), locality_id]})

    assert response.status_code == 422
    assert field_error(response, "locality_ids") == "Choose localities from the list."
    assert input_value(response, "name") == "Policie ČR, obvodní oddělení Vzorov"
    assert organisation_count() == 1


# --- editing --------------------------------------------------------------------------------

def test_secretary_edits_organisation_and_its_localities(signed_in):
    brno, vzorov = locality("Brno"), locality("Vzorov")
    organisation = create_organisation(name="Kontaktní centrum Vzorov", localities=["Brno"])
    secretary = signed_in(Role.SECRETARY)

    form = secretary.get(f"/organisations/{organisation.id}/edit")
    assert form.status_code == 200
    assert input_value(form, "name") == "Kontaktní centrum Vzorov"
    assert re.search(rf'<input checked[^>]*value="{brno.id}"|<input[^>]*value="{brno.id}"[^>]*checked',
                     form.get_data(as_text=True))

    response = secretary.submit(f"/organisations/{organisation.id}/edit", {
        "name": "Kontaktní centrum Vzorov a okolí", "short_name": "KC",
        "sector_id": str(sector("addiction_services").id), "website": "https://kc.example.org",
        "locality_ids": [str(vzorov.id)], "version": version_in(form),
    })
    assert response.status_code == 302
    page = text_of(secretary.get(f"/organisations/{organisation.id}"))
    assert "Kontaktní centrum Vzorov a okolí" in page
    assert "https://kc.example.org" in page
    assert "Vzorov" in page and "Brno" not in page


def test_edit_of_unknown_organisation_is_not_found(signed_in):
    secretary = signed_in(Role.SECRETARY)
    assert secretary.get("/organisations/9999/edit").status_code == 404
    assert secretary.get("/organisations/9999").status_code == 404


# --- two secretaries at once ----------------------------------------------------------------

def test_second_save_of_the_same_organisation_is_refused_and_keeps_the_typing(signed_in, make_client, people):
    organisation = organisation_named("Město Vzorov")
    create_person("secretary2@example.org", role=Role.SECRETARY, name="Druhá Sekretářka")
    first = signed_in(Role.SECRETARY)
    second = make_client()
    assert second.login("secretary2@example.org").status_code == 302
    path = f"/organisations/{organisation.id}/edit"
    municipality = str(sector("municipality").id)

    first_form, second_form = first.get(path), second.get(path)
    assert version_in(first_form) == version_in(second_form)

    saved = first.submit(path, {"name": "Město Vzorov", "sector_id": municipality,
                                "contact_person": "Ing. Alena První", "version": version_in(first_form)})
    assert saved.status_code == 302

    refused = second.submit(path, {"name": "Město Vzorov", "sector_id": municipality,
                                   "contact_person": "Mgr. Petr Druhý", "version": version_in(second_form)})
    assert refused.status_code == 409
    text = text_of(refused)
    assert "Someone else saved this in the meantime" in text
    assert "Ing. Alena První" in text  # their value, to compare
    assert input_value(refused, "contact_person") == "Mgr. Petr Druhý"  # my typing is kept
    see_saved()
    assert organisation_named("Město Vzorov").contact_person == "Ing. Alena První"

    again = second.submit(path, {"name": "Město Vzorov", "sector_id": municipality,
                                 "contact_person": "Mgr. Petr Druhý", "version": version_in(refused)})
    assert again.status_code == 302
    see_saved()
    assert organisation_named("Město Vzorov").contact_person == "Mgr. Petr Druhý"


def test_conflict_sent_by_htmx_returns_the_form_with_the_notice(signed_in, people):
    organisation = organisation_named("Město Vzorov")
    secretary, admin = signed_in(Role.SECRETARY), signed_in(Role.ADMIN)
    path = f"/organisations/{organisation.id}/edit"
    version = version_in(secretary.get(path))
    municipality = str(sector("municipality").id)
    assert admin.submit(path, {"name": "Město Vzorov", "sector_id": municipality, "address": "Radnice 1",
                               "version": version}).status_code == 302

    response = secretary.submit(path, {"name": "Město Vzorov", "sector_id": municipality,
                                       "address": "Náměstí 2", "version": version},
                                headers={"HX-Request": "true", "HX-Target": "organisation-form"})
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<form id="organisation-form"')
    assert "Someone else saved this in the meantime" in body
    assert "Radnice 1" in body
    assert input_value(response, "address") == "Náměstí 2"


def test_form_without_version_is_refused_not_overwriting(signed_in):
    organisation = organisation_named("Město Vzorov")
    secretary = signed_in(Role.SECRETARY)
    response = secretary.submit(f"/organisations/{organisation.id}/edit",
                                {"name": "Jiný název", "sector_id": str(sector("municipality").id)})
    assert response.status_code == 422
    see_saved()
    assert organisation_named("Město Vzorov") is not None


# --- archiving ------------------------------------------------------------------------------

def test_archived_organisation_leaves_the_list_until_restored(signed_in):
    organisation = create_organisation(name="Kontaktní centrum Vzorov")
    secretary = signed_in(Role.SECRETARY)

    archived = secretary.submit(f"/organisations/{organisation.id}/active", {"active": "0"})
    assert archived.status_code == 302
    page = text_of(secretary.get(archived.headers["Location"]))
    assert "This organisation is archived." in page
    assert "Restore" in page

    assert "Kontaktní centrum Vzorov" not in text_of(secretary.get("/organisations"))
    with_archived = text_of(secretary.get("/organisations?inactive=1"))
    assert "Kontaktní centrum Vzorov" in with_archived
    assert "archived" in with_archived
    assert "Include archived" in text_of(secretary.get("/organisations"))

    restored = secretary.submit(f"/organisations/{organisation.id}/active", {"active": "1"})
    assert restored.status_code == 302
    assert "Kontaktní centrum Vzorov" in text_of(secretary.get("/organisations"))


def test_archived_organisation_keeps_its_people_and_services(signed_in):
    organisation = create_organisation(name="Kontaktní centrum Vzorov", services=["Výměna jehel"])
    create_person("pracovnik@example.org", name="Pracovník Centra", organisation=organisation)
    secretary = signed_in(Role.SECRETARY)
    secretary.submit(f"/organisations/{organisation.id}/active", {"active": "0"})
    page = text_of(secretary.get(f"/organisations/{organisation.id}"))
    assert "Výměna jehel" in page
    assert "Pracovník Centra" in page


def test_members_do_not_see_archived_organisations_even_when_asking(signed_in):
    create_organisation(name="Kontaktní centrum Vzorov", active=False)
    member = signed_in(Role.MEMBER)
    page = text_of(member.get("/organisations?inactive=1"))
    assert "Kontaktní centrum Vzorov" not in page
    assert "Include archived" not in page


def test_archiving_without_the_form_token_changes_nothing(signed_in):
    organisation = create_organisation(name="Kontaktní centrum Vzorov")
    secretary = signed_in(Role.SECRETARY)
    response = secretary.post(f"/organisations/{organisation.id}/active", data={"active": "0"})
    assert response.status_code == 400
    see_saved()
    assert db.session.get(Organisation, organisation.id).active is True


# --- who may do what ------------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.MEMBER, Role.FACILITATOR, Role.GUEST])
def test_only_the_secretariat_creates_and_edits_organisations(signed_in, role):
    organisation = organisation_named("Město Vzorov")
    client = signed_in(role)
    assert client.get("/organisations/new").status_code == 403
    assert client.submit("/organisations/new", new_organisation_data()).status_code == 403
    assert client.get(f"/organisations/{organisation.id}/edit").status_code == 403
    edit = client.submit(f"/organisations/{organisation.id}/edit",
                         new_organisation_data(name="Přejmenováno", version="1"))
    assert edit.status_code == 403
    assert client.submit(f"/organisations/{organisation.id}/active", {"active": "0"}).status_code == 403
    see_saved()
    assert organisation_named("Město Vzorov").active is True
    assert organisation_count() == 1


@pytest.mark.parametrize("role", [Role.MEMBER, Role.FACILITATOR])
def test_members_look_up_organisations_but_see_no_edit_buttons(signed_in, role):
    organisation = organisation_named("Město Vzorov")
    client = signed_in(role)
    listing = client.get("/organisations")
    assert listing.status_code == 200
    assert "Město Vzorov" in text_of(listing)
    assert "New organisation" not in text_of(listing)
    page = client.get(f"/organisations/{organisation.id}")
    assert page.status_code == 200
    assert f"/organisations/{organisation.id}/edit" not in text_of(page)
    assert "Archive" not in text_of(page)


def test_admin_edits_organisations_too(signed_in):
    admin = signed_in(Role.ADMIN)
    assert admin.get("/organisations/new").status_code == 200


def test_guest_cannot_open_the_directory(signed_in):
    organisation = organisation_named("Město Vzorov")
    guest = signed_in(Role.GUEST)
    assert guest.get("/organisations").status_code == 403
    assert guest.get("/organisations?q=vzorov", headers={"HX-Request": "true",
                                                         "HX-Target": "organisation-results"}).status_code == 403
    assert guest.get(f"/organisations/{organisation.id}").status_code == 403


def test_signed_out_visitor_is_sent_to_sign_in(client, people):
    response = client.get("/organisations")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


# --- the form offers only what is in use ----------------------------------------------------

def test_new_organisation_form_offers_sectors_and_localities(signed_in):
    locality("Brno")
    secretary = signed_in(Role.SECRETARY)
    form = text_of(secretary.get("/organisations/new"))
    assert ">Police<" in form
    assert ">Brno<" in form
    assert 'name="version"' not in form


def test_hidden_sector_stays_choosable_for_organisations_that_have_it(signed_in):
    police = sector("police")
    organisation = create_organisation(name="Policie ČR", sector_code="police")
    police.active = False
    db.session.commit()
    secretary = signed_in(Role.SECRETARY)

    assert ">Police<" not in text_of(secretary.get("/organisations/new"))
    form = secretary.get(f"/organisations/{organisation.id}/edit")
    assert f'<option selected value="{police.id}">Police</option>' in text_of(form)
    saved = secretary.submit(f"/organisations/{organisation.id}/edit", {
        "name": "Policie ČR", "sector_id": str(police.id), "version": version_in(form)})
    assert saved.status_code == 302


def test_organisation_with_a_sector_added_by_the_secretary(signed_in):
    db.session.add(Sector(name="Neziskové organizace", position=1000))
    db.session.commit()
    added = db.session.scalar(sa.select(Sector).where(Sector.name == "Neziskové organizace"))
    secretary = signed_in(Role.SECRETARY)
    response = secretary.submit("/organisations/new", new_organisation_data(sector_id=str(added.id)))
    assert response.status_code == 302
    assert "Neziskové organizace" in text_of(secretary.get(response.headers["Location"]))
