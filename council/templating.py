"""What every template can use."""
import functools
from datetime import UTC, datetime, time

from babel import Locale
from babel.dates import get_date_format, get_time_format, parse_pattern
from flask import current_app, request, url_for
from flask_babel import get_locale, get_translations
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from jinja2 import pass_context, pass_eval_context
from markupsafe import Markup, escape

from council.auth.roles import Permission
from council.core.markdown import render_markdown
from council.core.timezones import council_zone


def init_app(app) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    # Block tags leave no lines of indentation behind: smaller pages, less to send.
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["when"] = _when_filter
    app.jinja_env.filters["clock"] = _clock_filter
    app.jinja_env.filters["dateformat"] = _day_filter
    app.jinja_env.globals.update(Permission=Permission, post_button=post_button, static_url=static_url)
    @app.context_processor
    def shared_context():
        labels = Labels(get_translations())
        person = current_user._get_current_object()  # the proxy costs a lookup on every use
        return {
            # may(Permission.X): whether the signed-in person (if any) may do X.
            "may": lambda permission: person.is_authenticated and person.may(permission),
            # Signed at most once per render, however many forms the page has.
            "csrf_token": functools.cache(generate_csrf),
            "formats": Formats(),
            "council_name": current_app.config["COUNCIL_NAME"],
            "languages": LANGUAGE_NAMES,
            "current_locale": str(get_locale()),
            # Shadow Flask-Babel's template callables, which look the translations up again for
            # every string through two layers of wrappers (a page asks for hundreds of labels).
            "_": labels.gettext, "gettext": labels.gettext, "ngettext": labels.ngettext,
            "pgettext": labels.pgettext, "npgettext": labels.npgettext,
        }


LANGUAGE_NAMES = {"en": "English", "cs": "Čeština", "uk": "Українська"}


class Labels:
    """Jinja's "newstyle" gettext family (escaped where the template autoescapes, always
    %-formatted), bound to the translations in force when a render begins, so that a render
    under ``force_locale`` speaks that language."""

    def __init__(self, translations):
        self.translations = translations

    @pass_eval_context
    def gettext(self, eval_context, text: str, **variables) -> str:
        return _formatted(eval_context, self.translations.ugettext(text), variables)

    @pass_eval_context
    def ngettext(self, eval_context, singular: str, plural: str, number: int, **variables) -> str:
        variables.setdefault("num", number)
        return _formatted(eval_context, self.translations.ungettext(singular, plural, number), variables)

    @pass_eval_context
    def pgettext(self, eval_context, context: str, text: str, **variables) -> str:
        variables.setdefault("context", context)
        return _formatted(eval_context, self.translations.upgettext(context, text), variables)

    @pass_eval_context
    def npgettext(self, eval_context, context: str, singular: str, plural: str, number: int,
                  **variables) -> str:
        variables.setdefault("context", context)
        variables.setdefault("num", number)
        return _formatted(eval_context, self.translations.unpgettext(context, singular, plural, number),
                          variables)


def _formatted(eval_context, text: str, variables: dict) -> str:
    if eval_context.autoescape:
        text = Markup(text)
    # Most labels have no placeholder: skip ``Markup.__mod__``, which wraps the values in helpers.
    return text % variables if variables or "%" in text else text


@pass_context
def post_button(context, action: str, label: str, class_: str = "", fields: dict | None = None) -> Markup:
    """A button that POSTs (with the CSRF token) to ``action``: for changes that need no form.
    A function, not a macro: importing a macro costs every partial that uses it. Built with
    ``escape`` and an f-string: ``Markup.format`` goes through ``string.Formatter``, ten times slower."""
    token = context.get("csrf_token", generate_csrf)()
    hidden = "".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'
        for name, value in (fields or {}).items()
    )
    return Markup(
        f'<form method="post" action="{escape(action)}" class="inline-form">'
        f'<input type="hidden" name="csrf_token" value="{escape(token)}">{hidden}'
        f'<button type="submit" class="{escape(class_)}">{escape(label)}</button></form>'
    )


def static_url(filename: str) -> str:
    """``url_for("static", filename=…)``, remembered: every page links the same few files, and
    building a URL costs more than the rest of a page's head."""
    return _static_url(request.script_root, filename)


@functools.lru_cache(maxsize=256)
def _static_url(script_root: str, filename: str) -> str:
    # The application's root is part of the key: a proxy may set it per request (SCRIPT_NAME),
    # and url_for reads it from the request.
    return url_for("static", filename=filename)


# Flask-Babel's date filters look up the locale and the time zone and parse the pattern again
# for every value; pages with a table of dates and times call them hundreds of times. These write
# exactly the same text, with the locale and the zone looked up once per render (``Formats``),
# and remember the texts (a day or a time of day in a language is always written alike).

STANDARD_FORMATS = ("short", "medium", "long", "full")


class Formats:
    """Dates and times in one locale and the council's time zone."""

    def __init__(self, locale: Locale | None = None, zone=None):
        self.locale = locale or get_locale()
        self.locale_name = str(self.locale)  # the texts' cache key: hashing a Locale is slower
        self.zone = zone or council_zone()

    def day(self, value, date_format: str = "medium") -> str:
        """As ``flask_babel.format_date``: a stored (naive UTC) datetime is shown on the
        council's day, a date as it is."""
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = value.replace(tzinfo=UTC).astimezone(self.zone).date()
        return _day_text(self.locale_name, date_format, value)

    def clock(self, value) -> str:
        """As ``flask_babel.format_time(value, "short")``."""
        if value is None:
            return ""
        local = value.replace(tzinfo=UTC).astimezone(self.zone)
        return _clock_text(self.locale_name, local.hour, local.minute)

    def when(self, value, date_format: str = "medium") -> str:
        """A date and time without seconds."""
        if value is None:
            return ""
        return f"{self.day(value, date_format)} {self.clock(value)}"


def format_day(value, date_format: str = "medium") -> str:
    return Formats().day(value, date_format)


def clock_time(value) -> str:
    return Formats().clock(value)


def _render_formats(context) -> Formats:
    """The render's own ``Formats`` (see ``shared_context``), or a new one outside a render."""
    formats = context.get("formats")
    return formats if isinstance(formats, Formats) else Formats()


@pass_context
def _day_filter(context, value, date_format: str = "medium") -> str:
    return _render_formats(context).day(value, date_format)


@pass_context
def _clock_filter(context, value) -> str:
    return _render_formats(context).clock(value)


@pass_context
def _when_filter(context, value, date_format: str = "medium") -> str:
    return _render_formats(context).when(value, date_format)


@functools.lru_cache(maxsize=4096)  # the days shown lately, in a few languages and formats
def _day_text(locale_name: str, date_format: str, day) -> str:
    locale = Locale.parse(locale_name)
    pattern = get_date_format(date_format, locale=locale) if date_format in STANDARD_FORMATS else date_format
    return parse_pattern(pattern).apply(day, locale)


@functools.lru_cache(maxsize=8192)  # every minute of the day in a few languages
def _clock_text(locale_name: str, hour: int, minute: int) -> str:
    locale = Locale.parse(locale_name)
    return parse_pattern(get_time_format("short", locale=locale)).apply(time(hour, minute), locale)
