"""Configuration from environment variables, then an optional ``instance/config.py``."""
import os
from pathlib import Path


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "council.db")
    # Hosting panels hand out postgres:// URLs; SQLAlchemy wants an explicit driver.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    COUNCIL_ENV = os.environ.get("COUNCIL_ENV", "production")
    SECRET_KEY = os.environ.get("SECRET_KEY")
    COUNCIL_NAME = os.environ.get("COUNCIL_NAME", "Council")
    COUNCIL_HTTPS = _flag("COUNCIL_HTTPS")
    COUNCIL_PROXY_FIX = _flag("COUNCIL_PROXY_FIX")
    COUNCIL_DEFAULT_LOCALE = os.environ.get("COUNCIL_DEFAULT_LOCALE", "cs")
    COUNCIL_TIMEZONE = os.environ.get("COUNCIL_TIMEZONE", "Europe/Prague")
    MAX_CONTENT_LENGTH = int(os.environ.get("COUNCIL_UPLOAD_LIMIT_MB", "20")) * 1024 * 1024
    SESSION_IDLE_MINUTES = int(os.environ.get("COUNCIL_SESSION_IDLE_MINUTES", "120"))
    SESSION_LIFETIME_HOURS = int(os.environ.get("COUNCIL_SESSION_LIFETIME_HOURS", "12"))
    LOGIN_ATTEMPT_LIMIT = 10
    LOGIN_ATTEMPT_WINDOW_MINUTES = 15
    SET_PASSWORD_LINK_DAYS = 7
    SQLITE_BUSY_TIMEOUT_MS = 30000
    SQLALCHEMY_DATABASE_URI: str | None = None  # filled in by create_app
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    WTF_CSRF_SSL_STRICT = True
    LANGUAGES = ("en", "cs", "uk")


class TestConfig(Config):
    COUNCIL_ENV = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    COUNCIL_NAME = "Test Council"
    COUNCIL_DEFAULT_LOCALE = "en"
