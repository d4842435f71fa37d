"""Times are stored as naive UTC and entered and shown in the council's time zone."""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def council_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["COUNCIL_TIMEZONE"])


def local_to_utc(local: datetime) -> datetime:
    """A wall-clock time in the council's zone -> naive UTC for storage."""
    aware = local.replace(tzinfo=council_zone()) if local.tzinfo is None else local
    return aware.astimezone(UTC).replace(tzinfo=None)


def utc_to_local(stored: datetime) -> datetime:
    """Naive UTC from the database -> naive wall-clock time in the council's zone."""
    return stored.replace(tzinfo=UTC).astimezone(council_zone()).replace(tzinfo=None)
