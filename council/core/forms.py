"""Validators with our own (translated) messages, shared by every form."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, IntegerField, TimeField, ValidationError
from wtforms.validators import URL, DataRequired, Email, InputRequired, Length, Optional

from council.core.text import fold


def required():
    return DataRequired(message=_l("This field is required."))


def input_required():
    """For fields that parse their input (dates, numbers): keeps the parse error if there is one."""
    return InputRequired(message=_l("This field is required."))


def max_length(n: int):
    return Length(max=n, message=_l("Use at most %(max)d characters.", max=n))


def email_address():
    return Email(message=_l("Enter a valid email address, like name@example.org."),
                 check_deliverability=False)


def web_address():
    return URL(require_tld=True, message=_l("Enter a full web address, like https://example.org."))


optional = Optional


def strip(value):
    return value.strip() if isinstance(value, str) else value


class VersionField(HiddenField):
    """The version a form was opened at; a save against a newer one is refused, not merged."""

    def process_formdata(self, valuelist):
        try:
            self.data = int(valuelist[0]) if valuelist and valuelist[0] else None
        except ValueError:
            self.data = None

    def pre_validate(self, form):
        if self.data is None:
            raise ValidationError(_l("The form is incomplete; reload the page."))


def no_control_characters(form, field):
    if isinstance(field.data, str) and any(ord(ch) < 32 and ch not in "\r\n\t" for ch in field.data):
        raise ValidationError(_l("Remove the invisible control characters."))


def same_text(a: str, b: str) -> bool:
    return fold(a).strip() == fold(b).strip()


class DateInput(DateField):
    """A date field whose parse error speaks our (translated) words."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a date like 2027-03-18.")) from None


class TimeInput(TimeField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a time like 09:30.")) from None


class WholeNumberInput(IntegerField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a whole number.")) from None


def choice_values(field) -> set:
    """The values a select field offers (WTForms' SelectChoice objects)."""
    return {choice.value for choice in field.choices}
