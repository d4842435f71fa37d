"""Browser tests: the real app on a local port, driven by Debian's Chromium through Playwright.

Chromium is a system package that pip cannot install, so a machine without it skips these tests
and says so at the end of the run; CI sets COUNCIL_REQUIRE_BROWSER=1 so that a missing Chromium
fails instead. COUNCIL_CHROMIUM points at another Chromium binary.

Every page any browser test opens is watched: a console error, an uncaught JavaScript error, a
Content-Security-Policy violation, a dialog or a server error fails the test.
"""
import os
import re
import shutil
import threading
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from council.extensions import db
from tests.conftest import PASSWORD

try:
    # The tests import ``expect`` from here, so that without Playwright they are still collected
    # and then skipped (or failed) with a message that says what to install.
    from playwright.sync_api import expect
except ImportError:
    expect = None

MISSING_CHROMIUM = (
    "Chromium not found: browser tests skipped. Install it with: apt-get install chromium chromium-driver"
)
MISSING_PLAYWRIGHT = (
    "Playwright not installed: browser tests skipped. Install it with: .venv/bin/pip install -r requirements-dev.txt"
)
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 800}

_skip_notice = pytest.StashKey[str]()
_cannot_run = pytest.StashKey[str]()


def chromium_path() -> str | None:
    configured = os.environ.get("COUNCIL_CHROMIUM")
    candidates = [configured] if configured else [DEFAULT_CHROMIUM, shutil.which("chromium")]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def _why_browser_tests_cannot_run() -> str | None:
    if chromium_path() is None:
        return MISSING_CHROMIUM
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return MISSING_PLAYWRIGHT
    return None


def pytest_runtest_setup(item):
    if item.get_closest_marker("browser") is None:
        return
    reason = _why_browser_tests_cannot_run()
    if reason is None:
        return
    if os.environ.get("COUNCIL_REQUIRE_BROWSER") == "1":
        # Fails in the call phase (pytest_runtest_call below): a FAILED test, not a setup error.
        item.stash[_cannot_run] = reason
        return
    item.config.stash[_skip_notice] = reason
    pytest.skip(reason)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    notice = config.stash.get(_skip_notice, None)
    if notice:
        terminalreporter.section("browser tests", sep="=", yellow=True, bold=True)
        terminalreporter.write_line(notice, yellow=True, bold=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    reason = item.stash.get(_cannot_run, None)
    if reason is not None:
        pytest.fail(f"{reason} (COUNCIL_REQUIRE_BROWSER=1 is set, so this is a failure, not a skip.)",
                    pytrace=False)
    # After the test's own assertions pass, the page watch gets its say, as part of the test
    # (a failure here is the test failing, not an error in a fixture's teardown).
    result = yield
    browser = item.funcargs.get("open_browser")
    if browser is not None:
        browser.assert_nothing_went_wrong()
    return result


# --- the app on a real port -----------------------------------------------------------------

class _QuietRequestHandler(WSGIRequestHandler):
    def log_request(self, code="-", size="-"):
        pass  # the browser's requests are the test's business, not the test output's


@pytest.fixture(scope="session")
def live_server(app):
    """The test app served on 127.0.0.1 at a free port, in a background thread: its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="council-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def seed(app):
    """Runs a function that writes test data in an app context of its own and ends its session.

    Outside a request every SQLite transaction of this app takes the write lock, so a session
    left open here would block the live server; return plain values (ids, emails), not rows.
    """

    def run(function, *args, **kwargs):
        with app.app_context():
            try:
                return function(*args, **kwargs)
            finally:
                db.session.remove()

    return run


# --- Chromium -------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def chromium():
    if _why_browser_tests_cannot_run() is not None:
        yield None  # only with COUNCIL_REQUIRE_BROWSER=1: the test fails before it runs
        return
    from playwright.sync_api import sync_playwright

    driver = sync_playwright().start()
    try:
        browser = driver.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        driver.stop()


# Runs in every document before its own scripts (through DevTools, so the CSP does not apply to
# it): a violation the browser might not log still reaches the console as an error.
_REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("Content Security Policy violation: " + event.violatedDirective + " blocked " +
                (event.blockedURI || "inline code") + " in " + event.sourceFile + ":" + event.lineNumber);
}, true);
"""


class BrowserWatch:
    """Opens fresh browsers (contexts: own cookies, own storage) and notes whatever goes wrong
    in their pages."""

    def __init__(self, browser, base_url: str):
        self._browser = browser
        self.base_url = base_url
        self._contexts = []
        self._pages = []
        self._expected_statuses: set[int] = set()
        self.problems: list[str] = []

    def __call__(self, **context_options):
        """A page in a new, empty browser context: like a person opening their own browser."""
        options = {"viewport": VIEWPORT, "locale": "en-GB", "base_url": self.base_url, **context_options}
        context = self._browser.new_context(**options)
        self._contexts.append(context)
        context.set_default_timeout(10_000)
        if options.get("java_script_enabled", True):
            context.add_init_script(script=_REPORT_CSP_VIOLATIONS)
        page = context.new_page()
        self._watch(page)
        context.on("page", self._watch)
        return page

    def expect_http_error(self, status: int) -> None:
        """The test provokes this HTTP status on purpose: Chromium's "Failed to load resource"
        console line for it is not a problem (anything else still is)."""
        self._expected_statuses.add(status)

    def _watch(self, page) -> None:
        if page in self._pages:
            return
        self._pages.append(page)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught error: {error}"))
        page.on("dialog", self._on_dialog)
        page.on("response", self._on_response)

    def _on_console(self, message) -> None:
        text = message.text
        if message.type != "error" and "Content Security Policy" not in text and "Refused to" not in text:
            return
        if any(f"the server responded with a status of {status} " in text for status in self._expected_statuses):
            return
        if urlsplit(message.location.get("url", "")).path == "/favicon.ico" and "status of 404 " in text:
            # Chromium's own guess at an icon for a page that declares none: the browser asked,
            # not the page. (A page that declares <link rel="icon"> is checked like any other.)
            return
        self.problems.append(f"console {message.type}: {text} ({message.location.get('url', '')})")

    def _on_dialog(self, dialog) -> None:
        self.problems.append(f"a {dialog.type} dialog opened: {dialog.message!r}")
        dialog.dismiss()

    def _on_response(self, response) -> None:
        if response.status >= 500:
            self.problems.append(f"server error {response.status} for {response.request.method} "
                                 f"{urlsplit(response.url).path}")

    def assert_nothing_went_wrong(self) -> None:
        open_pages = [page for page in self._pages if not page.is_closed()]
        if open_pages:
            # Events reach Python only while Playwright runs its loop: let late ones arrive.
            open_pages[0].wait_for_timeout(100)
        assert not self.problems, "the browser reported problems:\n" + "\n".join(self.problems)

    def close(self) -> None:
        for context in self._contexts:
            context.close()


@pytest.fixture
def open_browser(chromium, live_server):
    """``page = open_browser()`` opens the app in a fresh browser; every page is watched and the
    test fails on any console error, CSP violation, uncaught error, dialog or 5xx response."""
    watch = BrowserWatch(chromium, live_server)
    try:
        yield watch
    finally:
        watch.close()


# --- what people do in every story ------------------------------------------------------------

def sign_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/login(\?|$)"))
