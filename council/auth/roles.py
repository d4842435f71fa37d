"""Roles and what each may do: the single place where permissions are decided."""
from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Role(StrEnum):
    ADMIN = "admin"
    SECRETARY = "secretary"
    FACILITATOR = "facilitator"
    MEMBER = "member"
    GUEST = "guest"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.SECRETARY: _l("Secretary"),
    Role.FACILITATOR: _l("Facilitator"),
    Role.MEMBER: _l("Member"),
    Role.GUEST: _l("Guest"),
}


class Permission(StrEnum):
    VIEW_DASHBOARD = "view_dashboard"
    EDIT_OWN_PROFILE = "edit_own_profile"
    VIEW_DIRECTORY = "view_directory"
    EDIT_DIRECTORY = "edit_directory"
    MANAGE_PEOPLE = "manage_people"
    MANAGE_LISTS = "manage_lists"
    IMPORT_DIRECTORY = "import_directory"
    EXPORT_DIRECTORY = "export_directory"
    VIEW_AUDIT_LOG = "view_audit_log"
    GRANT_ADMIN = "grant_admin"
    VIEW_MEETINGS = "view_meetings"
    MANAGE_MEETINGS = "manage_meetings"
    APPROVE_MINUTES = "approve_minutes"
    MANAGE_SETTINGS = "manage_settings"


PERMISSION_LABELS = {
    Permission.VIEW_DASHBOARD: _l("See the dashboard and own profile"),
    Permission.EDIT_OWN_PROFILE: _l("Edit own contact details, language and password"),
    Permission.VIEW_DIRECTORY: _l("Browse members, organisations and services"),
    Permission.EDIT_DIRECTORY: _l("Create and edit organisations and their services"),
    Permission.MANAGE_PEOPLE: _l("Invite people, change roles, reset passwords, deactivate"),
    Permission.MANAGE_LISTS: _l("Manage the lists of sectors and localities"),
    Permission.IMPORT_DIRECTORY: _l("Import organisations and people from CSV"),
    Permission.EXPORT_DIRECTORY: _l("Export the directory as CSV"),
    Permission.VIEW_AUDIT_LOG: _l("Browse the audit log"),
    Permission.GRANT_ADMIN: _l("Make someone an administrator"),
    Permission.VIEW_MEETINGS: _l("See all meetings, agendas, minutes and the register of decisions"),
    Permission.MANAGE_MEETINGS: _l("Plan meetings, build agendas, invite, keep attendance"),
    Permission.APPROVE_MINUTES: _l("Approve reviewed minutes"),
    Permission.MANAGE_SETTINGS: _l("Change the council's settings"),
}

_EVERYONE = {Permission.VIEW_DASHBOARD, Permission.EDIT_OWN_PROFILE}
_MEMBERS = _EVERYONE | {Permission.VIEW_DIRECTORY, Permission.EXPORT_DIRECTORY, Permission.VIEW_MEETINGS}
_SECRETARIAT = _MEMBERS | {
    Permission.EDIT_DIRECTORY,
    Permission.MANAGE_PEOPLE,
    Permission.MANAGE_LISTS,
    Permission.IMPORT_DIRECTORY,
    Permission.VIEW_AUDIT_LOG,
    Permission.MANAGE_MEETINGS,
    Permission.APPROVE_MINUTES,
    Permission.MANAGE_SETTINGS,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.GUEST: frozenset(_EVERYONE),
    Role.MEMBER: frozenset(_MEMBERS),
    Role.FACILITATOR: frozenset(_MEMBERS),
    Role.SECRETARY: frozenset(_SECRETARIAT),
    Role.ADMIN: frozenset(_SECRETARIAT | {Permission.GRANT_ADMIN}),
}


def role_may(role: Role | str, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS.get(Role(role), frozenset())
