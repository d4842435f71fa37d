"""What organisations offer: services with a description people can write in Markdown."""
import html
import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from council.auth.roles import Role
from council.directory.models import Organisation, Service
from council.extensions import db
from tests.conftest import create_organisation, create_person
from tests.helpers import input_value, see_saved, text_of


def field_error(response, field_id: str) -> str | None:
    match = re.search(rf'<p class="error" id="{field_id}-error">([^<]*)</p>', response.get_data(as_text=True))
    return html.unescape(match.group(1)) if match else None


def textarea_value(response, name: str) -> str | None:
    match = re.search(rf'<textarea[^>]*\bname="{name}"[^>]*>\r?\n?(.*?)</textarea>',
                      response.get_data(as_text=True), re.S)
    return html.unescape(match.group(1)) if match else None


class TagCollector(HTMLParser):
    """The elements and attributes a browser would build from a piece of HTML."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def elements_of(markup: str) -> list[tuple[str, dict]]:
    collector = TagCollector()
    collector.feed(markup)
    return collector.tags


def version_in(response) -> str:
    match = re.search(r'name="version" value="(\d+)"', response.get_data(as_text=True))
    assert match, "the form carries no version"
    return match.group(1)


@pytest.fixture
def centre(people):
    return create_organisation(name="Kontaktní centrum Vzorov", short_name="KC")


def service_named(name: str) -> Service | None:
    see_saved()
    return db.session.scalar(sa.select(Service).where(Service.name == name))


def search_names(client, q: str) -> str:
    return text_of(client.get("/organisations", query_string={"q": q},
                              headers={"HX-Request": "true", "HX-Target": "organisation-results"}))


def test_secretary_adds_a_service_and_members_find_the_organisation_by_it(signed_in, centre):
    secretary = signed_in(Role.SECRETARY)
    assert secretary.get(f"/organisations/{centre.id}/services/new").status_code == 200

    response = secretary.submit(f"/organisations/{centre.id}/services/new", {
        "name": "Výměna injekčního materiálu",
        "target_group": "lidé, kteří užívají drogy injekčně",
        "description": "Otevřeno **každý den** od 10 do 18.",
        "how_to_refer": "Stačí přijít, bez objednání.",
    })
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/organisations/{centre.id}#services")

    page = text_of(secretary.get(f"/organisations/{centre.id}"))
    assert "Výměna injekčního materiálu" in page
    assert "lidé, kteří užívají drogy injekčně" in page
    assert "<strong>každý den</strong>" in page
    assert "Stačí přijít, bez objednání." in page

    member = signed_in(Role.MEMBER)
    assert "Kontaktní centrum Vzorov" in search_names(member, "injekcniho")
    assert "Kontaktní centrum Vzorov" in search_names(member, "užívají drogy")  # the target group
    assert "Kontaktní centrum Vzorov" not in search_names(member, "substituce")


def test_service_without_a_name_is_refused_and_keeps_the_typing(signed_in, centre):
    secretary = signed_in(Role.SECRETARY)
    response = secretary.submit(f"/organisations/{centre.id}/services/new", {
        "name": "", "target_group": "rodiny", "description": "Poradna pro *rodiče*."})
    assert response.status_code == 422
    assert field_error(response, "name") == "This field is required."
    assert input_value(response, "target_group") == "rodiny"
    assert textarea_value(response, "description") == "Poradna pro *rodiče*."
    see_saved()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Service)) == 0


def test_too_long_description_is_refused(signed_in, centre):
    secretary = signed_in(Role.SECRETARY)
    response = secretary.submit(f"/organisations/{centre.id}/services/new",
                                {"name": "Poradna", "description": "x" * 5001})
    assert response.status_code == 422
    assert field_error(response, "description") == "Use at most 5000 characters."


def test_secretary_edits_a_service_and_search_follows_the_new_name(signed_in, centre):
    create_organisation(name="Jiná organizace", short_name="", services=["Terénní program"])
    service = Service(name="Terénní program", organisation=centre)
    db.session.add(service)
    centre.refresh_search_text()
    db.session.commit()
    secretary = signed_in(Role.SECRETARY)

    form = secretary.get(f"/services/{service.id}/edit")
    assert input_value(form, "name") == "Terénní program"
    response = secretary.submit(f"/services/{service.id}/edit", {
        "name": "Substituční léčba", "target_group": "", "description": "", "how_to_refer": "",
        "version": version_in(form)})
    assert response.status_code == 302

    assert "Substituční léčba" in text_of(secretary.get(f"/organisations/{centre.id}"))
    found = search_names(secretary, "substitucni")
    assert "Kontaktní centrum Vzorov" in found and "Jiná organizace" not in found
    no_longer = search_names(secretary, "terenni")
    assert "Kontaktní centrum Vzorov" not in no_longer and "Jiná organizace" in no_longer


def test_secretary_removes_a_service(signed_in, centre):
    centre_id = centre.id
    service = Service(name="Terénní program", organisation=centre)
    db.session.add(service)
    centre.refresh_search_text()
    db.session.commit()
    secretary = signed_in(Role.SECRETARY)

    response = secretary.submit(f"/services/{service.id}/delete")
    assert response.status_code == 302
    page = text_of(secretary.get(f"/organisations/{centre_id}"))
    assert "Terénní program" not in page
    assert "No services listed yet." in page
    assert "Kontaktní centrum Vzorov" not in search_names(secretary, "terenni")
    assert service_named("Terénní program") is None


def test_removing_a_service_needs_the_form_token(signed_in, centre):
    service = Service(name="Terénní program", organisation=centre)
    db.session.add(service)
    db.session.commit()
    secretary = signed_in(Role.SECRETARY)
    assert secretary.post(f"/services/{service.id}/delete").status_code == 400
    see_saved()
    assert service_named("Terénní program") is not None


def test_service_of_unknown_organisation_is_not_found(signed_in, people):
    secretary = signed_in(Role.SECRETARY)
    assert secretary.get("/organisations/9999/services/new").status_code == 404
    assert secretary.get("/services/9999/edit").status_code == 404
    assert secretary.submit("/services/9999/delete").status_code == 404


# --- Markdown -------------------------------------------------------------------------------

def test_markdown_in_a_description_is_rendered(signed_in, centre):
    db.session.add(Service(organisation=centre, name="Poradna",
                           description="Pro *rodiče* a **blízké**:\n\n- konzultace\n- skupiny\n\n"
                                       "[Web](https://kc.example.org)",
                           how_to_refer="Zavolejte na `123 456 789`."))
    db.session.commit()
    page = signed_in(Role.MEMBER).get(f"/organisations/{centre.id}").get_data(as_text=True)
    assert "<em>rodiče</em>" in page
    assert "<strong>blízké</strong>" in page
    assert "<li>konzultace</li>" in page
    assert re.search(r'<a href="https://kc.example.org"[^>]*rel="noopener noreferrer nofollow"', page)
    assert "<code>123 456 789</code>" in page


@pytest.mark.parametrize("dangerous", [
    '<script>alert("x")</script>',
    '<img src=x onerror="alert(1)">',
    '<div hx-get="/logout" hx-trigger="load">x</div>',
    '[click](javascript:alert(1))',
    '<a href="/people" data-hx-post="/logout">odkaz</a>',
    '<iframe src="https://evil.example"></iframe>',
])
def test_html_and_scripts_in_a_description_never_reach_the_page(signed_in, centre, dangerous):
    db.session.add(Service(organisation=centre, name="Poradna", description=f"Úvod\n\n{dangerous}\n\nZávěr",
                           how_to_refer=dangerous))
    db.session.commit()
    page = signed_in(Role.MEMBER).get(f"/organisations/{centre.id}").get_data(as_text=True)
    services = page[page.index('<section id="services">'):]
    assert "Úvod" in services and "Závěr" in services
    elements = elements_of(services)
    assert not {tag for tag, _attrs in elements} & {"script", "img", "iframe"}
    for tag, attrs in elements:
        for name, value in attrs.items():
            assert not name.startswith(("on", "hx-", "data-hx-")), (tag, name)
            assert not (value or "").strip().lower().startswith("javascript:"), (tag, name, value)


# --- two secretaries at once ----------------------------------------------------------------

def test_second_save_of_the_same_service_is_refused_and_keeps_the_typing(signed_in, make_client, centre):
    service = Service(organisation=centre, name="Poradna", description="Původní popis.")
    db.session.add(service)
    db.session.commit()
    create_person("secretary2@example.org", role=Role.SECRETARY)
    first = signed_in(Role.SECRETARY)
    second = make_client()
    assert second.login("secretary2@example.org").status_code == 302
    path = f"/services/{service.id}/edit"
    first_form, second_form = first.get(path), second.get(path)

    saved = first.submit(path, {"name": "Poradna", "description": "Popis od první sekretářky.",
                                "version": version_in(first_form)})
    assert saved.status_code == 302

    refused = second.submit(path, {"name": "Poradna pro rodiny", "description": "Můj nový popis.",
                                   "version": version_in(second_form)})
    assert refused.status_code == 409
    text = text_of(refused)
    assert "Someone else saved this in the meantime" in text
    assert "Popis od první sekretářky." in text
    assert input_value(refused, "name") == "Poradna pro rodiny"
    assert textarea_value(refused, "description") == "Můj nový popis."
    see_saved()
    assert db.session.get(Service, service.id).description == "Popis od první sekretářky."

    again = second.submit(path, {"name": "Poradna pro rodiny", "description": "Můj nový popis.",
                                 "version": version_in(refused)})
    assert again.status_code == 302
    see_saved()
    assert db.session.get(Service, service.id).description == "Můj nový popis."


def test_editing_a_removed_service_is_not_found(signed_in, centre):
    service = Service(organisation=centre, name="Poradna")
    db.session.add(service)
    db.session.commit()
    service_id = service.id
    secretary, admin = signed_in(Role.SECRETARY), signed_in(Role.ADMIN)
    form = secretary.get(f"/services/{service_id}/edit")
    assert admin.submit(f"/services/{service_id}/delete").status_code == 302
    response = secretary.submit(f"/services/{service_id}/edit", {"name": "Poradna 2", "version": version_in(form)})
    assert response.status_code == 404


# --- who may do what ------------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.MEMBER, Role.FACILITATOR, Role.GUEST])
def test_only_the_secretariat_changes_services(signed_in, centre, role):
    service = Service(organisation=centre, name="Poradna")
    db.session.add(service)
    db.session.commit()
    client = signed_in(role)
    assert client.get(f"/organisations/{centre.id}/services/new").status_code == 403
    assert client.submit(f"/organisations/{centre.id}/services/new", {"name": "Nová"}).status_code == 403
    assert client.get(f"/services/{service.id}/edit").status_code == 403
    assert client.submit(f"/services/{service.id}/edit", {"name": "Jiná", "version": "1"}).status_code == 403
    assert client.submit(f"/services/{service.id}/delete").status_code == 403
    see_saved()
    assert [s.name for s in db.session.scalars(sa.select(Service))] == ["Poradna"]


def test_member_sees_services_without_edit_links(signed_in, centre):
    service = Service(organisation=centre, name="Poradna")
    db.session.add(service)
    db.session.commit()
    page = text_of(signed_in(Role.MEMBER).get(f"/organisations/{centre.id}"))
    assert "Poradna" in page
    assert f"/services/{service.id}/edit" not in page
    assert "Add a service" not in page


def test_organisation_search_text_is_kept_when_service_added(signed_in, centre):
    secretary = signed_in(Role.SECRETARY)
    secretary.submit(f"/organisations/{centre.id}/services/new", {"name": "Terénní program"})
    see_saved()
    organisation = db.session.get(Organisation, centre.id)
    assert "terenni program" in organisation.search_text
    assert "kontaktni centrum vzorov" in organisation.search_text
