from council.auth.roles import Role
from tests.conftest import PASSWORD


def test_member_signs_in_and_sees_dashboard(client, people):
    response = client.login(people[Role.MEMBER].email)
    assert response.status_code == 302
    page = client.get("/")
    assert page.status_code == 200
    assert people[Role.MEMBER].name.encode() in page.data


def test_wrong_password_gives_the_same_message_as_unknown_email(client, people):
    wrong = client.login(people[Role.MEMBER].email, "not the password at all")
    unknown = client.login("nobody@example.org", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    message = b"The email or password is not right"
    assert message in wrong.data and message in unknown.data
