import dataclasses

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload
from wtforms.fields import SelectChoice

from council import htmx
from council.auth.forms import ConfirmForm, EditPersonForm
from council.auth.models import Person
from council.auth.roles import Permission, Role
from council.directory import bp, services
from council.directory.forms import ListEntryForm, OrganisationForm, ServiceForm
from council.directory.models import Locality, Organisation, Sector, Service
from council.directory.search import DirectoryFilter, filter_options, find_people, organisation_cards
from council.extensions import db
from council.security import requires


def _form_status() -> int:
    return 422 if request.method == "POST" else 200


def _directory_filter() -> DirectoryFilter:
    """The filters of the query string; archived entries only for those who keep the directory."""
    filters = DirectoryFilter.from_args(request.args)
    if filters.show_inactive and not current_user.may(Permission.EDIT_DIRECTORY):
        filters = dataclasses.replace(filters, show_inactive=False)
    return filters


# --- organisations ------------------------------------------------------------------------

@bp.get("/organisations")
@requires(Permission.VIEW_DIRECTORY)
def organisations():
    filters = _directory_filter()
    rows, has_more = organisation_cards(filters, db.session)
    context = {"organisations": rows, "has_more": has_more, "filters": filters}
    if htmx.targets("organisation-results"):
        return render_template("directory/_organisation_results.html", **context)
    sectors, localities = filter_options(db.session)
    return render_template("directory/organisations.html", sectors=sectors,
                           localities=localities, **context)


@bp.get("/organisations/<int:organisation_id>")
@requires(Permission.VIEW_DIRECTORY)
def organisation_detail(organisation_id: int):
    organisation = db.one_or_404(
        sa.select(Organisation).where(Organisation.id == organisation_id).options(
            joinedload(Organisation.sector), selectinload(Organisation.localities),
            selectinload(Organisation.services), selectinload(Organisation.people),
        )
    )
    return render_template("directory/organisation.html", organisation=organisation,
                           confirm_form=ConfirmForm())


def _organisation_form_response(form, organisation, conflict=None):
    status = 409 if conflict is not None else _form_status()
    template = "directory/_organisation_form.html" if htmx.targets("organisation-form") \
        else "directory/organisation_form.html"
    return render_template(template, form=form, organisation=organisation,
                           conflict=conflict), status


def _save_organisation(form, organisation):
    data = {name: field.data for name, field in form._fields.items()}
    try:
        saved = services.save_organisation(organisation, data, data.get("version"))
    except services.EditConflict as error:
        return None, error.current
    except services.DuplicateName:
        form.name.errors.append(_("An organisation with this name is already in the directory."))
        return None, None
    return saved, None


@bp.route("/organisations/new", methods=["GET", "POST"])
@requires(Permission.EDIT_DIRECTORY)
def organisation_new():
    form = OrganisationForm()
    if form.validate_on_submit():
        saved, _conflict = _save_organisation(form, None)
        if saved is not None:
            flash(_("The organisation is saved. Add its services below."), "success")
            return htmx.redirect(url_for("directory.organisation_detail", organisation_id=saved.id))
    return _organisation_form_response(form, None)


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@requires(Permission.EDIT_DIRECTORY)
def organisation_edit(organisation_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    form = OrganisationForm(obj=organisation if request.method == "GET" else None,
                            organisation=organisation)
    if request.method == "GET":
        form.locality_ids.data = [loc.id for loc in organisation.localities]
    conflict = None
    if form.validate_on_submit():
        saved, conflict = _save_organisation(form, organisation)
        if saved is not None:
            flash(_("The organisation is saved."), "success")
            return htmx.redirect(url_for("directory.organisation_detail", organisation_id=saved.id))
    return _organisation_form_response(form, organisation, conflict)


@bp.post("/organisations/<int:organisation_id>/active")
@requires(Permission.EDIT_DIRECTORY)
def organisation_active(organisation_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    services.set_organisation_active(organisation, active)
    flash(_("The organisation is back in the directory.") if active
          else _("The organisation is archived; its history stays."), "success")
    return redirect(url_for("directory.organisation_detail", organisation_id=organisation.id))


# --- services -------------------------------------------------------------------------------

def _service_form_page(form, organisation, service, conflict=None):
    status = 409 if conflict is not None else _form_status()
    return render_template("directory/service_form.html", form=form, organisation=organisation,
                           service=service, conflict=conflict), status


def _save_service(form, organisation, service):
    data = {name: field.data for name, field in form._fields.items()}
    try:
        services.save_service(service, organisation, data, data.get("version"))
    except services.EditConflict as error:
        return _service_form_page(form, organisation, service, error.current)
    flash(_("The service is saved."), "success")
    return redirect(url_for("directory.organisation_detail", organisation_id=organisation.id) + "#services")


@bp.route("/organisations/<int:organisation_id>/services/new", methods=["GET", "POST"])
@requires(Permission.EDIT_DIRECTORY)
def service_new(organisation_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    form = ServiceForm()
    if form.validate_on_submit():
        return _save_service(form, organisation, None)
    return _service_form_page(form, organisation, None)


@bp.route("/services/<int:service_id>/edit", methods=["GET", "POST"])
@requires(Permission.EDIT_DIRECTORY)
def service_edit(service_id: int):
    service = db.get_or_404(Service, service_id)
    form = ServiceForm(obj=service if request.method == "GET" else None, service=service)
    if form.validate_on_submit():
        return _save_service(form, service.organisation, service)
    return _service_form_page(form, service.organisation, service)


@bp.post("/services/<int:service_id>/delete")
@requires(Permission.EDIT_DIRECTORY)
def service_delete(service_id: int):
    service = db.get_or_404(Service, service_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    organisation_id = service.organisation_id
    services.delete_service(service)
    flash(_("The service is removed."), "success")
    return redirect(url_for("directory.organisation_detail", organisation_id=organisation_id) + "#services")


# --- people ---------------------------------------------------------------------------------

@bp.get("/people")
@requires(Permission.VIEW_DIRECTORY)
def people():
    filters = _directory_filter()
    rows, has_more = find_people(filters, db.session)
    context = {"people": rows, "has_more": has_more, "filters": filters}
    if htmx.targets("people-results"):
        return render_template("directory/_people_results.html", **context)
    sectors, localities = filter_options(db.session)
    return render_template("directory/people.html", sectors=sectors, localities=localities,
                           **context)


@bp.get("/people/<int:person_id>")
def person_detail(person_id: int):
    person = db.one_or_404(
        sa.select(Person).where(Person.id == person_id)
        .options(joinedload(Person.organisation).joinedload(Organisation.sector))
    )
    if not (current_user.may(Permission.VIEW_DIRECTORY) or person.id == current_user.id):
        abort(403)
    return render_template("directory/person.html", person=person, confirm_form=ConfirmForm())


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@requires(Permission.MANAGE_PEOPLE)
def person_edit(person_id: int):
    person = db.get_or_404(Person, person_id)
    if person.role == Role.ADMIN and not current_user.may(Permission.GRANT_ADMIN):
        abort(403)  # an administrator's record, sign-in email included, is changed by an administrator
    form = EditPersonForm(obj=person if request.method == "GET" else None, person=person,
                          may_grant_admin=current_user.may(Permission.GRANT_ADMIN))
    organisation = person.organisation
    if organisation is not None and not organisation.active:
        # Archived organisations are not offered to anyone else, but their own people keep
        # them: otherwise their record could not be saved without moving them.
        form.organisation_id.choices.append(SelectChoice(organisation.id, organisation.name))
    if request.method == "GET":
        form.organisation_id.data = person.organisation_id or 0
    conflict = None
    if form.validate_on_submit():
        data = {name: field.data for name, field in form._fields.items()}
        try:
            services.save_person(person, data, form.version.data)
        except services.EditConflict as error:
            conflict = error.current
        except services.DuplicateName:
            form.email.errors.append(_("Someone with this email is already in the directory."))
        else:
            flash(_("The person's record is saved."), "success")
            return htmx.redirect(url_for("directory.person_detail", person_id=person.id))
    status = 409 if conflict is not None else _form_status()
    template = "directory/_person_form.html" if htmx.targets("person-form") \
        else "directory/person_form.html"
    return render_template(template, form=form, person=person, conflict=conflict), status


# --- the managed lists: sectors and localities --------------------------------------------

LIST_MODELS = {"sectors": Sector, "localities": Locality}


@bp.route("/lists", methods=["GET", "POST"])
@requires(Permission.MANAGE_LISTS)
def lists():
    kind = request.form.get("kind") if request.method == "POST" else None
    forms = {name: ListEntryForm(prefix=name, model=model) for name, model in LIST_MODELS.items()}
    status = 200
    if kind in forms:
        form = forms[kind]
        if form.validate_on_submit():
            try:
                services.add_list_entry(LIST_MODELS[kind], form.name.data)
            except services.DuplicateName:
                form.name.errors.append(_("This name is already on the list."))
            else:
                flash(_("Added to the list."), "success")
                return redirect(url_for("directory.lists"))
        status = 422
    elif request.method == "POST":
        abort(400)
    sectors = db.session.scalars(sa.select(Sector).order_by(Sector.position, Sector.name)).all()
    localities = db.session.scalars(sa.select(Locality).order_by(Locality.name)).all()
    return render_template("directory/lists.html", forms=forms, sectors=sectors,
                           localities=localities, confirm_form=ConfirmForm()), status


@bp.post("/lists/<kind>/<int:entry_id>/active")
@requires(Permission.MANAGE_LISTS)
def list_entry_active(kind: str, entry_id: int):
    model = LIST_MODELS.get(kind)
    if model is None:
        abort(404)
    entry = db.get_or_404(model, entry_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.set_list_entry_active(entry, request.form.get("active") == "1")
    return redirect(url_for("directory.lists"))
