"""Review and approval as in real minutes: the recorder drafts, named reviewers approve or
return with comments, the secretary approves, and then nothing changes except by amendment."""
from babel.dates import format_date

from council.auth.roles import Role
from council.core.text import utcnow
from council.core.timezones import utc_to_local
from council.meetings import conclusions, minutes
from council.meetings.models import Meeting, MeetingStatus
from tests.conftest import CouncilClient, create_person
from tests.meetings.test_minutes import (  # noqa: F401 (fixture)
    field_error,
    fresh_request_globals,
    item_ids,
    item_text,
    meeting_with_minutes,
    minutes_of,
    save_item,
    text_of,
    textarea,
)


def today() -> str:
    return format_date(utc_to_local(utcnow()).date(), "long", locale="en")


def signed_in_as(app, person):
    """A client signed in as someone who is not one of the ``people`` fixture's roles."""
    app.test_client_class = CouncilClient
    client = app.test_client()
    assert client.login(person.email).status_code == 302
    return client


def approved_meeting(people, **kwargs) -> Meeting:
    """A meeting whose minutes the member recorded, the facilitator reviewed and the secretary approved."""
    meeting = meeting_with_minutes(people[Role.MEMBER], **kwargs)
    first = meeting.agenda_items[0]
    minutes.save_item_minutes(first, "Původní zápis bodu.", first.version)
    conclusions.add_conclusion(first, {"text": "Rada schvaluje plán.", "is_decision": True})
    record = meeting.minutes
    minutes.send_for_review(record, [people[Role.FACILITATOR]], people[Role.MEMBER])
    minutes.approve_review(record, people[Role.FACILITATOR])
    minutes.approve(record, people[Role.SECRETARY])
    return meeting


def test_minutes_go_from_draft_through_review_and_return_to_approval_and_are_locked(app, signed_in, people):
    meeting = meeting_with_minutes(people[Role.MEMBER], items=("Úvod", "Sdílený terén"))
    first, _second = item_ids(meeting.id)
    meeting_id = meeting.id
    second_reviewer = create_person("reviewer@example.org", name="Reviewer")
    recorder = signed_in(Role.MEMBER)
    assert save_item(recorder, meeting_id, first, "První verze zápisu.", 1).status_code == 302
    recorder.submit(f"/meetings/{meeting_id}/minutes/items/{first}/conclusions/new",
                    {"text": "Rada schvaluje plán sdíleného terénu.", "is_decision": "y", "due_kind": "by"})

    # Sending needs at least one reviewer.
    nobody = recorder.submit(f"/meetings/{meeting_id}/minutes/send", {})
    assert nobody.status_code == 422
    assert field_error(nobody, "reviewers") == "Name at least one reviewer."
    unknown = recorder.submit(f"/meetings/{meeting_id}/minutes/send", {"reviewers": ["987654"]})
    assert unknown.status_code == 422
    assert field_error(unknown, "reviewers") == "Choose reviewers from the list."
    reviewers = [str(people[Role.FACILITATOR].id), str(second_reviewer.id)]
    sent = recorder.submit(f"/meetings/{meeting_id}/minutes/send", {"reviewers": reviewers})
    assert sent.status_code == 302
    assert minutes_of(meeting_id).status == "in_review"
    assert minutes_of(meeting_id).meeting.status == MeetingStatus.MINUTES_IN_REVIEW

    # In review the draft cannot be changed, not even by its recorder.
    frozen = save_item(recorder, meeting_id, first, "Změna během revize", 2)
    assert frozen.status_code == 403
    assert "with the reviewers" in text_of(frozen)
    assert item_text(first) == "První verze zápisu."

    # Each reviewer sees it waiting: on the dashboard, on the meeting page and with the minutes.
    facilitator = signed_in(Role.FACILITATOR)
    dashboard = text_of(facilitator.get("/"))
    assert "Minutes waiting for your review" in dashboard and meeting.title in dashboard
    assert "Read and review the minutes" in text_of(facilitator.get(f"/meetings/{meeting_id}"))
    assert "Approve the minutes" in text_of(facilitator.get(f"/meetings/{meeting_id}/minutes"))

    # A return needs a comment; with one, the draft goes back to the recorder.
    empty = facilitator.submit(f"/meetings/{meeting_id}/minutes/review/return", {"comment": "  "})
    assert empty.status_code == 422
    assert "This field is required." in text_of(empty)
    returned = facilitator.submit(f"/meetings/{meeting_id}/minutes/review/return",
                                  {"comment": "Doplňte prosím jméno zástupce MMO."})
    assert returned.status_code == 302
    assert minutes_of(meeting_id).status == "draft"
    writing = text_of(recorder.get(f"/meetings/{meeting_id}/minutes"))
    assert "A reviewer returned the draft with comments" in writing
    assert "Doplňte prosím jméno zástupce MMO." in writing
    assert "Save this item" in writing
    # The other reviewer's request was withdrawn with the return.
    assert "Approve the minutes" not in text_of(signed_in_as(app, second_reviewer).get(f"/meetings/{meeting_id}/minutes"))

    assert save_item(recorder, meeting_id, first, "Opravená verze zápisu (Pan Vozárik, MMO).", 2).status_code == 302
    assert recorder.submit(f"/meetings/{meeting_id}/minutes/send", {"reviewers": reviewers}).status_code == 302

    # The secretary cannot approve before every reviewer has.
    secretary = signed_in(Role.SECRETARY)
    early = secretary.submit(f"/meetings/{meeting_id}/minutes/approve")
    assert early.status_code == 403
    assert "once every reviewer has approved" in text_of(early)

    assert facilitator.submit(f"/meetings/{meeting_id}/minutes/review/approve").status_code == 302
    assert minutes_of(meeting_id).status == "in_review"
    second = signed_in_as(app, second_reviewer)
    assert second.submit(f"/meetings/{meeting_id}/minutes/review/approve").status_code == 302
    assert minutes_of(meeting_id).status == "reviewed"

    # A member cannot approve; the secretary can, and that locks the minutes.
    assert recorder.submit(f"/meetings/{meeting_id}/minutes/approve").status_code == 403
    assert minutes_of(meeting_id).status == "reviewed"
    assert "Read and approve the minutes" in text_of(secretary.get(f"/meetings/{meeting_id}"))
    assert "Approve and lock the minutes" in text_of(secretary.get(f"/meetings/{meeting_id}/minutes"))
    assert secretary.submit(f"/meetings/{meeting_id}/minutes/approve").status_code == 302
    record = minutes_of(meeting_id)
    assert record.status == "approved" and record.locked
    assert record.meeting.status == MeetingStatus.MINUTES_APPROVED

    signature = (f"Recorded by Member on {today()}; reviewed by Facilitator on {today()} and Reviewer on "
                 f"{today()}; approved by Secretary on {today()}.")
    page = text_of(recorder.get(f"/meetings/{meeting_id}"))
    assert "Approved and locked" in page and signature in page
    assert "Continue writing the minutes" not in page and "Read the minutes" in page
    minutes_page = text_of(recorder.get(f"/meetings/{meeting_id}/minutes"))
    assert f"Decision 1/{utc_to_local(meeting.starts_at).year}" in minutes_page and signature in minutes_page
    assert "Save this item" not in minutes_page and "Add a conclusion" not in minutes_page
    assert "Send for review" not in minutes_page


def test_locked_minutes_refuse_every_edit_with_a_clear_message(app, signed_in, people):
    meeting = approved_meeting(people)
    meeting_id = meeting.id
    first, _second = item_ids(meeting_id)
    (conclusion,) = meeting.agenda_items[0].conclusions
    conclusion_id, version = conclusion.id, conclusion.version
    base = f"/meetings/{meeting_id}/minutes"
    for role in (Role.MEMBER, Role.SECRETARY):
        client = signed_in(role)
        attempts = [
            save_item(client, meeting_id, first, "Tichá změna", 5),
            client.submit(f"{base}/general", {"general_notes": "Tichá změna", "version": "9"}),
            client.get(f"{base}/items/{first}/conclusions/new"),
            client.submit(f"{base}/items/{first}/conclusions/new", {"text": "Nový závěr", "due_kind": "by"}),
            client.submit(f"{base}/conclusions/{conclusion_id}/edit",
                          {"text": "Tichá změna", "due_kind": "by", "version": str(version)}),
            client.submit(f"{base}/conclusions/{conclusion_id}/delete"),
            client.submit(f"{base}/send", {"reviewers": str(people[Role.FACILITATOR].id)}),
        ]
        for response in attempts:
            assert response.status_code == 403, response.request.path
            assert "approved and locked" in text_of(response)
        htmx = save_item(client, meeting_id, first, "Tichá změna", 5,
                         headers={"HX-Request": "true", "HX-Target": f"minutes-item-{first}-minutes"})
        assert htmx.status_code == 403
        assert htmx.headers["HX-Redirect"] == base
    record = minutes_of(meeting_id)
    assert item_text(first) == "Původní zápis bodu."
    assert record.general_notes == ""
    assert [c.text for c in record.meeting.agenda_items[0].conclusions] == ["Rada schvaluje plán."]


def test_member_cannot_approve_minutes(app, signed_in, people):
    meeting = meeting_with_minutes(people[Role.MEMBER])
    record = meeting.minutes
    minutes.send_for_review(record, [people[Role.FACILITATOR]], people[Role.MEMBER])
    minutes.approve_review(record, people[Role.FACILITATOR])
    meeting_id = meeting.id
    member = signed_in(Role.MEMBER)
    assert "Approve and lock the minutes" not in text_of(member.get(f"/meetings/{meeting_id}/minutes"))
    assert member.submit(f"/meetings/{meeting_id}/minutes/approve").status_code == 403
    assert minutes_of(meeting_id).status == "reviewed"


def test_only_named_reviewers_can_approve_or_return_a_review(app, signed_in, people):
    meeting = meeting_with_minutes(people[Role.MEMBER])
    minutes.send_for_review(meeting.minutes, [people[Role.FACILITATOR]], people[Role.MEMBER])
    meeting_id = meeting.id
    for role in (Role.MEMBER, Role.SECRETARY):
        client = signed_in(role)
        assert client.submit(f"/meetings/{meeting_id}/minutes/review/approve").status_code == 403
        assert client.submit(f"/meetings/{meeting_id}/minutes/review/return",
                             {"comment": "Nejsem recenzent"}).status_code == 403
    assert "Your review" not in text_of(signed_in(Role.MEMBER).get(f"/meetings/{meeting_id}/minutes"))
    reviewer = signed_in(Role.FACILITATOR)
    assert reviewer.submit(f"/meetings/{meeting_id}/minutes/review/approve").status_code == 302
    again = reviewer.submit(f"/meetings/{meeting_id}/minutes/review/approve")
    assert again.status_code == 403 and "no longer open" in text_of(again)
    assert minutes_of(meeting_id).status == "reviewed"


def test_an_amendment_is_shown_beside_the_original_text(app, signed_in, people):
    meeting = approved_meeting(people)
    meeting_id = meeting.id
    first, _second = item_ids(meeting_id)
    secretary = signed_in(Role.SECRETARY)
    url = f"/meetings/{meeting_id}/minutes/items/{first}/amend"
    form = secretary.get(url)
    assert form.status_code == 200
    assert textarea(form, "amended_text") == "Původní zápis bodu."
    no_reason = secretary.submit(url, {"amended_text": "Opravený zápis bodu.", "reason": ""})
    assert no_reason.status_code == 422
    assert field_error(no_reason, "reason") == "This field is required."
    assert textarea(no_reason, "amended_text") == "Opravený zápis bodu."
    assert secretary.submit(url, {"amended_text": "Opravený zápis bodu.",
                                  "reason": "Chybné jméno organizace."}).status_code == 302

    assert item_text(first) == "Původní zápis bodu."  # never a silent edit
    page = text_of(signed_in(Role.MEMBER).get(f"/meetings/{meeting_id}/minutes"))
    assert "Original text (as approved)" in page
    assert page.index("Původní zápis bodu.") < page.index("Opravený zápis bodu.")
    assert "Reason: Chybné jméno organizace." in page
    assert f"Amendment of {today()}" in page

    general = f"/meetings/{meeting_id}/minutes/amend"
    assert secretary.submit(general, {"amended_text": "Doplněná poznámka.", "reason": "Chyběla."}).status_code == 302
    amendments = minutes_of(meeting_id).amendments
    assert [(a.agenda_item_id, a.amended_text) for a in amendments] == [
        (first, "Opravený zápis bodu."), (None, "Doplněná poznámka.")]


def test_only_the_secretary_amends_and_only_approved_minutes(app, signed_in, people):
    locked = approved_meeting(people)
    draft = meeting_with_minutes(people[Role.MEMBER], items=["Jiný bod"])
    locked_id, draft_id = locked.id, draft.id
    member = signed_in(Role.MEMBER)
    assert member.get(f"/meetings/{locked_id}/minutes/amend").status_code == 403
    assert member.submit(f"/meetings/{locked_id}/minutes/amend",
                         {"amended_text": "x", "reason": "y"}).status_code == 403
    secretary = signed_in(Role.SECRETARY)
    refused = secretary.submit(f"/meetings/{draft_id}/minutes/amend", {"amended_text": "x", "reason": "y"})
    assert refused.status_code == 403
    assert "Only approved minutes are amended" in text_of(refused)
    assert minutes_of(locked_id).amendments == [] and minutes_of(draft_id).amendments == []


def test_signature_names_recorder_reviewers_and_approver_with_dates(app_context, people):
    from council.meetings.minutes_views import minutes_signature

    meeting = meeting_with_minutes(people[Role.MEMBER])
    record = meeting.minutes
    assert minutes_signature(record) == "Recorded by Member."
    second = create_person("reviewer@example.org", name="Jana Nováková")
    minutes.send_for_review(record, [people[Role.FACILITATOR], second], people[Role.MEMBER])
    assert minutes_signature(record) == f"Recorded by Member on {today()}."
    minutes.approve_review(record, people[Role.FACILITATOR])
    minutes.approve_review(record, second)
    minutes.approve(record, people[Role.SECRETARY])
    assert minutes_signature(record) == (
        f"Recorded by Member on {today()}; reviewed by Facilitator on {today()} and Jana Nováková on {today()}; "
        f"approved by Secretary on {today()}.")
