"""Reading pages the way a person reads them, in tests."""
import html
import re

from council.extensions import db


def see_saved() -> None:
    """End the test's own read transaction, so that it sees what the requests committed."""
    db.session.rollback()


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def field_error(response, field_id: str) -> str | None:
    """The message shown under a form field (linked to it by id), or None."""
    match = re.search(rf'<p class="error" id="{field_id}-error">([^<]*)</p>', response.get_data(as_text=True))
    return html.unescape(match.group(1)) if match else None


def input_value(response, name: str) -> str | None:
    page = response.get_data(as_text=True)
    match = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    if not match:
        return None
    value = re.search(r'\bvalue="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else ""
