import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, TelField, ValidationError
from wtforms.fields import SelectChoice
from wtforms.validators import EqualTo

from council.auth import services
from council.auth.models import Person
from council.auth.roles import Role
from council.core.forms import (
    VersionField,
    email_address,
    max_length,
    no_control_characters,
    optional,
    required,
    strip,
)
from council.extensions import db


class LoginForm(FlaskForm):
    # No control characters: PostgreSQL refuses NUL in text, and no address has them anyway.
    email = EmailField(_l("Email"), validators=[required(), max_length(254), no_control_characters],
                       filters=[strip])
    password = PasswordField(_l("Password"), validators=[required(), max_length(1024)])


class NewPasswordMixin:
    person: Person | None = None

    def validate_password(self, field):
        problem = services.password_problem(field.data or "", self.person)
        if problem:
            raise ValidationError(problem)


class SetPasswordForm(NewPasswordMixin, FlaskForm):
    password = PasswordField(_l("New password"), validators=[required()])
    confirm = PasswordField(
        _l("New password again"),
        validators=[required(), EqualTo("password", message=_l("The two passwords differ."))],
    )


class ChangePasswordForm(SetPasswordForm):
    current_password = PasswordField(_l("Current password"), validators=[required()])

    def validate_current_password(self, field):
        if not services.check_password(self.person, field.data or ""):
            raise ValidationError(_l("This is not your current password."))


def organisation_choices():
    from council.directory.models import Organisation

    rows = db.session.execute(
        sa.select(Organisation.id, Organisation.name)
        .where(Organisation.active.is_(True))
        .order_by(Organisation.name)
    ).all()
    return [SelectChoice(0, _l("— no organisation (guest) —"))] + [
        SelectChoice(row.id, row.name) for row in rows
    ]


def role_choices(may_grant_admin: bool):
    return [SelectChoice(role.value, role.label) for role in Role
            if may_grant_admin or role is not Role.ADMIN]


def _offered(field) -> set:
    """The values a select field offers (its own check would answer in English only)."""
    return {choice.value if isinstance(choice, SelectChoice) else choice[0] for choice in field.choices}


LANGUAGE_CHOICES = [
    SelectChoice("", _l("As my browser asks")), SelectChoice("en", "English"),
    SelectChoice("cs", "Čeština"), SelectChoice("uk", "Українська"),
]


class UniqueEmailMixin:
    person: Person | None = None

    def validate_email(self, field):
        if field.errors:  # not an address at all (e.g. control characters): nothing to look up
            return
        email = services.normalise_email(field.data)
        query = sa.select(Person.id).where(Person.email == email)
        if self.person is not None and self.person.id is not None:
            query = query.where(Person.id != self.person.id)
        if db.session.scalar(query) is not None:
            raise ValidationError(_l("Someone with this email is already in the directory."))


class ContactDetailsForm(UniqueEmailMixin, FlaskForm):
    """What a member may change about themselves."""

    name = StringField(_l("Name"), validators=[required(), max_length(120), no_control_characters], filters=[strip])
    email = EmailField(_l("Email"), validators=[required(), max_length(254), email_address()], filters=[strip])
    phone = TelField(_l("Phone"), validators=[optional(), max_length(40), no_control_characters], filters=[strip])
    function = StringField(_l("Function"), validators=[optional(), max_length(120), no_control_characters], filters=[strip])
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES, validate_choice=False)
    version = VersionField()

    def validate_locale(self, field):
        if field.data not in _offered(field):
            raise ValidationError(_l("Choose a language from the list."))


class PersonForm(UniqueEmailMixin, FlaskForm):
    """What the secretary records about a person (also used to invite one)."""

    name = StringField(_l("Name"), validators=[required(), max_length(120), no_control_characters], filters=[strip])
    email = EmailField(_l("Email"), validators=[required(), max_length(254), email_address()], filters=[strip])
    organisation_id = SelectField(_l("Organisation"), coerce=int, validate_choice=False)
    function = StringField(_l("Function"), validators=[optional(), max_length(120), no_control_characters], filters=[strip])
    phone = TelField(_l("Phone"), validators=[optional(), max_length(40), no_control_characters], filters=[strip])
    role = SelectField(_l("Role"), validate_choice=False)

    def __init__(self, *args, may_grant_admin: bool = False, person: Person | None = None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        self.organisation_id.choices = organisation_choices()
        if person is not None and person.role == Role.ADMIN and not may_grant_admin:
            # Only an administrator changes an administrator's role.
            self.role.choices = [SelectChoice(Role.ADMIN.value, Role.ADMIN.label)]
        else:
            self.role.choices = role_choices(may_grant_admin)

    def validate_organisation_id(self, field):
        if field.data not in _offered(field):
            raise ValidationError(_l("Choose an organisation from the list."))

    def validate_role(self, field):
        if field.data not in _offered(field):
            raise ValidationError(_l("Choose a role from the list."))


class EditPersonForm(PersonForm):
    version = VersionField()


class ConfirmForm(FlaskForm):
    """An empty form that only carries the CSRF token, so that every change is a POST."""
