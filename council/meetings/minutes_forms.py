"""Forms of the minutes: item texts, general notes, conclusions, review, amendments."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields import SelectChoice

from council.auth.models import Person
from council.core.forms import VersionField, max_length, no_control_characters, optional, required, strip
from council.extensions import db
from council.meetings.models import DueKind

MINUTES_TEXT_LENGTH = 50_000
MAX_VOTES = 100_000  # far above any council, far below the database's integer limit


class DayField(DateField):
    """A date as the browser's date picker sends it (2026-09-30), with our own message."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format="%Y-%m-%d", **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a date like 2026-09-30.")) from None

    def post_validate(self, form, validation_stopped):
        if self.data is not None and not 1900 <= self.data.year <= 2200:
            raise ValidationError(_l("Enter a date like 2026-09-30."))


class CountField(IntegerField):
    """A number of votes: empty, or a whole number."""

    def process_formdata(self, valuelist):
        raw = valuelist[0].strip() if valuelist else ""
        if not raw:
            self.data = None
            return
        try:
            self.data = int(raw)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a whole number, like 12.")) from None


class IdsField(SelectMultipleField):
    """A multi-select of ids; a value that is not on the list is refused with ``message``."""

    def __init__(self, label=None, validators=None, message=None, **kwargs):
        super().__init__(label, validators, coerce=int, validate_choice=False, **kwargs)
        self.message = message
        self.unknown = False

    def process_formdata(self, valuelist):
        self.data, self.unknown = [], False
        for value in valuelist:
            try:
                self.data.append(int(value))
            except ValueError:
                self.unknown = True
        self.data = list(dict.fromkeys(self.data))

    def pre_validate(self, form):
        allowed = {choice.value for choice in self.choices}
        if self.unknown or any(value not in allowed for value in self.data or []):
            raise ValidationError(self.message)


class UniqueIdsForm(FlaskForm):
    """A form shown many times on one page: ``id_prefix`` keeps its element ids apart, while the
    field names stay plain (``text``, ``version``) so that every copy posts the same names."""

    def __init__(self, *args, id_prefix: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if id_prefix:
            for field in self:
                field.id = f"{id_prefix}-{field.name}"
                field.label.field_id = field.id


def _minutes_text(label):
    return TextAreaField(label, validators=[optional(), max_length(MINUTES_TEXT_LENGTH), no_control_characters])


def active_people_choices(keep=()) -> list[SelectChoice]:
    """Active people by name, plus any inactive ones already chosen (so an edit keeps them)."""
    keep_ids = [person.id for person in keep]
    condition = Person.active.is_(True)
    if keep_ids:
        condition = sa.or_(condition, Person.id.in_(keep_ids))
    rows = db.session.execute(sa.select(Person.id, Person.name).where(condition).order_by(Person.name)).all()
    return [SelectChoice(row.id, row.name) for row in rows]


def active_organisation_choices(keep=()) -> list[SelectChoice]:
    from council.directory.models import Organisation

    keep_ids = [organisation.id for organisation in keep]
    condition = Organisation.active.is_(True)
    if keep_ids:
        condition = sa.or_(condition, Organisation.id.in_(keep_ids))
    rows = db.session.execute(
        sa.select(Organisation.id, Organisation.name, Organisation.short_name)
        .where(condition).order_by(Organisation.name)).all()
    return [SelectChoice(row.id, f"{row.name} ({row.short_name})" if row.short_name else row.name) for row in rows]


class ItemMinutesForm(UniqueIdsForm):
    """What was said and agreed on one agenda item."""

    text = _minutes_text(_l("Minutes of this item"))
    version = VersionField()


class GeneralMinutesForm(FlaskForm):
    general_notes = _minutes_text(_l("General notes"))
    next_meeting_date = DayField(_l("Date of the next meeting"), validators=[optional()])
    next_meeting_note = StringField(_l("Next meeting, in words"),
                                    validators=[optional(), max_length(300), no_control_characters],
                                    filters=[strip])
    version = VersionField()


DUE_KIND_CHOICES = [
    SelectChoice(DueKind.BY.value, _l("to be done by this date")),
    SelectChoice(DueKind.FROM.value, _l("ongoing from this date")),
]


class ConclusionForm(UniqueIdsForm):
    text = TextAreaField(_l("Conclusion"), validators=[required(), max_length(5000), no_control_characters],
                         filters=[strip])
    responsible_people = IdsField(_l("Responsible people"), message=_l("Choose people from the list."))
    responsible_organisations = IdsField(_l("Responsible organisations"),
                                         message=_l("Choose organisations from the list."))
    due_date = DayField(_l("Date"), validators=[optional()])
    due_kind = SelectField(_l("The date means"), choices=DUE_KIND_CHOICES, validate_choice=False)
    is_decision = BooleanField(_l("This is a decision of the council"))
    votes_for = CountField(_l("Votes for"))
    votes_against = CountField(_l("Votes against"))
    votes_abstained = CountField(_l("Abstained"))
    version = VersionField()

    def __init__(self, *args, conclusion=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.responsible_people.choices = active_people_choices(
            conclusion.responsible_people if conclusion is not None else ())
        self.responsible_organisations.choices = active_organisation_choices(
            conclusion.responsible_organisations if conclusion is not None else ())
        if conclusion is None:
            del self.version

    def validate_due_kind(self, field):
        if field.data not in {choice.value for choice in DUE_KIND_CHOICES}:
            raise ValidationError(_l("Choose from the list."))

    def _validate_votes(self, field):
        if field.data is None:
            return
        if not 0 <= field.data <= MAX_VOTES:
            raise ValidationError(_l("Enter a number from 0 to %(max)d.", max=MAX_VOTES))
        if not self.is_decision.data:
            raise ValidationError(_l("Votes are recorded for decisions only: tick “This is a decision of the council”."))

    validate_votes_for = validate_votes_against = validate_votes_abstained = _validate_votes

    def data_for_service(self) -> dict:
        """The values as ``conclusions.add_conclusion`` takes them (people and organisations loaded)."""
        from council.directory.models import Organisation

        def load(model, ids):
            if not ids:
                return []
            found = {row.id: row for row in db.session.scalars(sa.select(model).where(model.id.in_(ids)))}
            return [found[i] for i in ids if i in found]

        return {
            "text": self.text.data,
            "due_date": self.due_date.data,
            "due_kind": self.due_kind.data,
            "is_decision": self.is_decision.data,
            "votes_for": self.votes_for.data,
            "votes_against": self.votes_against.data,
            "votes_abstained": self.votes_abstained.data,
            "responsible_people": load(Person, self.responsible_people.data),
            "responsible_organisations": load(Organisation, self.responsible_organisations.data),
        }


class SendForReviewForm(FlaskForm):
    reviewers = IdsField(_l("Reviewers"), message=_l("Choose reviewers from the list."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reviewers.choices = active_people_choices()

    def validate_reviewers(self, field):
        if not field.data:
            raise ValidationError(_l("Name at least one reviewer."))

    def chosen_people(self) -> list:
        people = {p.id: p for p in db.session.scalars(sa.select(Person).where(Person.id.in_(self.reviewers.data)))}
        return [people[i] for i in self.reviewers.data if i in people]


class ReturnReviewForm(FlaskForm):
    comment = TextAreaField(_l("What should change"),
                            validators=[required(), max_length(5000), no_control_characters], filters=[strip])


class AmendmentForm(FlaskForm):
    amended_text = TextAreaField(_l("Corrected text"),
                                 validators=[required(), max_length(MINUTES_TEXT_LENGTH), no_control_characters],
                                 filters=[strip])
    reason = StringField(_l("Reason for the correction"),
                         validators=[required(), max_length(500), no_control_characters], filters=[strip])

