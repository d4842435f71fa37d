"""The permission table of README.md, row by row, against council/auth/roles.py."""
import pytest

from council.auth.roles import ROLE_PERMISSIONS, Permission, Role, role_may

P = Permission
EVERYONE = {P.VIEW_DASHBOARD, P.EDIT_OWN_PROFILE}
# Guests see only the meetings they are invited to, so not VIEW_MEETINGS.
MEMBERS = EVERYONE | {P.VIEW_DIRECTORY, P.EXPORT_DIRECTORY, P.VIEW_MEETINGS}
SECRETARIAT = MEMBERS | {P.EDIT_DIRECTORY, P.MANAGE_PEOPLE, P.MANAGE_LISTS, P.IMPORT_DIRECTORY,
                         P.VIEW_AUDIT_LOG, P.MANAGE_MEETINGS, P.APPROVE_MINUTES, P.MANAGE_SETTINGS}

# Written out, not derived from the code: what the README promises each role may do.
README_TABLE = {
    Role.GUEST: EVERYONE,
    Role.MEMBER: MEMBERS,
    Role.FACILITATOR: MEMBERS,
    Role.SECRETARY: SECRETARIAT,
    Role.ADMIN: SECRETARIAT | {P.GRANT_ADMIN},
}


@pytest.mark.parametrize("permission", list(Permission), ids=str)
@pytest.mark.parametrize("role", list(Role), ids=str)
def test_role_may_exactly_what_the_readme_table_says(role, permission):
    expected = permission in README_TABLE[role]
    assert role_may(role, permission) is expected
    assert role_may(role.value, permission) is expected
    assert (permission in ROLE_PERMISSIONS[role]) is expected


def test_every_role_is_in_the_table():
    assert set(ROLE_PERMISSIONS) == set(Role)


def test_a_deactivated_person_may_nothing(app_context):
    from council.auth.models import Person

    person = Person(name="Former", email="former@example.org", role=Role.ADMIN.value, active=False)
    assert not any(person.may(permission) for permission in Permission)


def test_an_unknown_role_is_refused_rather_than_guessed():
    with pytest.raises(ValueError):
        role_may("superuser", Permission.VIEW_DASHBOARD)
