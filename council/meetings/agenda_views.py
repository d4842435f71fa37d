"""The agenda on the meeting page: items added, edited, deleted and reordered in place.

Every change is a plain form POST that redirects back to the meeting page (#agenda); with htmx
the same endpoints answer a request that targets #agenda with the re-rendered agenda alone.
Views: load the meeting (404) -> may this person see it, manage it (403) -> can the agenda
still change (409) -> call a rule of ``agenda`` -> render.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import contains_eager, joinedload
from wtforms import IntegerField, SelectField, StringField, TextAreaField, ValidationError
from wtforms.validators import StopValidation

from council import htmx
from council.auth.models import Person
from council.auth.roles import Permission
from council.core.forms import VersionField, max_length, no_control_characters, optional, required, strip
from council.extensions import db
from council.meetings import agenda, bp, permissions, services
from council.meetings.models import AgendaItem, AgendaTemplate, Conclusion, Meeting, MeetingStatus
from council.meetings.views import load_meeting

AGENDA_ID = "agenda"  # the element htmx swaps: <section id="agenda">
AGENDA_CHANGED = "agenda-changed"  # HX-Trigger for other parts of the page
MIN_MINUTES, MAX_MINUTES = 1, 600


# --- forms ------------------------------------------------------------------------------------

def _person_id(value) -> int:
    """The submitted presenter id; junk becomes -1, which no person has (so: "choose from the list")."""
    if value in (None, ""):
        return 0
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


class MinutesField(IntegerField):
    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = int(valuelist[0])
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a whole number of minutes, e.g. 15.")) from None


def _planned_minutes(form, field):
    if field.process_errors:
        raise StopValidation()  # the field already says it is not a number
    if field.data is None:
        raise StopValidation(_l("This field is required."))
    if not MIN_MINUTES <= field.data <= MAX_MINUTES:
        raise StopValidation(_l("Between %(min)d and %(max)d minutes.", min=MIN_MINUTES, max=MAX_MINUTES))


class AgendaItemForm(FlaskForm):
    title = StringField(_l("Title"), validators=[required(), max_length(300), no_control_characters],
                        filters=[strip])
    description = TextAreaField(_l("Description"), validators=[optional(), max_length(5000)], filters=[strip])
    presenter_id = SelectField(_l("Presenter"), coerce=_person_id, validate_choice=False)
    presenter_name = StringField(_l("… or a guest presenter's name"),
                                 validators=[optional(), max_length(200), no_control_characters],
                                 filters=[strip])
    planned_minutes = MinutesField(_l("Planned minutes"), default=15, validators=[_planned_minutes],
                                   render_kw={"min": MIN_MINUTES, "max": MAX_MINUTES, "inputmode": "numeric"})
    version = VersionField()

    def __init__(self, *args, item: AgendaItem | None = None, **kwargs):
        super().__init__(*args, prefix="item", **kwargs)
        self.presenter_id.choices = _presenter_choices(item)
        if item is None:
            del self.version

    def validate_presenter_id(self, field):
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose a person from the list."))

    def validate_presenter_name(self, field):
        if field.data and self.presenter_id.data:
            raise ValidationError(_l("Choose a member or type a guest's name, not both."))

    def data_for_agenda(self) -> dict:
        return {"title": self.title.data, "description": self.description.data or "",
                "presenter_id": self.presenter_id.data or None,
                "presenter_name": self.presenter_name.data or "",
                "planned_minutes": self.planned_minutes.data}


def _presenter_choices(item: AgendaItem | None) -> list[tuple[int, str]]:
    """Active people; an item's current presenter stays on the list even if no longer active."""
    condition = Person.active.is_(True)
    if item is not None and item.presenter_id:
        condition = sa.or_(condition, Person.id == item.presenter_id)
    rows = db.session.execute(sa.select(Person.id, Person.name).where(condition).order_by(Person.name)).all()
    return [(0, _("— a guest, or nobody —"))] + [(row.id, row.name) for row in rows]


class AgendaTemplateForm(FlaskForm):
    name = StringField(_l("Template name"), validators=[required(), max_length(200), no_control_characters],
                       filters=[strip])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="template", **kwargs)

    def validate_name(self, field):
        exists = db.session.scalar(
            sa.select(AgendaTemplate.id).where(sa.func.lower(AgendaTemplate.name) == field.data.lower()))
        if exists is not None:
            raise ValidationError(_l("A template with this name exists already. Choose another name."))


# --- what the agenda templates use ------------------------------------------------------------

@dataclass
class AgendaState:
    """What the agenda shows besides its items: a form that is open, a notice."""

    mode: str = "view"  # view | add | edit | delete
    item_id: int | None = None
    form: AgendaItemForm | None = None
    conflict: object | None = None
    template_form: AgendaTemplateForm | None = None
    notice: str | None = None  # why something was refused
    done: str | None = None    # what just changed (announced to screen readers)


def can_edit_agenda(person, meeting: Meeting) -> bool:
    """The rule for every change of the agenda: managers, while the meeting's state allows it."""
    return permissions.can_manage(person, meeting) and agenda.agenda_is_editable(meeting)


def previous_meeting(meeting: Meeting) -> Meeting | None:
    """The previous meeting of the same type with its items, their conclusions and who is
    responsible for them, in ONE query (cached for the request)."""
    cache = g.setdefault("agenda_previous_meeting", {})
    if meeting.id not in cache:
        previous_id = (
            sa.select(Meeting.id)
            .where(Meeting.type_id == meeting.type_id, Meeting.starts_at < meeting.starts_at,
                   Meeting.id != meeting.id, Meeting.status != MeetingStatus.CANCELLED.value)
            .order_by(Meeting.starts_at.desc()).limit(1).scalar_subquery()
        )
        query = (
            sa.select(Meeting).where(Meeting.id == previous_id)
            .outerjoin(Meeting.agenda_items).outerjoin(AgendaItem.conclusions)
            .options(contains_eager(Meeting.agenda_items).contains_eager(AgendaItem.conclusions).options(
                joinedload(Conclusion.responsible_people), joinedload(Conclusion.responsible_organisations)))
            .order_by(AgendaItem.position, Conclusion.position)
            .execution_options(populate_existing=True)
        )
        found = db.session.scalars(query).unique().all()  # all rows: they fill the collections
        cache[meeting.id] = found[0] if found else None
    return cache[meeting.id]


def previous_conclusions(meeting: Meeting) -> tuple[Meeting | None, list[Conclusion]]:
    previous = previous_meeting(meeting)
    if previous is None:
        return None, []
    return previous, [conclusion for item in previous.agenda_items for conclusion in item.conclusions]


def start_options(meeting: Meeting) -> SimpleNamespace:
    """Where a new agenda can come from: the previous meeting of the type, saved templates."""
    templates = db.session.execute(sa.select(AgendaTemplate.id, AgendaTemplate.name)
                                   .order_by(AgendaTemplate.name)).all()
    return SimpleNamespace(previous=previous_meeting(meeting), templates=templates)


def has_own_items(schedule) -> bool:
    return any(entry.item.standing is None for entry in schedule)


def missing_standing_items(schedule) -> bool:
    present = {entry.item.standing for entry in schedule}
    return any(code not in present for code in agenda.STANDING_ITEMS)


def agenda_ends_at(meeting: Meeting, schedule) -> datetime | None:
    if not schedule:
        return None
    last = schedule[-1]
    return last.starts_at + timedelta(minutes=last.item.planned_minutes or 0)


def overrun_minutes(meeting: Meeting, schedule) -> int:
    ends = agenda_ends_at(meeting, schedule)
    if ends is None or ends <= meeting.ends_at:
        return 0
    return int((ends - meeting.ends_at).total_seconds() // 60)


@bp.context_processor
def _agenda_helpers():
    return {
        "agenda_can_edit": lambda meeting: can_edit_agenda(current_user, meeting),
        "agenda_can_manage": lambda meeting: permissions.can_manage(current_user, meeting),
        "agenda_changed_count": lambda schedule: sum(entry.changed for entry in schedule),
        # The translated pattern, formatted per row as plain text (escaped when printed):
        # cheaper than a gettext call with a variable on every row.
        "agenda_minutes_pattern": lambda: str(PLANNED_MINUTES),
        "agenda_previous_conclusions": previous_conclusions,
        "agenda_start_options": start_options,
        "agenda_has_own_items": has_own_items,
        "agenda_missing_standing_items": missing_standing_items,
        "agenda_ends_at": agenda_ends_at,
        "agenda_overrun_minutes": overrun_minutes,
        "agenda_may_see_other_meetings": lambda: current_user.may(Permission.VIEW_MEETINGS),
    }


PLANNED_MINUTES = _l("%(n)d min")


# --- loading and answering --------------------------------------------------------------------

def _managed_meeting(meeting_id: int) -> Meeting:
    meeting = load_meeting(meeting_id)  # 404, then 403 for those who may not see it
    if not permissions.can_manage(current_user, meeting):
        abort(403)
    return meeting


def _item_of(meeting: Meeting, item_id: int) -> AgendaItem:
    for item in meeting.agenda_items:
        if item.id == item_id:
            return item
    abort(404)


def _reloaded(meeting_id: int) -> Meeting:
    """The meeting as the page shows it, after a change (everything eagerly, nothing stale)."""
    return services.load_meeting_page(meeting_id, fresh=True)


def _render(meeting: Meeting, state: AgendaState | None = None, status: int = 200):
    """The agenda alone for htmx, else a page of its own (used without JavaScript)."""
    context = {"meeting": meeting, "schedule": agenda.schedule(meeting), "permissions": permissions,
               "agenda_state": state or AgendaState()}
    template = "meetings/_agenda_section.html" if htmx.targets(AGENDA_ID) else "meetings/agenda_page.html"
    return render_template(template, **context), status


def _back_to_meeting(meeting_id: int):
    return redirect(url_for("meetings.meeting_detail", meeting_id=meeting_id, _anchor=AGENDA_ID))


def _changed(meeting_id: int, message: str, state: AgendaState | None = None):
    """After a change: htmx gets the fresh agenda (and a trigger for other parts of the page),
    a browser without JavaScript goes back to the meeting page."""
    if not htmx.targets(AGENDA_ID):
        flash(message, "success")
        return _back_to_meeting(meeting_id)
    state = state or AgendaState()
    state.done = message
    body, status = _render(_reloaded(meeting_id), state)
    return body, status, {"HX-Trigger": AGENDA_CHANGED}


def _refused(meeting: Meeting, message: str, status: int = 409):
    if not htmx.targets(AGENDA_ID):
        flash(message, "error")
        return _back_to_meeting(meeting.id)
    return _render(meeting, AgendaState(notice=message), status)


def _not_editable(meeting: Meeting):
    return _refused(meeting, _("The agenda of this meeting can no longer be changed."))


# --- the agenda and its items -----------------------------------------------------------------

@bp.get("/<int:meeting_id>/agenda")
def agenda_fragment(meeting_id: int):
    """The agenda as it is ("Cancel" of an open form); without htmx, the meeting page."""
    meeting = load_meeting(meeting_id)
    if not htmx.targets(AGENDA_ID):
        return _back_to_meeting(meeting.id)
    return _render(meeting)


@bp.route("/<int:meeting_id>/agenda/items", methods=["GET", "POST"])
def agenda_item_new(meeting_id: int):
    meeting = _managed_meeting(meeting_id)
    if not agenda.agenda_is_editable(meeting):
        return _not_editable(meeting)
    form = AgendaItemForm()
    if form.validate_on_submit():
        item = agenda.add_item(meeting, form.data_for_agenda())
        message = _("“%(title)s” is added as item %(n)d.", title=item.title, n=item.position)
        if not htmx.targets(AGENDA_ID):
            return _changed(meeting.id, message)
        # The form stays open for the next item.
        return _changed(meeting.id, message, AgendaState(mode="add", form=_fresh_form()))
    _focus_first_problem(form)
    status = 422 if request.method == "POST" else 200
    return _render(meeting, AgendaState(mode="add", form=form), status)


def _focus_first_problem(form) -> None:
    """Focus the first field with an error (keyboards and screen readers land on the message),
    or the title when the form is new."""
    field = next((f for f in form if f.errors and f.type not in ("CSRFTokenField", "HiddenField")), form.title)
    field.render_kw = {**(field.render_kw or {}), "autofocus": True}


def _fresh_form() -> AgendaItemForm:
    form = AgendaItemForm(formdata=None)
    form.title.render_kw = {"autofocus": True}
    return form


@bp.route("/<int:meeting_id>/agenda/<int:item_id>", methods=["GET", "POST"])
def agenda_item_edit(meeting_id: int, item_id: int):
    meeting = _managed_meeting(meeting_id)
    item = _item_of(meeting, item_id)
    if not agenda.agenda_is_editable(meeting):
        return _not_editable(meeting)
    form = AgendaItemForm(obj=item if request.method == "GET" else None, item=item)
    conflict = None
    if form.validate_on_submit():
        try:
            agenda.update_item(item, form.data_for_agenda(), form.version.data)
        except services.EditConflict as error:
            current = error.current
            if current is None:  # deleted by someone else meanwhile
                return _refused(_reloaded(meeting.id), _("Someone else deleted this item meanwhile."))
            conflict = SimpleNamespace(title=current.title, description=current.description,
                                       presenter=current.presenter_label,
                                       planned_minutes=current.planned_minutes, version=current.version)
            meeting = _reloaded(meeting.id)
        else:
            return _changed(meeting.id, _("The item is saved."))
    _focus_first_problem(form)
    status = 409 if conflict is not None else (422 if request.method == "POST" else 200)
    return _render(meeting, AgendaState(mode="edit", item_id=item_id, form=form, conflict=conflict), status)


@bp.route("/<int:meeting_id>/agenda/<int:item_id>/delete", methods=["GET", "POST"])
def agenda_item_delete(meeting_id: int, item_id: int):
    """GET asks "really?"; only the POST of that question deletes."""
    meeting = _managed_meeting(meeting_id)
    item = _item_of(meeting, item_id)
    if not agenda.agenda_is_editable(meeting):
        return _not_editable(meeting)
    if agenda.has_record(item):
        return _refused(meeting, _("This item has minutes or conclusions, so it stays on the agenda."))
    if request.method == "GET":
        return _render(meeting, AgendaState(mode="delete", item_id=item.id))
    title = item.title  # the POST carried the CSRF token (checked for every POST)
    agenda.delete_item(item)
    return _changed(meeting.id, _("“%(title)s” is deleted from the agenda.", title=title))


@bp.post("/<int:meeting_id>/agenda/<int:item_id>/move")
def agenda_item_move(meeting_id: int, item_id: int):
    meeting = _managed_meeting(meeting_id)
    item = _item_of(meeting, item_id)
    if not agenda.agenda_is_editable(meeting):
        return _not_editable(meeting)
    offset = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if offset is None:
        abort(400)
    agenda.move_item(item, offset)
    return _changed(meeting.id, _("“%(title)s” is item %(n)d now.", title=item.title, n=item.position))


@bp.post("/<int:meeting_id>/agenda/reorder")
def agenda_reorder(meeting_id: int):
    """The order after a drag and drop: every item id of the agenda, each once (else 400)."""
    meeting = _managed_meeting(meeting_id)
    if not agenda.agenda_is_editable(meeting):
        return _not_editable(meeting)
    try:
        ordered_ids = [int(value) for value in request.form.getlist("order")]
        agenda.reorder(meeting, ordered_ids)
    except ValueError:
        db.session.rollback()
        if not htmx.targets(AGENDA_ID):
            abort(400)
        # static/js/agenda.js swaps this answer in, so the list shows the real order again.
        return _render(_reloaded(meeting.id),
                       AgendaState(notice=_("The agenda changed in the meantime; this is its current order.")), 400)
    return _changed(meeting.id, _("The new order is saved."))


@bp.post("/<int:meeting_id>/agenda/publish")
def agenda_publish(meeting_id: int):
    meeting = _managed_meeting(meeting_id)
    if not agenda.agenda_is_editable(meeting):
        return _not_editable(meeting)
    if meeting.agenda_published_at is not None:
        return _refused(meeting, _("The agenda is published already; changes are marked as changed."))
    if not meeting.agenda_items:
        return _refused(meeting, _("Add at least one item before publishing the agenda."), 422)
    agenda.publish(meeting)
    return _changed(meeting.id, _("The agenda is published. Changes from now on are marked as changed."))


# --- starting an agenda -----------------------------------------------------------------------

@bp.post("/<int:meeting_id>/agenda/standing")
def agenda_standing_items(meeting_id: int):
    meeting = _managed_meeting(meeting_id)
    if not agenda.agenda_is_editable(meeting):
        return _not_editable(meeting)
    agenda.add_standing_items(meeting)
    return _changed(meeting.id, _("The standing items are at the top of the agenda."))


@bp.post("/<int:meeting_id>/agenda/copy-previous")
def agenda_copy_previous(meeting_id: int):
    meeting = _managed_meeting(meeting_id)
    if not agenda.agenda_is_editable(meeting):
        return _not_editable(meeting)
    source = agenda.previous_meeting_of_type(meeting)
    if source is None or not source.agenda_items:
        return _refused(meeting, _("There is no earlier meeting of this type with an agenda to copy."), 422)
    copied = agenda.copy_from_meeting(meeting, source)
    return _changed(meeting.id, _("%(n)d items are copied from the previous meeting.", n=copied))


@bp.post("/<int:meeting_id>/agenda/from-template")
def agenda_from_template(meeting_id: int):
    meeting = _managed_meeting(meeting_id)
    if not agenda.agenda_is_editable(meeting):
        return _not_editable(meeting)
    template_id = _person_id(request.form.get("template_id"))  # junk -> -1, found nowhere
    template = db.session.get(AgendaTemplate, template_id) if template_id > 0 else None
    if template is None:
        return _refused(meeting, _("Choose a template from the list."), 422)
    copied = agenda.copy_from_template(meeting, template)
    return _changed(meeting.id, _("%(n)d items are copied from the template.", n=copied))


@bp.route("/<int:meeting_id>/agenda/save-template", methods=["GET", "POST"])
def agenda_save_template(meeting_id: int):
    """Saving the agenda as a template changes no meeting: allowed whatever the meeting's state.
    GET opens the form under the agenda."""
    meeting = _managed_meeting(meeting_id)
    form = AgendaTemplateForm()
    if request.method == "GET":
        return _render(meeting, AgendaState(template_form=form))
    if not meeting.agenda_items:
        return _refused(meeting, _("Add at least one item before saving the agenda as a template."), 422)
    if form.validate_on_submit():
        try:
            agenda.save_as_template(meeting, form.name.data)
        except sa.exc.IntegrityError:  # the same name saved a moment ago by someone else
            db.session.rollback()
            form.name.errors = [_("A template with this name exists already. Choose another name.")]
        else:
            return _changed(meeting.id, _("The agenda is saved as the template “%(name)s”.", name=form.name.data))
        meeting = _reloaded(meeting.id)
    return _render(meeting, AgendaState(template_form=form), 422)
