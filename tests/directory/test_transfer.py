"""The secretary fills the directory from a spreadsheet; members take it out to Excel."""
import csv
import html
import io
import re

import pytest
import sqlalchemy as sa
from flask import current_app, has_app_context

from council.audit.models import AuditEntry
from council.auth.models import Person
from council.auth.roles import Role
from council.directory import transfer
from council.directory.models import Locality, Organisation, Sector
from council.extensions import db
from tests.conftest import CouncilClient, create_organisation, create_person
from tests.helpers import text_of

ORGANISATION_HEADER = "name,short_name,sector,address,website,contact_person,contact_email,contact_phone,localities"


class BrowserClient(CouncilClient):
    """Every request in a fresh app context, as on a real server: a request's session (and
    whatever it added but did not commit) is thrown away with it, and the test's own
    transaction ends first so that it holds no SQLite lock while the request runs."""

    def open(self, *args, **kwargs):
        if has_app_context() and current_app._get_current_object() is self.application:
            db.session.commit()
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def make_client(app):
    def factory():
        return BrowserClient(app, app.response_class, use_cookies=True)

    return factory


@pytest.fixture
def secretary(signed_in):
    return signed_in(Role.SECRETARY)


@pytest.fixture
def localities(app_context):
    db.session.add_all([Locality(name="Vzorov"), Locality(name="Horní Lhota")])
    db.session.commit()


def upload(client, kind: str, content: bytes | str, filename: str = "directory.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.submit("/directory/import", {"kind": kind, "file": (io.BytesIO(data), filename)},
                         token_from="/directory/import")


def confirm_fields(preview) -> dict[str, str]:
    """The hidden fields of the preview's "Import N rows" form, as the browser sends them."""
    page = preview.get_data(as_text=True)
    form = re.search(r'<form[^>]*>(?:(?!</form>).)*name="csv_text".*?</form>', page, re.S)
    assert form, "the preview offers no import button"
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form.group(0)):
        name = re.search(r'\bname="([^"]*)"', tag).group(1)
        value = re.search(r'\bvalue="([^"]*)"', tag, re.S)
        fields[name] = html.unescape(value.group(1)) if value else ""
    return fields


def organisation_names() -> list[str]:
    return sorted(db.session.scalars(sa.select(Organisation.name)))


def person(email: str) -> Person | None:
    return db.session.scalar(sa.select(Person).where(Person.email == email))


# --- import: the whole file or nothing ----------------------------------------------------

def test_secretary_imports_a_clean_file_of_organisations(secretary, localities):
    content = (
        ORGANISATION_HEADER + "\n"
        "Kontaktní centrum Vzorov,KC,addiction services,\"Hlavní 1, Vzorov\",www.kc-vzorov.cz,"
        "Jana Nováková,Info@KC-Vzorov.cz,+420 777 123 456,Vzorov|Horní Lhota\n"
        "Policie Vzorov,PČR,Police,,,,,,horni lhota\n"
    )
    preview = upload(secretary, "organisations", content)
    assert preview.status_code == 200
    assert "Import 2 rows" in text_of(preview)
    assert organisation_names() == ["Město Vzorov"], "the preview already imported something"

    done = secretary.submit("/directory/import", confirm_fields(preview))

    assert done.status_code == 302 and done.headers["Location"].endswith("/organisations")
    assert "Imported 2 organisations." in text_of(secretary.get("/organisations"))
    centre = db.session.scalar(sa.select(Organisation).where(Organisation.short_name == "KC"))
    assert centre.sector.code == "addiction_services"
    assert centre.address == "Hlavní 1, Vzorov"
    assert centre.website == "https://www.kc-vzorov.cz"
    assert centre.contact_email == "info@kc-vzorov.cz"
    assert [loc.name for loc in centre.localities] == ["Horní Lhota", "Vzorov"]
    assert "kontaktni centrum" in centre.search_text
    police = db.session.scalar(sa.select(Organisation).where(Organisation.name == "Policie Vzorov"))
    assert police.sector.code == "police" and [loc.name for loc in police.localities] == ["Horní Lhota"]


def test_a_tampered_kind_in_the_confirm_form_is_refused(secretary):
    fields = confirm_fields(upload(secretary, "organisations", "name,sector\nPrvní,police\n"))
    fields["kind"] = "meetings"

    assert secretary.submit("/directory/import", fields).status_code == 400
    assert organisation_names() == ["Město Vzorov"]


def test_import_is_written_to_the_audit_log_with_every_created_record(secretary):
    preview = upload(secretary, "organisations", "name,sector\nNízkoprah Vzorov,other\n", "nizkoprah.csv")
    secretary.submit("/directory/import", confirm_fields(preview))

    actions = db.session.execute(sa.select(AuditEntry.action, AuditEntry.summary)).all()
    assert ("create", "Nízkoprah Vzorov") in actions
    imports = [summary for action, summary in actions if action == "import"]
    assert len(imports) == 1 and "1 organisations" in imports[0] and "nizkoprah.csv" in imports[0]


def test_one_bad_row_imports_nothing_and_the_preview_names_the_row_and_problem(secretary):
    content = (
        "name,sector,contact_email\n"
        "První,police,prvni@example.org\n"
        ",,\n"
        "Druhá,police,not-an-email\n"
        "Třetí,police,treti@example.org\n"
    )
    preview = upload(secretary, "organisations", content)

    assert preview.status_code == 422
    page = text_of(preview)
    assert "1 row has problems." in page
    row = re.search(r'<th scope="row">4</th>(.*?)</tr>', page, re.S).group(1)
    assert "Druhá" in row and "contact_email: Enter a valid email address" in row
    assert 'name="csv_text"' not in page and "Import 3 rows" not in page
    assert organisation_names() == ["Město Vzorov"]


def test_confirm_checks_the_text_again_instead_of_trusting_the_hidden_field(secretary):
    preview = upload(secretary, "organisations", "name,sector\nPrvní,police\n")
    fields = confirm_fields(preview)
    fields["csv_text"] += "Druhá,no such sector\n"

    response = secretary.submit("/directory/import", fields)

    assert response.status_code == 422
    assert "Unknown sector “no such sector”" in text_of(response)
    assert organisation_names() == ["Město Vzorov"]


def test_a_failure_while_writing_rolls_back_every_row(people, monkeypatch):
    # As if someone else added the second email between the check and the write.
    monkeypatch.setattr(transfer, "_existing_emails", lambda emails: set())
    content = "name,email\nNová Osoba,nova@example.org\nČlen,member@example.org\n"

    preview = transfer.run_import("people", content)

    assert preview.imported == 0
    assert "nothing was imported" in preview.file_problems[0]
    assert person("nova@example.org") is None


# --- reading what Excel writes --------------------------------------------------------------

def test_windows_1250_file_with_czech_names_from_excel_imports_correctly(secretary):
    content = (
        "name;email;organisation;function;phone;role\r\n"
        "Jiří Dvořák;jiri.dvorak@example.org;MV;Protidrogový koordinátor;+420 603 111 222;member\r\n"
        "Žofie Šťastná;ZOFIE@example.org;město vzorov;Sociální pracovnice;;guest\r\n"
    ).encode("cp1250")
    preview = upload(secretary, "people", content)
    assert preview.status_code == 200
    assert "Windows-1250" in text_of(preview)

    done = secretary.submit("/directory/import", confirm_fields(preview))

    assert done.status_code == 302 and done.headers["Location"].endswith("/people")
    jiri = person("jiri.dvorak@example.org")
    assert jiri.name == "Jiří Dvořák" and jiri.function == "Protidrogový koordinátor"
    assert jiri.organisation.name == "Město Vzorov" and jiri.role == "member"
    assert jiri.password_hash is None and jiri.active
    assert "jiri dvorak" in jiri.search_text
    zofie = person("zofie@example.org")
    assert zofie.name == "Žofie Šťastná" and zofie.role == "guest"


def test_utf8_file_with_byte_order_mark_is_read(secretary):
    content = "\ufeffname,sector\nAdiktologická ambulance,health_care\n".encode("utf-8")
    preview = upload(secretary, "organisations", content)

    assert preview.status_code == 200
    secretary.submit("/directory/import", confirm_fields(preview))
    assert "Adiktologická ambulance" in organisation_names()


def test_semicolon_separated_file_keeps_commas_inside_cells(secretary):
    content = "name;sector;address\nProbační služba;Probation and mediation;Náměstí 5, Vzorov\n"
    preview = upload(secretary, "organisations", content)

    assert "semicolon" in text_of(preview)
    secretary.submit("/directory/import", confirm_fields(preview))
    saved = db.session.scalar(sa.select(Organisation).where(Organisation.name == "Probační služba"))
    assert saved.address == "Náměstí 5, Vzorov" and saved.sector.code == "probation"


def test_sector_may_be_named_in_czech_in_any_case_without_diacritics(secretary):
    preview = upload(secretary, "organisations", "name,sector\nKC,ADIKTOLOGICKE SLUZBY\nOSPOD,Sociální služby\n")

    assert preview.status_code == 200, text_of(preview)
    secretary.submit("/directory/import", confirm_fields(preview))
    sectors = dict(db.session.execute(sa.select(Organisation.name, Organisation.sector_id)).all())
    codes = {name: db.session.get(Sector, sector_id).code for name, sector_id in sectors.items()}
    assert codes["KC"] == "addiction_services" and codes["OSPOD"] == "social_services"


def test_a_file_too_large_for_one_import_asks_to_split_it(secretary, app):
    # The preview sends the text back in one form field, which the app limits in size.
    # (Just over the limit: the test client spools larger bodies to a file it never closes.)
    row = "Organizace číslo {},police\n"
    content = "name,sector\n" + "".join(
        row.format(n) for n in range(int(app.config["MAX_FORM_MEMORY_SIZE"] * 0.95) // 31))

    response = upload(secretary, "organisations", content)

    assert response.status_code == 422
    assert "The file is too large to import at once" in text_of(response)


def test_wrong_columns_are_explained_and_nothing_is_imported(secretary):
    preview = upload(secretary, "organisations", "Název;Sídlo\nKC;Vzorov\n")

    assert preview.status_code == 422
    page = text_of(preview)
    assert "Missing columns: name, sector." in page
    assert "Unknown columns: nazev, sidlo." in page
    assert "The first row must name the columns: name, short_name, sector" in page


def test_a_people_file_chosen_as_organisations_says_which_kind_to_pick(secretary):
    preview = upload(secretary, "organisations", "name,email\nJana,jana@example.org\n")
    assert "These are the columns of a list of people. Choose “People”" in text_of(preview)


@pytest.mark.parametrize("content, filename, message", [
    (b"", "empty.csv", "The file is empty."),
    (b"\xef\xbb\xbf;;;\r\n;;;\r\n", "blank.csv", "The file is empty."),
    (b"name,sector\n", "header-only.csv", "The file has column headers but no rows to import."),
    (b"PK\x03\x04\x14\x00\x06\x00binary workbook", "directory.csv", "This is a spreadsheet workbook, not a CSV file."),
    (bytes(range(256)) * 4, "random.csv", "This file is not a CSV text file."),
])
def test_files_that_are_not_usable_csv_get_a_clear_message(secretary, content, filename, message):
    response = upload(secretary, "organisations", content, filename)

    assert response.status_code == 422
    assert message in text_of(response)


def test_a_file_that_is_not_csv_by_its_name_is_refused_at_the_field(secretary):
    response = upload(secretary, "organisations", b"PK\x03\x04", "directory.xlsx")

    assert response.status_code == 422
    assert "Choose a file saved as CSV (.csv)." in text_of(response)


def test_sending_the_form_without_a_file_asks_for_one(secretary):
    response = secretary.submit("/directory/import", {"kind": "people"}, token_from="/directory/import")

    assert response.status_code == 422
    assert "Choose a CSV file." in text_of(response)
    assert re.search(r'value="people"[^>]*checked|checked[^>]*value="people"', response.get_data(as_text=True))


# --- problems in rows -----------------------------------------------------------------------

def test_duplicate_emails_in_the_file_and_in_the_directory_are_reported(secretary):
    content = (
        "name,email\n"
        "Nová Osoba,nova@example.org\n"
        "Nová Osoba znovu, NOVA@example.org \n"
        "Už tu je,Member@Example.org\n"
    )
    preview = upload(secretary, "people", content)

    assert preview.status_code == 422
    page = text_of(preview)
    assert "email: The same email is already in row 2." in page
    assert "email: Someone with this email is already in the directory." in page
    assert person("nova@example.org") is None


def test_unknown_organisation_of_a_person_is_reported(secretary):
    preview = upload(secretary, "people", "name,email,organisation\nJana,jana@example.org,Neexistující spolek\n")

    assert preview.status_code == 422
    assert "organisation: Unknown organisation “Neexistující spolek”" in text_of(preview)


@pytest.mark.parametrize("row, message", [
    ("Jana,jana@example.org,admin", "role: Administrators cannot be imported"),
    ("Jana,jana@example.org,boss", "role: Unknown role “boss”"),
    (f"{'J' * 121},jana@example.org,member", "name: Use at most 120 characters."),
    (",jana@example.org,member", "name: This field is required."),
])
def test_problems_in_a_person_row_are_named(secretary, row, message):
    preview = upload(secretary, "people", "name,email,role\n" + row + "\n")

    assert preview.status_code == 422
    assert message in text_of(preview)


def test_unknown_locality_and_sector_are_reported_not_created(secretary, localities):
    content = "name,sector,localities\nKC,Kosmonautika,Vzorov|Atlantida\n"
    preview = upload(secretary, "organisations", content)

    page = text_of(preview)
    assert "sector: Unknown sector “Kosmonautika”" in page
    assert "localities: Unknown locality “Atlantida”" in page
    assert db.session.scalar(sa.select(Locality).where(Locality.name == "Atlantida")) is None


def test_organisation_already_in_the_directory_is_a_duplicate(secretary):
    preview = upload(secretary, "organisations", "name,sector\nMĚSTO VZOROV,municipality\n")
    assert "name: An organisation with this name is already in the directory." in text_of(preview)


# --- who may do what ------------------------------------------------------------------------

def test_member_cannot_open_or_send_the_import(signed_in):
    member = signed_in(Role.MEMBER)
    assert member.get("/directory/import").status_code == 403
    response = member.submit("/directory/import", {
        "kind": "organisations", "file": (io.BytesIO(b"name,sector\nKC,police\n"), "a.csv")})
    assert response.status_code == 403
    assert organisation_names() == ["Město Vzorov"]


def test_guest_cannot_export_the_directory(signed_in):
    guest = signed_in(Role.GUEST)
    assert guest.get("/directory/export/organisations.csv").status_code == 403
    assert guest.get("/directory/export/people.csv").status_code == 403


def test_import_page_documents_columns_and_offers_example_files(secretary):
    page = text_of(secretary.get("/directory/import?kind=people"))
    assert "contact_email" in page and "organisation" in page
    example = secretary.get("/directory/import/example-people.csv")
    assert example.status_code == 200
    assert example.data.startswith("\ufeffname;email;organisation".encode())


def test_example_file_imports_as_it_is(secretary, localities):
    example = secretary.get("/directory/import/example-organisations.csv")
    preview = upload(secretary, "organisations", example.data)
    assert preview.status_code == 200, text_of(preview)


# --- export ---------------------------------------------------------------------------------

def read_export(response) -> list[dict[str, str]]:
    assert response.data.startswith(b"\xef\xbb\xbf")
    text = response.data.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


def test_member_exports_organisations_for_excel(signed_in, people, localities):
    create_organisation(name="Kontaktní centrum", short_name="KC", localities=["Vzorov", "Horní Lhota"],
                        services=["Výměna injekčního materiálu", "Poradenství"],
                        contact_phone="+420 777 123 456")
    response = signed_in(Role.MEMBER).get("/directory/export/organisations.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert re.match(r'attachment; filename="organisations-\d{4}-\d{2}-\d{2}\.csv"',
                    response.headers["Content-Disposition"])
    rows = {row["name"]: row for row in read_export(response)}
    centre = rows["Kontaktní centrum"]
    assert centre["sector"] == "Addiction services"
    assert centre["localities"] == "Horní Lhota | Vzorov"
    assert centre["services"] == "Poradenství | Výměna injekčního materiálu"
    assert centre["contact_phone"] == "'+420 777 123 456"
    assert "Město Vzorov" in rows


def test_export_follows_the_list_filters(signed_in, people):
    create_organisation(name="Kontaktní centrum", short_name="KC")
    member = signed_in(Role.MEMBER)
    rows = read_export(member.get("/directory/export/organisations.csv?q=kontaktni"))
    assert [row["name"] for row in rows] == ["Kontaktní centrum"]


def test_people_export_has_organisation_role_and_whether_active(signed_in, people):
    create_person("former@example.org", name="Bývalá Členka", active=False)
    rows = read_export(signed_in(Role.MEMBER).get("/directory/export/people.csv?inactive=1"))
    by_email = {row["email"]: row for row in rows}
    assert by_email["member@example.org"]["organisation"] == "Město Vzorov"
    assert by_email["secretary@example.org"]["role"] == "secretary"
    assert by_email["member@example.org"]["active"] == "yes"
    assert by_email["former@example.org"]["active"] == "no"


def test_exported_files_import_again_with_existing_rows_reported_as_duplicates(secretary, people, localities):
    create_organisation(name="Kontaktní centrum", short_name="KC", localities=["Vzorov"],
                        services=["Poradenství"], contact_phone="+420 777 123 456",
                        website="https://kc.example.org")
    organisations = secretary.get("/directory/export/organisations.csv").data
    people_file = secretary.get("/directory/export/people.csv").data

    again = upload(secretary, "organisations", organisations)
    assert again.status_code == 422
    assert text_of(again).count("An organisation with this name is already in the directory.") == 2
    assert text_of(upload(secretary, "people", people_file)).count(
        "Someone with this email is already in the directory.") == len(Role)

    renamed = organisations.decode("utf-8-sig").replace("Kontaktní centrum", "Kontaktní centrum Jih") \
        .replace("Město Vzorov", "Město Vzorov-Sever").encode("utf-8-sig")
    preview = upload(secretary, "organisations", renamed)
    assert preview.status_code == 200, text_of(preview)
    secretary.submit("/directory/import", confirm_fields(preview))
    copy = db.session.scalar(sa.select(Organisation).where(Organisation.name == "Kontaktní centrum Jih"))
    assert copy.sector.code == "addiction_services" and copy.short_name == "KC"
    assert copy.contact_phone == "+420 777 123 456" and copy.website == "https://kc.example.org"
    assert [loc.name for loc in copy.localities] == ["Vzorov"]


def test_cells_that_look_like_formulas_are_exported_as_text(signed_in, people):
    create_organisation(name='=HYPERLINK("http://evil.example","Klikni")', short_name="@SUM(A1)",
                        contact_person="-2+3", address="+1 street")
    rows = read_export(signed_in(Role.MEMBER).get("/directory/export/organisations.csv"))
    evil = next(row for row in rows if "HYPERLINK" in row["name"])
    assert evil["name"] == '\'=HYPERLINK("http://evil.example","Klikni")'
    assert evil["short_name"] == "'@SUM(A1)"
    assert evil["contact_person"] == "'-2+3"
    assert evil["address"] == "'+1 street"
