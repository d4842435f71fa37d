"""CSV import and export of the directory.

Import is two steps over the same code path: ``preview_upload``/``check_text`` read the file
leniently (UTF-8 with or without BOM, or Windows-1250 from Czech Excel; ',' or ';') and report
every row's problems without writing anything; ``run_import`` checks the text again from
scratch and, only when every row is clean, creates all rows in one transaction.
Export writes what Czech Excel opens directly: UTF-8 with BOM, ';' between cells, and cells
that a spreadsheet would run as formulas made harmless.
"""
import csv
import io
import re
from dataclasses import dataclass, field, replace

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, gettext as _, lazy_gettext as _l, ngettext
from sqlalchemy.exc import IntegrityError
from wtforms import ValidationError

from council.audit import recorder
from council.auth.models import Person
from council.auth.roles import ROLE_LABELS, Role
from council.auth.services import normalise_email
from council.core.forms import email_address, web_address
from council.core.text import fold
from council.directory.models import DEFAULT_SECTORS, Locality, Organisation, Sector, Service
from council.directory.search import DirectoryFilter, find_organisations, find_people
from council.extensions import db

ORGANISATIONS = "organisations"
PEOPLE = "people"
KINDS = (ORGANISATIONS, PEOPLE)

# Cells a spreadsheet would evaluate as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DELIMITERS = (",", ";", "\t")
# A clean file of this many rows is previewed in full; longer ones show their problem rows
# and the first rows, so that the page stays readable.
PREVIEW_ROWS = 100


def _length(model, column: str) -> int:
    return model.__table__.c[column].type.length


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    required: bool = False
    max_length: int | None = None
    export_only: bool = False


ORGANISATION_COLUMNS = (
    Column("name", _l("Full name; must not be in the directory yet."), True,
           _length(Organisation, "name")),
    Column("short_name", _l("How people usually call it, e.g. MMO or PČR."),
           max_length=_length(Organisation, "short_name")),
    Column("sector", _l("A sector from the list, by its name (in any language) or code."), True),
    Column("address", _l("Postal address."), max_length=_length(Organisation, "address")),
    Column("website", _l("Web address, e.g. https://example.org."),
           max_length=_length(Organisation, "website")),
    Column("contact_person", _l("Name of the contact person."),
           max_length=_length(Organisation, "contact_person")),
    Column("contact_email", _l("Email of the contact person or the organisation."),
           max_length=_length(Organisation, "contact_email")),
    Column("contact_phone", _l("Phone number."), max_length=_length(Organisation, "contact_phone")),
    Column("localities", _l("Localities from the list, separated by | or a comma.")),
    Column("services", _l("Names of its services; written by the export, ignored by the import."),
           export_only=True),
)

PEOPLE_COLUMNS = (
    Column("name", _l("Full name."), True, _length(Person, "name")),
    Column("email", _l("Email; must not be in the directory yet. It is how they sign in."), True,
           _length(Person, "email")),
    Column("organisation", _l("An organisation in the directory, by its name or short name; "
                              "empty for a guest without one.")),
    Column("function", _l("Their function, e.g. prevention coordinator."),
           max_length=_length(Person, "function")),
    Column("phone", _l("Phone number."), max_length=_length(Person, "phone")),
    Column("role", _l("member, guest, facilitator or secretary; empty means member. "
                      "Administrators cannot be imported.")),
    Column("active", _l("Written by the export, ignored by the import."), export_only=True),
)

COLUMNS = {ORGANISATIONS: ORGANISATION_COLUMNS, PEOPLE: PEOPLE_COLUMNS}
# Header spellings people type that mean one of our columns.
HEADER_ALIASES = {
    "e_mail": "email",
    "organization": "organisation",
    "contact_e_mail": "contact_email",
    "locality": "localities",
    "web": "website",
    "shortname": "short_name",
}


# --- what a check finds ---------------------------------------------------------------------

class FileProblem(Exception):
    """The whole file cannot be used (not text, not CSV, wrong columns)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Problem:
    column: str  # "" when the problem is the row as a whole
    message: str


@dataclass
class ImportRow:
    number: int  # as a spreadsheet shows it: the header is row 1
    values: dict[str, str]
    problems: list[Problem] = field(default_factory=list)
    resolved: dict = field(default_factory=dict)  # sector, localities, organisation found

    def problem(self, column: str, message: str) -> None:
        self.problems.append(Problem(column, message))


@dataclass
class ImportPreview:
    kind: str
    text: str = ""
    encoding: str = ""
    delimiter: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[ImportRow] = field(default_factory=list)
    file_problems: list[str] = field(default_factory=list)
    imported: int = 0

    @property
    def is_clean(self) -> bool:
        return bool(self.rows) and not self.file_problems and not self.rows_with_problems

    @property
    def rows_with_problems(self) -> list[ImportRow]:
        return [row for row in self.rows if row.problems]

    @property
    def problem_count(self) -> int:
        return sum(len(row.problems) for row in self.rows)

    @property
    def shown_rows(self) -> list[ImportRow]:
        return [row for index, row in enumerate(self.rows) if row.problems or index < PREVIEW_ROWS]

    @property
    def hidden_row_count(self) -> int:
        return len(self.rows) - len(self.shown_rows)

    @property
    def delimiter_label(self) -> str:
        return {",": _("comma"), ";": _("semicolon"), "\t": _("tab")}.get(self.delimiter, "")


def max_text_bytes() -> int | None:
    """The largest file the confirm form can send back (its hidden field is a form part)."""
    limit = current_app.config.get("MAX_FORM_MEMORY_SIZE")
    return int(limit * 0.9) if limit else None


# --- reading the file -----------------------------------------------------------------------

_WORKBOOK_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # .xlsx/.ods (zip), old .xls


def decode(data: bytes) -> tuple[str, str]:
    """The file's text and the name of its encoding; FileProblem when it is not text."""
    if not data.strip():
        raise FileProblem(_("The file is empty."))
    if data.startswith(_WORKBOOK_SIGNATURES):
        raise FileProblem(_("This is a spreadsheet workbook, not a CSV file. In Excel choose "
                            "File › Save As and the type “CSV UTF-8” (or “CSV”), then upload "
                            "that file."))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data[:65536]:
        for encoding, label in (("utf-8-sig", "UTF-8"), ("cp1250", "Windows-1250")):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if not _looks_binary(text):
                return text, label
    raise FileProblem(_("This file is not a CSV text file. Save the table as CSV (comma- or "
                        "semicolon-separated values) and upload that file."))


def _looks_binary(text: str) -> bool:
    sample = text[:65536]
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    return control > max(2, len(sample) // 1000)


def _header_key(cell: str) -> str:
    key = re.sub(r"[\s\-]+", "_", fold(cell).strip())
    return HEADER_ALIASES.get(key, key)


def _known_columns() -> set[str]:
    return {column.name for columns in COLUMNS.values() for column in columns}


def _sniff_delimiter(header_line: str) -> str:
    """Of ',' ';' and tab, the one that splits the header into the most columns we know."""
    known = _known_columns()

    def score(delimiter):
        cells = next(csv.reader([header_line], delimiter=delimiter), [])
        return sum(1 for cell in cells if _header_key(cell) in known), header_line.count(delimiter)

    return max(DELIMITERS, key=score)


def _unescape(value: str) -> str:
    """Undo the export's protection, so that "'+420 777" comes back as "+420 777"."""
    if value.startswith("'") and value[1:2] in FORMULA_STARTS and value[1:2]:
        return value[1:]
    return value


def _clean_cell(value: str) -> str:
    # Line breaks inside a cell become spaces: every field is one line in the directory.
    return re.sub(r"[\r\n\t]+", " ", _unescape(value.strip())).strip()


def _read_table(kind: str, text: str) -> tuple[str, list[str], list[ImportRow]]:
    """Delimiter, the recognised columns in file order, and the non-empty rows."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise FileProblem(_("The file is empty."))
    header_line = text.lstrip("\r\n").splitlines()[0]
    delimiter = _sniff_delimiter(header_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        records = [record for record in reader]
    except csv.Error:
        raise FileProblem(_("The file could not be read as CSV near line %(line)d; check the "
                            "quotation marks there.", line=reader.line_num)) from None
    # Numbered before blank rows are dropped, so that "row 7" is row 7 in the spreadsheet.
    numbered = [(number, record) for number, record in enumerate(records, start=1)
                if any(cell.strip() for cell in record)]
    if not numbered:
        raise FileProblem(_("The file is empty."))
    header = [_header_key(cell) for cell in numbered[0][1]]
    columns = _check_header(kind, header)
    rows = []
    for number, record in numbered[1:]:
        values = {
            name: _clean_cell(record[index]) if index < len(record) else ""
            for index, name in enumerate(header) if name in columns
        }
        row = ImportRow(number, values)
        if any(cell.strip() for cell in record[len(header):]):
            row.problem("", _("This row has more cells than the header has columns; look for a "
                              "stray separator (%(sep)s) in a cell.", sep=delimiter))
        rows.append(row)
    if not rows:
        raise FileProblem(_("The file has column headers but no rows to import."))
    return delimiter, columns, rows


def _check_header(kind: str, header: list[str]) -> list[str]:
    """The importable columns found, in file order; FileProblem when the columns are wrong."""
    expected = {column.name: column for column in COLUMNS[kind]}
    names = [name for name in header if name]
    unknown = [name for name in names if name not in expected]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    missing = [column.name for column in COLUMNS[kind] if column.required and column.name not in names]
    if not unknown and not duplicated and not missing:
        return [name for name in names if not expected[name].export_only]
    other = PEOPLE if kind == ORGANISATIONS else ORGANISATIONS
    other_required = {column.name for column in COLUMNS[other] if column.required}
    if missing and other_required <= set(names) and set(names) <= {c.name for c in COLUMNS[other]}:
        raise FileProblem(
            _("These are the columns of a list of people. Choose “People” and upload the file again.")
            if other == PEOPLE else
            _("These are the columns of a list of organisations. Choose “Organisations” and "
              "upload the file again.")
        )
    expected_list = ", ".join(column.name for column in COLUMNS[kind] if not column.export_only)
    parts = []
    if missing:
        parts.append(_("Missing columns: %(names)s.", names=", ".join(missing)))
    if unknown:
        parts.append(_("Unknown columns: %(names)s.", names=", ".join(unknown)))
    if duplicated:
        parts.append(_("Columns given twice: %(names)s.", names=", ".join(duplicated)))
    parts.append(_("The first row must name the columns: %(names)s (only %(required)s are "
                   "required).", names=expected_list,
                   required=", ".join(c.name for c in COLUMNS[kind] if c.required)))
    raise FileProblem(" ".join(parts))


# --- checking the rows ----------------------------------------------------------------------

def _key(text: str) -> str:
    """A lenient comparison key: case, diacritics, spaces and punctuation do not matter."""
    return " ".join(part for part in re.split(r"[\W_]+", fold(text)) if part)


def _name_key(text: str) -> str:
    """The key for "already in the directory": the same as the forms' case-insensitive check."""
    return " ".join(text.split()).casefold()


class _Cell:
    """Just enough of a WTForms field to run the forms' own validators on one cell."""

    def __init__(self, data: str):
        self.data = data
        self.raw_data = [data]
        self.errors: list[str] = []

    def gettext(self, text):
        return text

    def ngettext(self, singular, plural, n):
        return singular if n == 1 else plural


def _passes(validator, value: str) -> bool:
    try:
        validator(None, _Cell(value))
    except ValidationError:
        return False
    return True


def _check_text_cells(row: ImportRow, columns) -> None:
    for column in columns:
        value = row.values.get(column.name, "")
        if column.required and not value:
            row.problem(column.name, _("This field is required."))
        if column.max_length and len(value) > column.max_length:
            row.problem(column.name, _("Use at most %(max)d characters.", max=column.max_length))
        if any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in value):
            row.problem(column.name, _("Remove the invisible control characters."))


def _check_email(row: ImportRow, column: str) -> str:
    email = normalise_email(row.values.get(column, ""))
    validator = email_address()
    if email and not _passes(validator, email):
        row.problem(column, str(validator.message))
    return email


def _translations(lazy_text) -> set[str]:
    """The text in every language the council offers (people import in any of them)."""
    texts = {str(lazy_text)}
    for language in current_app.config["LANGUAGES"]:
        with force_locale(language):
            texts.add(str(lazy_text))
    return texts


def _sector_index() -> dict[str, Sector]:
    index: dict[str, Sector] = {}
    for sector in db.session.scalars(sa.select(Sector).order_by(Sector.position, Sector.id)):
        names = {sector.name, sector.code or ""}
        if sector.code in DEFAULT_SECTORS:
            names |= _translations(DEFAULT_SECTORS[sector.code])
        for name in names:
            if _key(name):
                index.setdefault(_key(name), sector)
    return index


def _role_index() -> dict[str, Role]:
    index: dict[str, Role] = {}
    for role in Role:
        for name in {role.value} | _translations(ROLE_LABELS[role]):
            index.setdefault(_key(name), role)
    return index


def _check_organisations(rows: list[ImportRow]) -> None:
    sectors = _sector_index()
    localities = {_key(loc.name): loc for loc in db.session.scalars(sa.select(Locality))}
    existing = {_name_key(name) for name in db.session.scalars(sa.select(Organisation.name))}
    first_row_of: dict[str, int] = {}
    for row in rows:
        values = row.values
        _check_text_cells(row, ORGANISATION_COLUMNS)
        name = values.get("name", "")
        if name:
            key = _name_key(name)
            if key in existing:
                row.problem("name", _("An organisation with this name is already in the "
                                      "directory."))
            elif key in first_row_of:
                row.problem("name", _("The same name is already in row %(row)d.",
                                      row=first_row_of[key]))
            else:
                first_row_of[key] = row.number
        sector_name = values.get("sector", "")
        if sector_name:
            sector = sectors.get(_key(sector_name))
            if sector is None:
                row.problem("sector", _("Unknown sector “%(name)s”. Use one from the list on "
                                        "this page.", name=sector_name))
            elif not sector.active:
                row.problem("sector", _("The sector “%(name)s” is hidden; choose another or "
                                        "show it again on the Lists page.", name=sector_name))
            else:
                row.resolved["sector"] = sector
        row.resolved["localities"] = _find_localities(row, localities)
        website = values.get("website", "")
        if website:
            if "://" not in website:
                website = "https://" + website  # "www.example.cz" is what people write
            validator = web_address()
            if not _passes(validator, website):
                row.problem("website", str(validator.message))
            row.resolved["website"] = website
        row.resolved["contact_email"] = _check_email(row, "contact_email")


def _find_localities(row: ImportRow, localities: dict[str, Locality]) -> list[Locality]:
    cell = row.values.get("localities", "")
    if not cell:
        return []
    if _key(cell) in localities:  # one locality whose name has a comma in it
        names = [cell]
    else:
        names = [name.strip() for name in re.split(r"\|" if "|" in cell else ",", cell)]
    found: list[Locality] = []
    for name in filter(None, names):
        locality = localities.get(_key(name))
        if locality is None:
            row.problem("localities", _("Unknown locality “%(name)s”. Add it on the Lists page "
                                        "first, or correct the name.", name=name))
        elif not locality.active:
            row.problem("localities", _("The locality “%(name)s” is hidden; show it again on the "
                                        "Lists page first.", name=name))
        elif locality not in found:
            found.append(locality)
    return found


def _existing_emails(emails: set[str]) -> set[str]:
    found: set[str] = set()
    ordered = sorted(emails)
    for start in range(0, len(ordered), 500):
        batch = ordered[start:start + 500]
        found.update(db.session.scalars(sa.select(Person.email).where(Person.email.in_(batch))))
    return found


def _organisation_index() -> tuple[dict[str, list[Organisation]], dict[str, list[Organisation]]]:
    by_name: dict[str, list[Organisation]] = {}
    by_short_name: dict[str, list[Organisation]] = {}
    for organisation in db.session.scalars(sa.select(Organisation).order_by(Organisation.id)):
        by_name.setdefault(_key(organisation.name), []).append(organisation)
        if organisation.short_name:
            by_short_name.setdefault(_key(organisation.short_name), []).append(organisation)
    return by_name, by_short_name


def _check_people(rows: list[ImportRow]) -> None:
    roles = _role_index()
    by_name, by_short_name = _organisation_index()
    emails = {row.number: _check_email(row, "email") for row in rows}
    in_directory = _existing_emails({email for email in emails.values() if email})
    first_row_of: dict[str, int] = {}
    for row in rows:
        _check_text_cells(row, PEOPLE_COLUMNS)
        email = emails[row.number]
        row.resolved["email"] = email
        if email in in_directory:
            row.problem("email", _("Someone with this email is already in the directory."))
        elif email in first_row_of:
            row.problem("email", _("The same email is already in row %(row)d.",
                                   row=first_row_of[email]))
        elif email:
            first_row_of[email] = row.number

        organisation_name = row.values.get("organisation", "")
        if organisation_name:
            key = _key(organisation_name)
            matches = by_name.get(key) or by_short_name.get(key) or []
            if not matches:
                row.problem("organisation", _("Unknown organisation “%(name)s”. Use its name or "
                                              "short name as the directory has it, or add it "
                                              "first.", name=organisation_name))
            elif len(matches) > 1:
                row.problem("organisation", _("More organisations are called “%(name)s”; use the "
                                              "full name.", name=organisation_name))
            elif not matches[0].active:
                row.problem("organisation", _("The organisation “%(name)s” is archived.",
                                              name=organisation_name))
            else:
                row.resolved["organisation"] = matches[0]

        role_name = row.values.get("role", "")
        role = roles.get(_key(role_name)) if role_name else Role.MEMBER
        if role is Role.ADMIN:
            row.problem("role", _("Administrators cannot be imported; import the person as a "
                                  "secretary and change the role on their page."))
        elif role is None:
            row.problem("role", _("Unknown role “%(name)s”. Use member, guest, facilitator or "
                                  "secretary.", name=role_name))
        else:
            row.resolved["role"] = role


def check_text(kind: str, text: str) -> ImportPreview:
    """Every problem of the CSV text; writes nothing. The one check both steps go through."""
    if kind not in KINDS:
        raise ValueError(kind)
    text = (text or "").replace("\x00", "")
    preview = ImportPreview(kind=kind, text=text)
    limit = max_text_bytes()
    if limit is not None and len(text.encode("utf-8")) + text.count("\n") > limit:
        preview.file_problems.append(_too_large_message(limit))
        return preview
    try:
        preview.delimiter, preview.columns, preview.rows = _read_table(kind, text)
    except FileProblem as problem:
        preview.file_problems.append(problem.message)
        return preview
    if kind == ORGANISATIONS:
        _check_organisations(preview.rows)
    else:
        _check_people(preview.rows)
    return preview


def _too_large_message(limit: int) -> str:
    return _("The file is too large to import at once (at most %(kb)d kB). Split it into "
             "smaller files and import them one after another.", kb=limit // 1024)


def preview_upload(kind: str, data: bytes) -> ImportPreview:
    """Decode an uploaded file and check it."""
    limit = max_text_bytes()
    if limit is not None and len(data) > limit:
        return ImportPreview(kind=kind, file_problems=[_too_large_message(limit)])
    try:
        text, encoding = decode(data)
    except FileProblem as problem:
        return ImportPreview(kind=kind, file_problems=[problem.message])
    preview = check_text(kind, text)
    preview.encoding = encoding
    return preview


# --- importing ------------------------------------------------------------------------------

def _new_organisation(row: ImportRow) -> Organisation:
    values, resolved = row.values, row.resolved
    organisation = Organisation(
        name=values["name"],
        short_name=values.get("short_name", ""),
        sector=resolved["sector"],
        address=values.get("address", ""),
        website=resolved.get("website", ""),
        contact_person=values.get("contact_person", ""),
        contact_email=resolved.get("contact_email", ""),
        contact_phone=values.get("contact_phone", ""),
        localities=resolved["localities"],
    )
    organisation.refresh_search_text()
    return organisation


def _new_person(row: ImportRow) -> Person:
    values, resolved = row.values, row.resolved
    organisation = resolved.get("organisation")
    person = Person(
        name=values["name"],
        email=resolved["email"],
        organisation_id=organisation.id if organisation else None,
        function=values.get("function", ""),
        phone=values.get("phone", ""),
        role=resolved["role"].value,
        active=True,
        password_hash=None,  # the secretary sends set-password links from their pages
    )
    person.refresh_search_text()
    return person


def run_import(kind: str, text: str, filename: str = "") -> ImportPreview:
    """Check the text again and, if every row is clean, import all rows in one transaction.

    ``preview.imported`` is the number of rows created; 0 means nothing was written (the
    preview then says why). Nothing is ever half imported: any failure rolls everything back.
    """
    preview = check_text(kind, text)
    if not preview.is_clean:
        return preview
    make = _new_organisation if kind == ORGANISATIONS else _new_person
    try:
        records = [make(row) for row in preview.rows]
        db.session.add_all(records)
        db.session.flush()
        summary = f"CSV import: {len(records)} {kind}"
        if filename:
            summary += f" from {filename}"
        recorder.record("import", summary=summary)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        preview.file_problems.append(_("Someone changed the directory while the file was being "
                                       "imported; nothing was imported. Upload the file again "
                                       "to see what changed."))
        return preview
    except Exception:
        db.session.rollback()
        raise
    preview.imported = len(records)
    return preview


def imported_message(kind: str, count: int) -> str:
    if kind == ORGANISATIONS:
        return ngettext("Imported %(num)d organisation.", "Imported %(num)d organisations.", count)
    return ngettext("Imported %(num)d person. Send them links to set their passwords from "
                    "their pages.", "Imported %(num)d people. Send them links to set their "
                    "passwords from their pages.", count)


# --- export ---------------------------------------------------------------------------------

def spreadsheet_safe(value) -> str:
    """A cell a spreadsheet shows as text instead of running it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(header: list[str], rows) -> bytes:
    """UTF-8 with BOM and ';', which Czech Excel opens with the right letters and columns."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_safe(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _export_columns(kind: str) -> list[str]:
    return [column.name for column in COLUMNS[kind]]


def _all_pages(find, filters: DirectoryFilter) -> list:
    rows, page = [], 1
    while True:
        found, has_more = find(replace(filters, page=page), db.session)
        rows.extend(found)
        if not has_more:
            return rows
        page += 1


def _service_names(organisation_ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    for start in range(0, len(organisation_ids), 500):
        batch = organisation_ids[start:start + 500]
        for organisation_id, name in db.session.execute(
            sa.select(Service.organisation_id, Service.name)
            .where(Service.organisation_id.in_(batch)).order_by(Service.name)
        ):
            names.setdefault(organisation_id, []).append(name)
    return names


def export_organisations(filters: DirectoryFilter) -> bytes:
    """The organisations the list shows for these filters, all pages, as CSV."""
    organisations = _all_pages(find_organisations, filters)
    services = _service_names([organisation.id for organisation in organisations])
    return write_csv(_export_columns(ORGANISATIONS), (
        [o.name, o.short_name, o.sector.label, o.address, o.website, o.contact_person,
         o.contact_email, o.contact_phone, " | ".join(loc.name for loc in o.localities),
         " | ".join(services.get(o.id, []))]
        for o in organisations
    ))


def export_people(filters: DirectoryFilter) -> bytes:
    """The people the list shows for these filters, all pages, as CSV."""
    people = _all_pages(find_people, filters)
    return write_csv(_export_columns(PEOPLE), (
        [p.name, p.email, p.organisation.name if p.organisation else "", p.function, p.phone,
         p.role, _("yes") if p.active else _("no")]
        for p in people
    ))


def example_csv(kind: str) -> bytes:
    """A file to fill in: the header and an example row built from the council's own lists."""
    if kind == ORGANISATIONS:
        sector = db.session.scalar(sa.select(Sector).where(Sector.active.is_(True))
                                   .order_by(Sector.position, Sector.name).limit(1))
        localities = db.session.scalars(sa.select(Locality.name).where(Locality.active.is_(True))
                                        .order_by(Locality.name).limit(2)).all()
        row = [_("Example organisation"), "EO", sector.label if sector else "",
               _("Main street 1, Town"), "https://example.org", _("Jana Example"),
               "info@example.org", "+420 123 456 789", " | ".join(localities)]
    else:
        organisation = db.session.scalar(
            sa.select(Organisation).where(Organisation.active.is_(True))
            .order_by(Organisation.name).limit(1)
        )
        row = [_("Jana Example"), "jana@example.org",
               organisation.name if organisation else "", _("Prevention coordinator"),
               "+420 123 456 789", Role.MEMBER.value]
    header = [column.name for column in COLUMNS[kind] if not column.export_only]
    return write_csv(header, [row])
