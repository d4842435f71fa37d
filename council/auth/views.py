from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from council.auth import bp, services
from council.auth.forms import (
    ChangePasswordForm,
    ConfirmForm,
    ContactDetailsForm,
    LoginForm,
    PersonForm,
    SetPasswordForm,
)
from council.auth.models import Person
from council.auth.roles import Permission, Role
from council.core.urls import safe_local_path
from council.extensions import db
from council.security import public, requires


def _duplicate_email() -> str:
    """The words of the form's own check, for a clash it could not see coming."""
    return _("Someone with this email is already in the directory.")


def _client_ip() -> str:
    return request.remote_addr or ""


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.dashboard"))
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        # Checked before the password, so that the right password does not get through either.
        if services.is_throttled(form.email.data, _client_ip()):
            abort(429)
        result = services.authenticate(
            form.email.data, form.password.data, _client_ip(),
            request.headers.get("User-Agent", ""),
        )
        if result.person is not None:
            locale = session.get("locale")  # a language chosen on the sign-in page stays
            session.clear()  # a fresh session: nothing from before signing in carries over
            if locale:
                session["locale"] = locale
            session.permanent = True
            session["sid"] = result.session_token
            login_user(result.person)
            return redirect(safe_local_path(request.args.get("next"), url_for("core.dashboard")))
        failed = True
    status = 200 if request.method == "GET" else (401 if failed else 422)
    return render_template("auth/login.html", form=form, failed=failed), status


@bp.post("/logout")
def logout():
    services.end_session(session.get("sid"))
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@public
def set_password(token: str):
    link = services.find_usable_link(token)
    if link is None:
        return render_template("auth/link_invalid.html"), 404
    form = SetPasswordForm()
    form.person = link.person
    if form.validate_on_submit():
        services.use_link(link, form.password.data)
        # Whoever was signed in on this browser is signed out, on the server too.
        services.end_session(session.get("sid"))
        logout_user()
        session.clear()
        flash(_("Your password is set. Sign in with your email and the new password."), "success")
        return redirect(url_for("auth.login"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/set_password.html", form=form, person=link.person), status


@bp.route("/profile", methods=["GET", "POST"])
@requires(Permission.EDIT_OWN_PROFILE)
def profile():
    person = current_user._get_current_object()
    form = ContactDetailsForm(obj=person if request.method == "GET" else None)
    form.person = person
    if request.method == "GET":
        form.locale.data = person.locale or ""
    conflict = None
    if form.validate_on_submit():
        if form.version.data != person.version:
            conflict = person
        else:
            for field in ("name", "email", "phone", "function"):
                setattr(person, field, getattr(form, field).data)
            person.email = services.normalise_email(person.email)
            person.locale = form.locale.data or None
            person.refresh_search_text()
            try:
                db.session.commit()
            except StaleDataError:
                db.session.rollback()
                conflict = db.session.get(Person, person.id)
            except IntegrityError:  # someone took the email between the check and the save
                db.session.rollback()
                form.email.errors.append(_duplicate_email())
            else:
                if person.locale:
                    session["locale"] = person.locale
                flash(_("Your contact details are saved."), "success")
                return redirect(url_for("auth.profile"))
    status = 422 if request.method == "POST" else 200
    if conflict is not None:
        status = 409
    return render_template("auth/profile.html", form=form, person=person,
                           conflict=conflict), status


@bp.route("/profile/password", methods=["GET", "POST"])
@requires(Permission.EDIT_OWN_PROFILE)
def change_password():
    person = current_user._get_current_object()
    form = ChangePasswordForm()
    form.person = person
    if form.validate_on_submit():
        services.change_password(person, form.password.data, session.get("sid"))
        flash(_("Your password is changed. Other browsers where you were signed in are signed out."), "success")
        return redirect(url_for("auth.profile"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/change_password.html", form=form), status


# --- the secretary's side: invitations, links, deactivation -----------------------------

@bp.route("/people/invite", methods=["GET", "POST"])
@requires(Permission.MANAGE_PEOPLE)
def invite():
    form = PersonForm(may_grant_admin=current_user.may(Permission.GRANT_ADMIN))
    if request.method == "GET":
        form.role.data = Role.MEMBER.value
        form.organisation_id.data = request.args.get("organisation", 0, type=int)
    if form.validate_on_submit():
        try:
            person, token = services.invite(
                name=form.name.data, email=form.email.data,
                organisation_id=form.organisation_id.data or None, role=Role(form.role.data),
                function=form.function.data or "", phone=form.phone.data or "",
                created_by=current_user,
            )
        except IntegrityError:  # someone took the email between the check and the save
            db.session.rollback()
            form.email.errors.append(_duplicate_email())
            return render_template("auth/invite.html", form=form), 422
        return render_template("auth/link_created.html", person=person,
                               link=url_for("auth.set_password", token=token, _external=True),
                               invited=True)
    status = 422 if request.method == "POST" else 200
    return render_template("auth/invite.html", form=form), status


def _load_person(person_id: int) -> Person:
    return db.get_or_404(Person, person_id)


@bp.post("/people/<int:person_id>/password-link")
@requires(Permission.MANAGE_PEOPLE)
def reset_link(person_id: int):
    person = _load_person(person_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not person.active:
        flash(_("Reactivate this person first."), "error")
        return redirect(url_for("directory.person_detail", person_id=person.id))
    if person.role == Role.ADMIN and not current_user.may(Permission.GRANT_ADMIN):
        abort(403)
    token = services.create_set_password_link(person, current_user)
    db.session.commit()
    return render_template("auth/link_created.html", person=person,
                           link=url_for("auth.set_password", token=token, _external=True),
                           invited=False)


@bp.post("/people/<int:person_id>/active")
@requires(Permission.MANAGE_PEOPLE)
def set_active(person_id: int):
    person = _load_person(person_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    activate = request.form.get("active") == "1"
    if person.id == current_user.id and not activate:
        flash(_("You cannot deactivate yourself."), "error")
    elif person.role == Role.ADMIN and not current_user.may(Permission.GRANT_ADMIN):
        abort(403)
    else:
        services.set_active(person, activate)
        if activate:
            flash(_("%(name)s can sign in again.", name=person.name), "success")
        else:
            flash(_("%(name)s is deactivated and signed out everywhere. Their history stays.", name=person.name), "success")
    return redirect(url_for("directory.person_detail", person_id=person.id))
