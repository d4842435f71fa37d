"""Business rules of the directory; the only place where its changes are committed."""
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from council.auth.models import Person
from council.auth.services import normalise_email
from council.directory.models import Locality, Organisation, Sector, Service
from council.extensions import db


class EditConflict(Exception):
    """Someone else saved the record after this person opened it."""

    def __init__(self, current):
        super().__init__("edit conflict")
        self.current = current


class DuplicateName(Exception):
    pass


def _commit_or_conflict(obj, model) -> None:
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise EditConflict(db.session.get(model, obj.id)) from None
    except IntegrityError:
        db.session.rollback()
        raise DuplicateName() from None


def _check_version(obj, version: int | None) -> None:
    if version is not None and version != obj.version:
        raise EditConflict(obj)


ORGANISATION_FIELDS = ("name", "short_name", "sector_id", "address", "website",
                       "contact_person", "contact_email", "contact_phone")


def save_organisation(organisation: Organisation | None, data: dict,
                      version: int | None = None) -> Organisation:
    """Create (``organisation`` None) or update an organisation from validated form data."""
    if organisation is None:
        organisation = Organisation()
        db.session.add(organisation)
    else:
        _check_version(organisation, version)
    for field in ORGANISATION_FIELDS:
        setattr(organisation, field, data.get(field) or ("" if field != "sector_id" else None))
    organisation.contact_email = normalise_email(organisation.contact_email)
    ids = set(data.get("locality_ids") or [])
    organisation.localities = (
        list(db.session.scalars(sa.select(Locality).where(Locality.id.in_(ids)))) if ids else []
    )
    organisation.refresh_search_text()
    _commit_or_conflict(organisation, Organisation)
    return organisation


def set_organisation_active(organisation: Organisation, active: bool) -> None:
    organisation.active = active
    db.session.commit()


SERVICE_FIELDS = ("name", "target_group", "description", "how_to_refer")


def save_service(service: Service | None, organisation: Organisation, data: dict,
                 version: int | None = None) -> Service:
    if service is None:
        service = Service(organisation=organisation)
        db.session.add(service)
    else:
        _check_version(service, version)
    for field in SERVICE_FIELDS:
        setattr(service, field, data.get(field) or "")
    if service not in organisation.services:
        organisation.services.append(service)
    organisation.refresh_search_text()
    _commit_or_conflict(service, Service)
    return service


def delete_service(service: Service) -> None:
    organisation = service.organisation
    organisation.services.remove(service)
    db.session.delete(service)
    organisation.refresh_search_text()
    db.session.commit()


PERSON_FIELDS = ("name", "email", "phone", "function", "role")


def save_person(person: Person, data: dict, version: int | None) -> Person:
    """The secretary's edit of a person's record (contact details, organisation, role)."""
    _check_version(person, version)
    for field in PERSON_FIELDS:
        if field in data:
            setattr(person, field, data[field] or "")
    person.email = normalise_email(person.email)
    if "organisation_id" in data:
        person.organisation_id = data["organisation_id"] or None
    person.refresh_search_text()
    _commit_or_conflict(person, Person)
    return person


def add_list_entry(model, name: str):
    entry = model(name=name)
    if model is Sector:
        entry.position = 1000
    db.session.add(entry)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise DuplicateName() from None
    return entry


def set_list_entry_active(entry, active: bool) -> None:
    entry.active = active
    db.session.commit()
