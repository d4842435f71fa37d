"""Attendance statistics: present per meeting over time, and which organisations and sectors
came in a year compared with the year before, as tables and server-drawn SVG charts."""
import re
from datetime import datetime

import pytest
import sqlalchemy as sa

from council.auth.roles import Role
from council.extensions import db
from council.meetings import charts, invitations
from council.meetings.models import Attendance, Invitation, MeetingStatus
from tests.conftest import create_organisation, create_person
from tests.helpers import text_of
from tests.meetings.factories import create_meeting


def held(title, starts, present=(), absent=(), walk_ins=(), type_code="round_table"):
    """A held meeting with ``present`` people marked present (and ``absent`` marked absent)."""
    meeting = create_meeting(title, starts=starts, type_code=type_code, invite=[*present, *absent])
    for invitation in db.session.scalars(sa.select(Invitation).where(Invitation.meeting_id == meeting.id)):
        is_present = invitation.person_id in {p.id for p in present}
        invitation.attendance = (Attendance.PRESENT if is_present else Attendance.ABSENT).value
    for name, organisation in walk_ins:
        db.session.add(Invitation(meeting_id=meeting.id, walk_in_name=name, walk_in_organisation=organisation,
                                  attendance=Attendance.PRESENT.value))
    meeting.status = MeetingStatus.HELD.value
    db.session.commit()
    return meeting


@pytest.fixture
def two_years(people):
    """2025: two round tables; 2026: three, one of them with a walk-in, and twice as many people."""
    kc = create_organisation("Kontaktní centrum", "KC", "addiction_services")
    tp = create_organisation("Terénní program", "TP", "addiction_services")
    police = create_organisation("Městská policie", "MP", "police")
    school = create_organisation("Základní škola", "ZŠ", "school_prevention")
    ana = create_person("ana@kc.org", name="Ana", organisation=kc, password=None)
    bob = create_person("bob@kc.org", name="Bob", organisation=kc, password=None)
    cyril = create_person("cyril@tp.org", name="Cyril", organisation=tp, password=None)
    eva = create_person("eva@mp.org", name="Eva", organisation=police, password=None)
    ivo = create_person("ivo@zs.org", name="Ivo", organisation=school, password=None)
    held("Jaro 2025", datetime(2025, 3, 20, 9), present=[ana, eva], absent=[cyril])
    held("Podzim 2025", datetime(2025, 10, 16, 9), present=[ana, cyril])
    held("Jaro 2026", datetime(2026, 3, 19, 9), present=[ana, bob, cyril, eva])
    held("Léto 2026", datetime(2026, 6, 18, 9), present=[ana, ivo], walk_ins=[("Jana", "Charita")])
    held("Podzim 2026", datetime(2026, 10, 15, 9), present=[bob, cyril, eva], absent=[ivo])
    # Not counted: a planned meeting and a cancelled one with people marked present.
    create_meeting("Plán 2026", starts=datetime(2026, 12, 10, 9), invite=[ana])
    cancelled = held("Zrušeno 2026", datetime(2026, 11, 12, 9), present=[ana, bob])
    cancelled.status = MeetingStatus.CANCELLED.value
    db.session.commit()
    return {"kc": kc, "tp": tp, "police": police, "school": school}


def test_statistics_compare_a_year_with_the_one_before(two_years):
    stats = invitations.statistics(2026)
    assert (stats.previous, stats.year) == (2025, 2026)
    assert [(m.title, m.present) for m in stats.meetings] == [
        ("Jaro 2025", 2), ("Podzim 2025", 2), ("Jaro 2026", 4), ("Léto 2026", 3), ("Podzim 2026", 3)]
    assert stats.summary[2025] == {"meetings": 2, "attendances": 4, "people": 3, "organisations": 3}
    assert stats.summary[2026] == {"meetings": 3, "attendances": 10, "people": 6, "organisations": 5}

    organisations = {o.label: o for o in stats.organisations}
    kc = organisations["Kontaktní centrum"]
    assert kc.sector == "Addiction services"
    assert (kc.meetings, kc.attendances) == ({2025: 2, 2026: 3}, {2025: 2, 2026: 4})
    assert organisations["Základní škola"].attendances == {2026: 1}
    assert organisations["Charita"].sector == "Not in the directory"
    assert stats.organisations[0].label == "Kontaktní centrum"  # the most present this year first

    sectors = {s.label: s for s in stats.sectors}
    addiction = sectors["Addiction services"]
    assert addiction.organisations == {2025: 2, 2026: 2}
    assert addiction.meetings == {2025: 2, 2026: 3}
    assert addiction.attendances == {2025: 3, 2026: 6}
    assert sectors["Police"].attendances == {2025: 1, 2026: 2}

    assert [(y.year, y.meetings, y.attendances) for y in stats.years] == [(2026, 3, 10), (2025, 2, 4)]


def test_statistics_can_be_narrowed_to_one_type_of_meeting(two_years):
    held("Plenární 2026", datetime(2026, 5, 7, 9), type_code="plenary",
         walk_ins=[("Host", "Úřad vlády")])
    round_table = db.session.scalar(sa.text("SELECT id FROM meeting_type WHERE code = 'round_table'"))
    assert invitations.statistics(2026).summary[2026]["meetings"] == 4
    assert invitations.statistics(2026, round_table).summary[2026]["meetings"] == 3


def test_member_sees_the_statistics_page_with_tables_and_charts(two_years, signed_in):
    response = signed_in(Role.MEMBER).get("/meetings/statistics?year=2026")
    assert response.status_code == 200
    page = text_of(response)
    summary = re.search(r'<table class="table statistics-summary">(.*?)</table>', page, re.S).group(1)
    row = re.search(r"Meetings held</th><td>(\d+)</td><td>(\d+)</td>", summary)
    assert row.groups() == ("2", "3")
    row = re.search(r"People present, all meetings together</th><td>(\d+)</td><td>(\d+)</td><td>([^<]+)</td>", summary)
    assert row.groups() == ("4", "10", "+6 (+150%)")
    assert "Kontaktní centrum" in page and "Charita" in page and "Addiction services" in page

    charts_on_page = re.findall(r"<svg .*?</svg>", page, re.S)
    assert len(charts_on_page) == 2
    for svg in charts_on_page:
        assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
        assert "style=" not in svg and "<script" not in svg
    meetings_chart = charts_on_page[0]
    assert meetings_chart.count("<rect ") == 5 + 2  # five meetings and the two legend keys
    assert "Jaro 2026: 4 present" in meetings_chart
    assert "<script" not in page.split("<main", 1)[1]


def test_guest_cannot_see_the_statistics(signed_in, people):
    assert signed_in(Role.GUEST).get("/meetings/statistics").status_code == 403


@pytest.mark.parametrize("query", ["", "?year=abc", "?year=-5", "?year=99999", "?type=x&year=2026", "?type=424242",
                                   "?type=99999999999999999999999", "?year=99999999999999999999999"])
def test_odd_filters_still_show_a_page(two_years, signed_in, query):
    response = signed_in(Role.SECRETARY).get(f"/meetings/statistics{query}")
    assert response.status_code == 200
    assert "Attendance statistics" in text_of(response)


def test_without_held_meetings_the_page_says_so(signed_in, people):
    page = text_of(signed_in(Role.MEMBER).get("/meetings/statistics?year=2026"))
    assert "No meeting was held in 2025 or 2026." in page
    assert "<svg" not in page


def test_chart_labels_are_escaped_and_scaled_to_round_numbers():
    svg = charts.column_chart([charts.Column("<b>1. 3.</b>", 7, 1, 'Kulatý "stůl" & <script>')],
                              chart_id="c", title="T <x>", description="D", series_names=["2025", "2026"])
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "&lt;b&gt;" in svg
    assert charts.nice_ticks(7) == [0, 2, 4, 6, 8]
    assert charts.nice_ticks(0) == [0, 1]
    assert charts.nice_ticks(43) == [0, 10, 20, 30, 40, 50]
