"""Printable documents (agenda, minutes, attendance list) as PDF, and iCalendar files."""
import secrets
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, render_template
from icalendar import Calendar, Event

from council.auth.models import Person
from council.core.text import utcnow
from council.extensions import db
from council.meetings import agenda
from council.meetings.models import Invitation, Meeting, MeetingStatus

PRINT_CSS = Path(__file__).resolve().parent.parent.parent / "static" / "css" / "document.css"
DOCUMENTS = ("agenda", "minutes", "attendance")


def _refuse_fetch(url, *args, **kwargs):
    # Documents are self-contained: nothing that people typed can make the renderer fetch a URL.
    raise ValueError(f"documents do not load external resources: {url}")


def render_html(document: str, meeting: Meeting, *, for_pdf: bool) -> str:
    from council.meetings.minutes import signature

    return render_template(f"meetings/print/{document}.html", meeting=meeting, for_pdf=for_pdf,
                           schedule=agenda.schedule(meeting), document=document, signature_of=signature)


def render_pdf(document: str, meeting: Meeting) -> bytes:
    from weasyprint import CSS, HTML

    html = render_html(document, meeting, for_pdf=True)
    return HTML(string=html, url_fetcher=_refuse_fetch).write_pdf(
        stylesheets=[CSS(filename=str(PRINT_CSS))]
    )


def pdf_filename(document: str, meeting: Meeting) -> str:
    return f"{document}-{meeting.starts_at:%Y-%m-%d}-{meeting.id}.pdf"


# --- iCalendar --------------------------------------------------------------------------------

def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC)


def _event(meeting: Meeting, url: str, host: str) -> Event:
    event = Event()
    event.add("uid", f"meeting-{meeting.id}@{host}")
    event.add("dtstamp", _aware(utcnow()))
    event.add("dtstart", _aware(meeting.starts_at))
    event.add("dtend", _aware(meeting.ends_at))
    event.add("summary", meeting.title)
    if meeting.place:
        event.add("location", meeting.place)
    lines = [f"{entry.number}. {entry.item.title}" for entry in agenda.schedule(meeting)]
    event.add("description", "\n".join(lines + ["", url]).strip())
    event.add("url", url)
    event.add("sequence", meeting.version)
    event.add("status", "CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED")
    return event


def calendar(meetings, url_for_meeting, host: str, name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Council//Meetings//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for meeting in meetings:
        cal.add_component(_event(meeting, url_for_meeting(meeting), host))
    return cal.to_ical()


def meetings_of(person: Person) -> list[Meeting]:
    """The meetings a person's calendar feed shows: those they are invited to."""
    from sqlalchemy.orm import selectinload

    return list(db.session.scalars(
        sa.select(Meeting)
        .where(Meeting.id.in_(sa.select(Invitation.meeting_id).where(Invitation.person_id == person.id)))
        .options(selectinload(Meeting.agenda_items))
        .order_by(Meeting.starts_at)
    ))


def new_calendar_token(person: Person) -> str:
    person.calendar_token = secrets.token_urlsafe(24)
    db.session.commit()
    return person.calendar_token


def revoke_calendar_token(person: Person) -> None:
    person.calendar_token = None
    db.session.commit()


def person_by_calendar_token(token: str) -> Person | None:
    if not token or len(token) > 64:
        return None
    person = db.session.scalar(sa.select(Person).where(Person.calendar_token == token))
    return person if person is not None and person.active else None


def council_host() -> str:
    return current_app.config.get("SERVER_NAME") or "council.local"
