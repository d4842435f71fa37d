"""Small text helpers shared by capabilities."""
import unicodedata
from datetime import UTC, datetime


def fold(text: str | None) -> str:
    """Lower-case and strip diacritics, so that "cesta" finds "Česta" on every database."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def utcnow() -> datetime:
    """Naive UTC, the form every timestamp is stored in (SQLite keeps no time zone)."""
    return datetime.now(UTC).replace(tzinfo=None)
