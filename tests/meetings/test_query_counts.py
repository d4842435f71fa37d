"""The meeting pages send a fixed, small number of SQL statements however large a meeting grows.

Each request is counted on its own, signed in as a person would be, after a warm-up request
(templates compiled, the session's once-a-minute "last seen" write done) and with nothing left
in the test's own database session, so that a lazy load in a template would show as extra
statements on the larger meeting.
"""
import re
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from council.auth.models import AuthSession, Person
from council.auth.roles import Role
from council.core.text import utcnow
from council.core.timezones import local_to_utc
from council.extensions import db
from council.meetings.models import (
    AgendaItem,
    Attachment,
    Attendance,
    Conclusion,
    Invitation,
    InvitationResponse,
    Meeting,
    MeetingStatus,
    MeetingType,
    Minutes,
    MinutesAmendment,
    MinutesReview,
    MinutesStatus,
    ReviewState,
)
from tests.conftest import count_queries, create_organisation

MEETING_PAGE_LIMIT = 8
HTMX = {"HX-Request": "true"}

# --- building meetings ------------------------------------------------------------------------

MINUTES_TEXT = (
    "Koordinátorka shrnula vývoj od minulého jednání. **Terénní program** hlásí nárůst kontaktů "
    "o 12 %, hlavně v lokalitě Nádražní čtvrť.\n\n- policie upozornila na nové místo setkávání\n"
    "- kontaktní centrum nabízí testování na HCV každé úterý\n\nDiskuse se vedla o sdílení dat."
)


def round_table() -> MeetingType:
    return db.session.scalar(sa.select(MeetingType).where(MeetingType.code == "round_table"))


def directory(label: str, people: int) -> tuple[list, list[Person]]:
    """A few organisations and ``people`` members spread over them (no passwords: fast)."""
    organisations = [create_organisation(f"Organizace {label}-{n}", f"O{label}{n}", sector_code=code)
                     for n, code in enumerate(("social_services", "police", "health_care"))]
    members = [Person(name=f"Osoba {label} {n:02d}", email=f"osoba-{label}-{n}@example.org",
                      role=Role.MEMBER.value, organisation=organisations[n % len(organisations)])
               for n in range(people)]
    db.session.add_all(members)
    db.session.commit()
    return organisations, members


def build_meeting(label: str, *, items: int, invitees: int, guest: Person, starts: datetime,
                  status: MeetingStatus = MeetingStatus.MINUTES_APPROVED) -> int:
    """A meeting of ``items`` agenda items and ``invitees`` invitees (plus the guest and a
    walk-in) with everything the meeting page can show: presenters, standing items, approved
    minutes with reviews and amendments, conclusions and decisions with responsible people and
    organisations, attachments. Every kind of record is there whatever the size, so that the two
    sizes differ only in how many there are."""
    organisations, members = directory(label, max(invitees, 4))
    start = local_to_utc(starts)
    meeting = Meeting(title=f"Kulatý stůl {label}", type=round_table(), starts_at=start,
                      ends_at=start + timedelta(hours=3), place="Radnice", description="Jednání **rady**.",
                      chair=members[0], recorder=members[1], facilitator=members[2], status=status.value,
                      agenda_published_at=start - timedelta(days=7))
    db.session.add(meeting)
    standing = [("previous_minutes", "Schválení zápisu"), ("previous_conclusions", "Kontrola závěrů")]
    for position in range(1, items + 1):
        code, title = standing[position - 1] if position <= len(standing) else (None, f"Bod {position}")
        item = AgendaItem(position=position, title=title, standing=code, planned_minutes=5,
                          description="Podklady v **příloze**.", minutes_text=MINUTES_TEXT,
                          presenter=members[position % len(members)] if position % 3 else None,
                          presenter_name="" if position % 3 else "Host z kraje",
                          updated_at=start - timedelta(days=10))
        for number in range(2):
            item.conclusions.append(Conclusion(
                position=number, text=f"Rada ukládá úkol {position}.{number}.",
                due_date=date(2027, 3, 31), is_decision=number == 0,
                votes_for=9 if number == 0 else None, votes_against=0 if number == 0 else None,
                votes_abstained=1 if number == 0 else None,
                responsible_people=[members[(position + number) % len(members)]],
                responsible_organisations=[organisations[number % len(organisations)]],
            ))
        meeting.agenda_items.append(item)
    for number, person in enumerate(members[:invitees]):
        meeting.invitations.append(Invitation(
            person=person, organisation_id=person.organisation_id,
            response=(InvitationResponse.ATTENDING if number % 4 else InvitationResponse.EXCUSED).value,
            attendance=(Attendance.PRESENT if number % 4 else Attendance.EXCUSED).value))
    meeting.invitations.append(Invitation(person=guest, attendance=Attendance.PRESENT.value,
                                          walk_in_organisation="Sdružení rodičů"))
    meeting.invitations.append(Invitation(walk_in_name="Jana Příchozí", walk_in_organisation="Charita",
                                          attendance=Attendance.PRESENT.value))
    if status in (MeetingStatus.MINUTES_IN_REVIEW, MeetingStatus.MINUTES_APPROVED):
        approved = status == MeetingStatus.MINUTES_APPROVED
        record = Minutes(meeting=meeting, general_notes="Různé: *nic dalšího*.",
                         next_meeting_note="v zasedací místnosti", next_meeting_date=date(2027, 2, 4),
                         status=(MinutesStatus.APPROVED if approved else MinutesStatus.IN_REVIEW).value,
                         recorded_by=members[1], recorded_at=start + timedelta(days=1),
                         approved_by=members[0] if approved else None,
                         approved_at=start + timedelta(days=5) if approved else None)
        for reviewer in members[2:4]:
            record.reviews.append(MinutesReview(
                reviewer=reviewer, round=1,
                state=(ReviewState.APPROVED if approved else ReviewState.PENDING).value,
                decided_at=start + timedelta(days=3) if approved else None))
        db.session.add(record)
        db.session.flush()
        if approved:
            year = starts.year
            highest = db.session.scalar(sa.select(sa.func.max(Conclusion.decision_number))
                                        .where(Conclusion.decision_year == year)) or 0
            for conclusion in (c for item in meeting.agenda_items for c in item.conclusions if c.is_decision):
                highest += 1
                conclusion.decision_year, conclusion.decision_number = year, highest
            for item in meeting.agenda_items[2:4]:
                db.session.add(MinutesAmendment(minutes=record, agenda_item=item, original_text=item.minutes_text,
                                                amended_text="Opraveno: nárůst o 21 %.", reason="Překlep",
                                                author_id=members[0].id))
            db.session.add(MinutesAmendment(minutes=record, original_text=record.general_notes,
                                            amended_text="Různé: termín příštího jednání.",
                                            reason="Doplnění", author_id=members[0].id))
    db.session.flush()
    for number, item in enumerate([None, *meeting.agenda_items[2:4]]):
        db.session.add(Attachment(meeting=meeting, agenda_item=item, filename=f"podklad-{number}.pdf",
                                  stored_name=f"{label}-{number}-{start:%Y%m%d}", content_type="application/pdf",
                                  size=120_000, uploaded_by=members[number]))
    db.session.commit()
    return meeting.id


def statements(client, path: str, headers: dict | None = None, *, method: str = "GET",
               data: dict | None = None, warm: bool = True) -> tuple[list[str], object]:
    """The statements one request sends, asked for as by a fresh request."""
    if warm:
        client.get(path if method == "GET" else "/", headers=headers if method == "GET" else None)
    # The session was seen just now: the counted request does not refresh its "last seen" time.
    db.session.execute(sa.update(AuthSession).values(last_seen_at=utcnow()))
    # Committing ends the test's own transaction (the request has a session of its own).
    db.session.commit()
    with count_queries() as sent:
        if method == "GET":
            response = client.get(path, headers=headers)
        else:
            response = client.post(path, data=data, headers=headers)
    db.session.rollback()  # see what the request committed
    return sent, response


def explain(sent: list[str]) -> str:
    return "\n\n".join(f"[{n}] {statement}" for n, statement in enumerate(sent, start=1))


# --- the meeting page -------------------------------------------------------------------------

VIEWERS = (Role.SECRETARY, Role.MEMBER, Role.GUEST)


def _minutes_shown(status: MeetingStatus) -> tuple[str, ...]:
    if status == MeetingStatus.MINUTES_APPROVED:
        return ("Bod 30", "Opraveno: nárůst o 21 %.", "Rada ukládá úkol 30.1.")
    if status == MeetingStatus.MINUTES_IN_REVIEW:
        return ("Bod 30", "Rada ukládá úkol 30.1.")
    return ()


# The meeting's three pages (tabs) and what the large meeting's page must show.
MEETING_TABS = {
    "": lambda status: ("Bod 30", "podklad-2.pdf", "62 invited"),
    "/attendance": lambda status: ("Jana Příchozí", "Osoba velké 59"),
    "/minutes": _minutes_shown,
}


@pytest.mark.parametrize("status", [MeetingStatus.MINUTES_APPROVED, MeetingStatus.MINUTES_IN_REVIEW,
                                    MeetingStatus.INVITED])
def test_meeting_pages_send_at_most_8_statements_whatever_their_size(signed_in, people, status):
    guest = people[Role.GUEST]
    # An earlier meeting of the same type: the standing item "review of the conclusions" shows its conclusions.
    build_meeting("dříve", items=3, invitees=3, guest=guest, starts=datetime(2026, 9, 10, 9, 0))
    small = build_meeting("malé", items=3, invitees=3, guest=guest, starts=datetime(2026, 11, 12, 9, 0),
                          status=status)
    large = build_meeting("velké", items=30, invitees=60, guest=guest, starts=datetime(2026, 11, 19, 9, 0),
                          status=status)
    for role in VIEWERS:
        client = signed_in(role)
        for page, shows in MEETING_TABS.items():
            counts = {}
            for label, meeting_id in (("small", small), ("large", large)):
                sent, response = statements(client, f"/meetings/{meeting_id}{page}")
                assert response.status_code == 200, (role, page, label, response.status_code)
                text = response.get_data(as_text=True)
                assert "Kulatý stůl" in text
                if label == "large":
                    for expected in shows(status):
                        assert expected in text, (role, page, expected)
                assert len(sent) <= MEETING_PAGE_LIMIT, (
                    f"{role.value} on the {label} meeting's page {page!r} ({status.value}): {len(sent)} "
                    f"statements, at most {MEETING_PAGE_LIMIT}:\n\n{explain(sent)}")
                if page == "":
                    # The overview loads what it shows in its own statements: no lazy load of a
                    # person's name or of the minutes' reviews slips in (they look like these).
                    lazy = [statement for statement in sent
                            if re.search(r"WHERE (person\.id = \?|\? = \w+\.\w+)\s*$", statement.strip())]
                    assert not lazy, f"{role.value} ({status.value}):\n\n{explain(lazy)}"
                counts[label] = sent
            assert len(counts["small"]) == len(counts["large"]), (
                f"{role.value} on {page!r} ({status.value}): {len(counts['small'])} statements for the "
                f"small meeting, {len(counts['large'])} for the large one.\n\n"
                f"small:\n{explain(counts['small'])}\n\nlarge:\n{explain(counts['large'])}")


def test_an_empty_new_meeting_page_also_stays_within_8_statements(signed_in, people):
    start = local_to_utc(datetime(2026, 12, 3, 9, 0))
    meeting = Meeting(title="Nové jednání", type=round_table(), starts_at=start,
                      ends_at=start + timedelta(hours=2), status=MeetingStatus.PLANNED.value)
    db.session.add(meeting)
    db.session.commit()
    for role in (Role.SECRETARY, Role.MEMBER):
        sent, response = statements(signed_in(role), f"/meetings/{meeting.id}")
        assert response.status_code == 200
        assert len(sent) <= MEETING_PAGE_LIMIT, f"{role.value}: {len(sent)} statements\n\n{explain(sent)}"


# --- attendance -------------------------------------------------------------------------------

def meeting_today(label: str, invitees: int, guest: Person) -> tuple[int, int]:
    """A meeting under way today with ``invitees`` invitees; returns it and its first invitation."""
    now = datetime.now().replace(second=0, microsecond=0)
    meeting_id = build_meeting(label, items=3, invitees=invitees, guest=guest, starts=now,
                               status=MeetingStatus.INVITED)
    first = db.session.scalar(sa.select(Invitation.id).where(Invitation.meeting_id == meeting_id)
                              .order_by(Invitation.id))
    return meeting_id, first


def test_attendance_fragment_and_toggle_send_the_same_statements_for_5_and_50_invitees(signed_in, people):
    client = signed_in(Role.SECRETARY)
    fragment_counts, toggle_counts = [], []
    for size in (5, 50):
        meeting_id, invitation_id = meeting_today(f"dnes{size}", size, people[Role.GUEST])
        sent, fragment = statements(client, f"/meetings/{meeting_id}/attendance",
                                    {**HTMX, "HX-Target": "attendance-list"})
        assert fragment.status_code == 200
        text = fragment.get_data(as_text=True)
        assert "<html" not in text and text.count('<tr id="attendance-row-') == size + 2
        fragment_counts.append(sent)

        token = client.csrf_token(f"/meetings/{meeting_id}/attendance")
        for value in ("absent", "present"):  # the second toggle is the one counted: a real change
            sent, toggle = statements(
                client, f"/meetings/{meeting_id}/attendance/{invitation_id}",
                {**HTMX, "HX-Target": f"attendance-row-{invitation_id}", "X-CSRFToken": token},
                method="POST", data={"attendance": value, "csrf_token": token}, warm=False)
            assert toggle.status_code == 200, toggle.get_data(as_text=True)
        assert toggle.headers.get("HX-Trigger") == "attendance-changed"
        body = toggle.get_data(as_text=True)
        assert body.startswith(f'<tr id="attendance-row-{invitation_id}"') and "<html" not in body
        assert len(toggle.data) < 2048, f"the toggle answered {len(toggle.data)} bytes"
        assert db.session.get(Invitation, invitation_id).attendance == Attendance.PRESENT
        toggle_counts.append(sent)
    assert len(fragment_counts[0]) == len(fragment_counts[1]), (
        f"attendance fragment: {len(fragment_counts[0])} vs {len(fragment_counts[1])}\n\n"
        f"{explain(fragment_counts[1])}")
    assert len(toggle_counts[0]) == len(toggle_counts[1]), (
        f"attendance toggle: {len(toggle_counts[0])} vs {len(toggle_counts[1])}\n\n{explain(toggle_counts[1])}")


# --- the list of meetings and the register of decisions --------------------------------------

def many_meetings(first: int, count: int, guest: Person) -> None:
    """``count`` meetings spread over two years, the guest invited to each, some with decisions."""
    for number in range(first, first + count):
        starts = datetime(2025, 1, 8, 9, 0) + timedelta(days=17 * number)
        build_meeting(f"m{number}", items=3, invitees=4, guest=guest, starts=starts,
                      status=MeetingStatus.MINUTES_APPROVED if number % 2 else MeetingStatus.INVITED)


@pytest.mark.parametrize("role", VIEWERS)
def test_meetings_list_sends_the_same_statements_for_3_and_40_meetings(signed_in, people, role):
    client = signed_in(role)
    counts = []
    for first, count in ((0, 3), (3, 37)):
        many_meetings(first, count, people[Role.GUEST])
        for path, headers in (("/meetings/", None),
                              ("/meetings/?year=2025", {**HTMX, "HX-Target": "meeting-results"})):
            sent, response = statements(client, path, headers)
            assert response.status_code == 200, (path, response.status_code)
            counts.append((path, sent))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 40
    small, large = counts[:2], counts[2:]
    for (path, few), (_path, many) in zip(small, large, strict=True):
        assert len(few) == len(many), f"{role.value} {path}: {len(few)} vs {len(many)}\n\n{explain(many)}"


@pytest.mark.parametrize("role", [Role.SECRETARY, Role.MEMBER])
def test_register_of_decisions_sends_the_same_statements_for_few_and_many_decisions(signed_in, people, role):
    client = signed_in(role)
    counts = []
    for first, count in ((0, 2), (2, 20)):
        many_meetings(first, count, people[Role.GUEST])
        for path, headers in (("/meetings/decisions", None),
                              ("/meetings/decisions?year=2025", {**HTMX, "HX-Target": "decision-results"})):
            sent, response = statements(client, path, headers)
            assert response.status_code == 200, (path, response.status_code)
            assert "Rada ukládá úkol" in response.get_data(as_text=True)
            counts.append((path, sent))
    small, large = counts[:2], counts[2:]
    for (path, few), (_path, many) in zip(small, large, strict=True):
        assert len(few) == len(many), f"{role.value} {path}: {len(few)} vs {len(many)}\n\n{explain(many)}"
