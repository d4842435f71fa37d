import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from council.core.forms import (
    VersionField,
    email_address,
    max_length,
    no_control_characters,
    optional,
    required,
    strip,
    web_address,
)
from council.directory.models import Locality, Organisation, Sector
from council.extensions import db


def name_taken(model, name: str, except_id: int | None = None) -> bool:
    """Whether another row of ``model`` has this name, in any letter case ("ČERNÁ" = "Černá").

    SQLite's lower() folds only ASCII letters, so the rows of the same length are compared here.
    """
    query = sa.select(model.name).where(sa.func.length(model.name) == len(name))
    if except_id is not None:
        query = query.where(model.id != except_id)
    wanted = name.casefold()
    return any(existing.casefold() == wanted for existing in db.session.scalars(query))


def choice_id(value) -> int:
    """An id chosen in the form. Junk becomes -1, which no list offers, so that the field's
    own message ("Choose … from the list.") explains it, in the reader's language."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _text(label, length, *, needed=False):
    validators = [required() if needed else optional(), max_length(length), no_control_characters]
    return StringField(label, validators=validators, filters=[strip])


class OrganisationForm(FlaskForm):
    name = _text(_l("Name"), 200, needed=True)
    short_name = _text(_l("Short name"), 40)
    sector_id = SelectField(_l("Sector"), coerce=choice_id, validate_choice=False)
    address = _text(_l("Address"), 300)
    website = StringField(_l("Website"), validators=[optional(), max_length(300), web_address()], filters=[strip])
    contact_person = _text(_l("Contact person"), 120)
    contact_email = EmailField(_l("Contact email"), validators=[optional(), max_length(254), email_address()], filters=[strip])
    contact_phone = TelField(_l("Contact phone"), validators=[optional(), max_length(40), no_control_characters], filters=[strip])
    locality_ids = CheckboxesField(_l("Localities it works in"), coerce=choice_id, validate_choice=False)
    version = VersionField()

    def __init__(self, *args, organisation: Organisation | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        sectors = db.session.scalars(sa.select(Sector).order_by(Sector.position, Sector.name)).all()
        self.sector_id.choices = [(0, _l("— choose —"))] + [
            (s.id, s.label) for s in sectors if s.active or (organisation and s.id == organisation.sector_id)
        ]
        localities = db.session.scalars(sa.select(Locality).order_by(Locality.name)).all()
        current = {loc.id for loc in organisation.localities} if organisation else set()
        self.locality_ids.choices = [(loc.id, loc.name) for loc in localities if loc.active or loc.id in current]
        if organisation is None:
            del self.version

    def validate_name(self, field):
        if name_taken(Organisation, field.data, self.organisation.id if self.organisation else None):
            raise ValidationError(_l("An organisation with this name is already in the directory."))

    def validate_sector_id(self, field):
        if field.data not in {value for value, _label in field.choices if value}:
            raise ValidationError(_l("Choose a sector from the list."))

    def validate_locality_ids(self, field):
        allowed = {value for value, _label in field.choices}
        if any(value not in allowed for value in field.data or []):
            raise ValidationError(_l("Choose localities from the list."))


class ServiceForm(FlaskForm):
    name = _text(_l("Service"), 200, needed=True)
    target_group = _text(_l("Target group"), 300)
    description = TextAreaField(_l("Description"), validators=[optional(), max_length(5000), no_control_characters], filters=[strip])
    how_to_refer = TextAreaField(_l("How to refer a client"), validators=[optional(), max_length(5000), no_control_characters], filters=[strip])
    version = VersionField()

    def __init__(self, *args, service=None, **kwargs):
        super().__init__(*args, **kwargs)
        if service is None:
            del self.version


class ListEntryForm(FlaskForm):
    """A new sector or locality."""

    name = _text(_l("Name"), 120, needed=True)

    def __init__(self, *args, model=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.model = model

    def validate_name(self, field):
        if name_taken(self.model, field.data):
            raise ValidationError(_l("This name is already on the list."))
