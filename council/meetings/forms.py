from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, TextAreaField, ValidationError
from wtforms.fields import SelectChoice
from wtforms.validators import NumberRange

from council.auth.models import Person
from council.core.forms import (
    DateInput,
    TimeInput,
    VersionField,
    WholeNumberInput,
    choice_values,
    input_required,
    max_length,
    no_control_characters,
    optional,
    required,
    strip,
)
from council.extensions import db
from council.meetings.models import MeetingType


def person_choices(blank_label) -> list[SelectChoice]:
    rows = db.session.execute(
        sa.select(Person.id, Person.name).where(Person.active.is_(True)).order_by(Person.name)
    ).all()
    return [SelectChoice(0, blank_label)] + [SelectChoice(row.id, row.name) for row in rows]


def _check_choice(field, message):
    if field.data not in choice_values(field):
        raise ValidationError(message)


class MeetingForm(FlaskForm):
    title = StringField(_l("Title"), validators=[required(), max_length(200), no_control_characters], filters=[strip])
    type_id = SelectField(_l("Type"), coerce=int, validate_choice=False)
    day = DateInput(_l("Date"), validators=[input_required()], format="%Y-%m-%d")
    start_time = TimeInput(_l("Starts at"), validators=[input_required()], format="%H:%M")
    end_time = TimeInput(_l("Ends at"), validators=[input_required()], format="%H:%M")
    place = StringField(_l("Place"), validators=[optional(), max_length(300), no_control_characters], filters=[strip])
    description = TextAreaField(_l("Description"), validators=[optional(), max_length(5000)], filters=[strip])
    chair_id = SelectField(_l("Chair"), coerce=int, validate_choice=False)
    recorder_id = SelectField(_l("Recorder (writes the minutes)"), coerce=int, validate_choice=False)
    facilitator_id = SelectField(_l("Facilitator"), coerce=int, validate_choice=False)
    version = VersionField()

    def __init__(self, *args, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        types = db.session.scalars(sa.select(MeetingType).order_by(MeetingType.id)).all()
        self.type_id.choices = [SelectChoice(t.id, t.label) for t in types
                                if t.active or (meeting is not None and t.id == meeting.type_id)]
        people = person_choices(_l("— nobody yet —"))
        for field in (self.chair_id, self.recorder_id, self.facilitator_id):
            field.choices = people
        if meeting is None:
            del self.version

    def validate_type_id(self, field):
        _check_choice(field, _l("Choose a type from the list."))

    def validate_chair_id(self, field):
        _check_choice(field, _l("Choose a person from the list."))

    validate_recorder_id = validate_chair_id
    validate_facilitator_id = validate_chair_id

    def validate_end_time(self, field):
        if self.start_time.data and field.data and field.data <= self.start_time.data:
            raise ValidationError(_l("The meeting must end after it starts."))

    def local_start(self) -> datetime:
        return datetime.combine(self.day.data, self.start_time.data)

    def local_end(self) -> datetime:
        return datetime.combine(self.day.data, self.end_time.data)


WEEKDAYS = [SelectChoice(0, _l("Monday")), SelectChoice(1, _l("Tuesday")), SelectChoice(2, _l("Wednesday")),
            SelectChoice(3, _l("Thursday")), SelectChoice(4, _l("Friday"))]
NTH = [SelectChoice(1, _l("first")), SelectChoice(2, _l("second")), SelectChoice(3, _l("third")),
       SelectChoice(4, _l("fourth")), SelectChoice(-1, _l("last"))]


class SeriesForm(FlaskForm):
    """Create the next meetings after this one by a rule."""

    interval_months = WholeNumberInput(_l("Every how many months"), default=3,
                                   validators=[input_required(), NumberRange(1, 12, message=_l("Between 1 and 12."))])
    pattern = SelectField(_l("On which day"), choices=[
        SelectChoice("same_day", _l("The same day of the month as this meeting")),
        SelectChoice("weekday", _l("A weekday of the month, e.g. the third Thursday")),
    ], validate_choice=False)
    nth = SelectField(_l("Which one"), coerce=int, choices=NTH, validate_choice=False)
    weekday = SelectField(_l("Weekday"), coerce=int, choices=WEEKDAYS, validate_choice=False)
    count = WholeNumberInput(_l("How many meetings"), default=4,
                         validators=[input_required(), NumberRange(1, 24, message=_l("Between 1 and 24."))])

    def validate_pattern(self, field):
        _check_choice(field, _l("Choose from the list."))

    def validate_nth(self, field):
        _check_choice(field, _l("Choose from the list."))

    def validate_weekday(self, field):
        _check_choice(field, _l("Choose from the list."))


class CloneForm(FlaskForm):
    day = DateInput(_l("Date of the new meeting"), validators=[input_required()], format="%Y-%m-%d")


class CadenceForm(FlaskForm):
    months = WholeNumberInput(_l("Meet at least every … months"),
                          validators=[input_required(), NumberRange(1, 24, message=_l("Between 1 and 24."))])


class MeetingTypeForm(FlaskForm):
    name = StringField(_l("New meeting type"), validators=[required(), max_length(120), no_control_characters], filters=[strip])

    def validate_name(self, field):
        exists = db.session.scalar(sa.select(MeetingType.id).where(sa.func.lower(MeetingType.name) == field.data.lower()))
        if exists is not None:
            raise ValidationError(_l("This name is already on the list."))


class AttachmentForm(FlaskForm):
    file = FileField(_l("File"), validators=[FileRequired(message=_l("Choose a file."))])
    agenda_item_id = SelectField(_l("Belongs to"), coerce=int, validate_choice=False)


def attachment_form(meeting) -> AttachmentForm:
    from council.meetings.agenda import schedule

    form = AttachmentForm()
    form.agenda_item_id.choices = [SelectChoice(0, _l("the whole meeting"))] + [
        SelectChoice(entry.item.id, f"{entry.number}. {entry.item.title}") for entry in schedule(meeting)
    ]
    return form
