from tests.auth.support import rows  # noqa: F401 - a fixture for every test here
