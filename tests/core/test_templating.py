"""What every template uses: translated labels, dates and times in the council's zone, buttons
that POST. The fast paths must say exactly what Flask-Babel says."""
from datetime import date, datetime, timedelta

import pytest
from flask import render_template_string
from flask_babel import force_locale, format_date, format_time, refresh

from council.templating import clock_time, format_day

MOMENTS = [
    datetime(2026, 3, 29, 0, 59), datetime(2026, 3, 29, 1, 0),  # the spring change in Prague
    datetime(2026, 10, 25, 0, 30), datetime(2026, 10, 25, 1, 30),  # and back in the autumn
    datetime(2026, 12, 31, 23, 10), datetime(2027, 1, 1, 11, 5),
] + [datetime(2026, 6, 1) + timedelta(minutes=47 * n) for n in range(40)]


@pytest.mark.parametrize("language", ["en", "cs", "uk"])
def test_dates_and_times_read_as_flask_babel_writes_them(app, language):
    with app.test_request_context(), force_locale(language):
        for moment in MOMENTS:
            assert clock_time(moment) == format_time(moment, "short")
            for style in ("short", "medium", "long", "full", "d. M. yyyy"):
                assert format_day(moment, style) == format_date(moment, style), (moment, style)
                assert format_day(moment.date(), style) == format_date(moment.date(), style)
        assert clock_time(None) == "" and format_day(None) == ""


def test_late_on_new_years_eve_in_utc_is_new_years_day_in_prague(app):
    with app.test_request_context(), force_locale("en"):
        assert format_day(datetime(2026, 12, 31, 23, 30), "long") == "January 1, 2027"
        assert format_day(date(2026, 12, 31), "long") == "December 31, 2026"


def test_template_labels_follow_the_locale_even_when_it_changes_within_a_request(app):
    template = '{{ _("Minutes") }}|{{ ngettext("%(num)d person", "%(num)d people", 3) }}'
    with app.test_request_context():
        with force_locale("cs"):
            assert render_template_string(template) == "Zápis|3 osoby"
        with force_locale("uk"):
            assert render_template_string(template) == "Протокол|3 особи"
        with force_locale("en"):
            assert render_template_string(template) == "Minutes|3 people"
        refresh()
        assert render_template_string(template) == "Minutes|3 people"


def test_template_labels_escape_what_they_are_given(app):
    with app.test_request_context(), force_locale("en"):
        rendered = render_template_string('{{ _("Welcome, %(name)s", name=name) }}', name="<b>Eva</b>")
    assert "&lt;b&gt;Eva&lt;/b&gt;" in rendered and "<b>" not in rendered


def test_post_button_is_a_form_with_the_csrf_token_and_escapes_its_text(app):
    with app.test_request_context():
        html = render_template_string(
            '{{ post_button("/meetings/1/held", label, "button", fields={"back": "a&b"}) }}',
            label="Mark <as> held")
    assert html.startswith('<form method="post" action="/meetings/1/held" class="inline-form">')
    assert 'name="csrf_token" value="' in html and 'name="back" value="a&amp;b"' in html
    assert '<button type="submit" class="button">Mark &lt;as&gt; held</button>' in html


def test_template_labels_without_variables_still_read_percent_signs_as_jinja_does(app):
    with app.test_request_context(), force_locale("en"):
        rendered = render_template_string('{{ _("Minutes") }}|{{ _("100%% present") }}|{{ _("<b>") }}')
    # Labels are trusted text, as in Jinja's i18n extension: not escaped again.
    assert rendered == "Minutes|100% present|<b>"


def test_static_urls_follow_the_application_root_a_proxy_gives(app):
    template = "{{ static_url('css/council.css') }}"
    with app.test_request_context("/"):
        assert render_template_string(template) == "/static/css/council.css"
    with app.test_request_context("/", environ_overrides={"SCRIPT_NAME": "/council"}):
        assert render_template_string(template) == "/council/static/css/council.css"
    with app.test_request_context("/"):
        assert render_template_string(template) == "/static/css/council.css"
