"""``make bench``: a large directory and meeting history served by gunicorn, measured with wrk
on the loopback.

1. Builds a fresh database with the migrations (a temporary SQLite file, or the PostgreSQL
   database in BENCH_DATABASE_URL) and fills it in bulk (bench/seed.py): 2,000 people and
   200 meetings with their agendas, invitations, minutes and conclusions.
2. Starts ``gunicorn -w 2 wsgi:app`` on 127.0.0.1, signs in as a secretary and drives seven
   requests with wrk (the directory's four pages, two meeting pages and the attendance toggle, a
   POST): eight connections for throughput, then one connection for one user's latency. Times
   the PDF of the largest meeting's minutes.
3. Prints a table, checks the targets (PASS/FAIL, exit status 0 either way), counts the SQL
   statements of each request at two data sizes, and profiles any page that misses a target.

Settings (environment): BENCH_DATABASE_URL (PostgreSQL; must be empty unless BENCH_RESET=1,
which drops Council's tables first), BENCH_DURATION (seconds per throughput run, default 8),
BENCH_SINGLE_DURATION (default 5), BENCH_PROFILE=1 (profile every page), BENCH_KEEP=1 (keep
the temporary directory), BENCH_WSGI_APP (default wsgi:app). The whole run stops after
BENCH_TIMEOUT seconds (default 230).
"""
import cProfile
import http.client
import io
import json
import os
import platform
import pstats
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
BIN = Path(sys.executable).parent  # the venv's bin/, not resolved: gunicorn and flask live there
sys.path[:0] = [str(ROOT), str(BENCH)]

SEARCH_TERM = "terénní"
CONCURRENCY = 8
THREADS = 2
WORKERS = 2
THROUGHPUT_SECONDS = int(os.environ.get("BENCH_DURATION", "8"))
SINGLE_SECONDS = int(os.environ.get("BENCH_SINGLE_DURATION", "5"))
WARMUP_SECONDS = 2
ROUNDS = 2
TIMEOUT_SECONDS = int(os.environ.get("BENCH_TIMEOUT", "230"))
SMALL_FACTOR = 0.1
# Another module:app (on PYTHONPATH) lets you try a change before making it; default wsgi:app.
WSGI_APP = os.environ.get("BENCH_WSGI_APP", "wsgi:app")

# The targets from the issue.
SEARCH_SHARE = 0.40  # search fragment throughput vs. the /ping ceiling
LIST_SHARE = 0.25  # full organisation list page vs. the ceiling
SINGLE_USER_P95_MS = 25.0
SINGLE_USER_PAGES = ("ping", "list", "search", "person")  # the directory's latency target
MEETING_SHARE = 0.25  # the meeting page vs. the ceiling
FRAGMENT_BYTES = 2048  # the attendance toggle answers with one table row, under 2 KB
MEETING_PAGE_QUERIES = 8  # at most, whatever the meeting's size
PDF_SECONDS = 2.0  # the minutes of a 30-item meeting as PDF, median of PDF_RUNS
PDF_RUNS = 3


@dataclass
class Page:
    key: str
    label: str
    path: str
    headers: dict = field(default_factory=dict)
    expect: str = ""  # text the body must contain, so that we measure the real page
    method: str = "GET"
    body: str = ""  # a form body; "{csrf}" in it and in the headers becomes the session's token
    warm_body: str = ""  # for the query count's warm-up request, so that the counted one changes data
    script: str = "wrk_report.lua"  # wrk's Lua script (a POST needs its own)
    script_args: list = field(default_factory=list)
    load: bool = True  # driven by wrk; False: fetched by hand, counted and profiled only
    results: dict = field(default_factory=dict)  # "throughput"/"single" -> wrk summary
    body_bytes: int = 0
    queries: dict = field(default_factory=dict)  # "small"/"large" -> statement count
    statements: dict = field(default_factory=dict)  # "small"/"large" -> the statements

    def with_token(self, token: str, body: str | None = None) -> tuple[dict, str]:
        headers = {name: value.replace("{csrf}", token) for name, value in self.headers.items()}
        return headers, (self.body if body is None else body).replace("{csrf}", quote(token))


class BenchError(Exception):
    pass


class RunTimedOut(BaseException):
    """Raised by the alarm; a BaseException so that no ``except Exception``/``OSError`` on the
    way (TimeoutError is an OSError) swallows it."""


def say(text: str = "") -> None:
    print(text, flush=True)


def banner(text: str) -> None:
    say()
    say(f"== {text} " + "=" * max(0, 70 - len(text)))


# --- the machine -------------------------------------------------------------------------

def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    import sqlite3

    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True, timeout=5)
    gunicorn = subprocess.run([str(BIN / "gunicorn"), "--version"], capture_output=True,
                              text=True, timeout=10)
    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu": cpu,
        "ram": ram,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "kernel": platform.release(),
        "wrk": (wrk.stdout or wrk.stderr).splitlines()[0].strip(),
        "gunicorn": gunicorn.stdout.strip() or gunicorn.stderr.strip(),
    }


# --- database ----------------------------------------------------------------------------

def flask_cli(env: dict, *args: str) -> None:
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "council", *args],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise BenchError(f"flask {' '.join(args)} failed:\n{result.stdout}{result.stderr}")


def prepare_database(url: str, env: dict, *, external: bool) -> None:
    """An empty database at the newest migration."""
    if external:
        import sqlalchemy as sa

        engine = sa.create_engine(_driver_url(url))
        try:
            tables = sa.inspect(engine).get_table_names()
        finally:
            engine.dispose()
        if tables:
            if os.environ.get("BENCH_RESET") != "1":
                raise BenchError(
                    f"BENCH_DATABASE_URL already holds {len(tables)} tables. The benchmark "
                    "needs an empty database; set BENCH_RESET=1 to let it drop Council's tables "
                    "(flask db downgrade base) first.")
            flask_cli({**env, "DATABASE_URL": url}, "db", "downgrade", "base")
    flask_cli({**env, "DATABASE_URL": url}, "db", "upgrade")


def _driver_url(url: str) -> str:
    from council.config import database_url

    saved = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    try:
        return database_url("")
    finally:
        if saved is None:
            del os.environ["DATABASE_URL"]
        else:
            os.environ["DATABASE_URL"] = saved


def seed_database(app, size, password: str):
    """Seconds taken, and the records to measure (bench/seed.py's Seeded)."""
    from seed import seed

    from council.extensions import db

    started = time.perf_counter()
    with app.app_context():
        seeded = seed(size, password=password)
        db.engine.dispose()
    return time.perf_counter() - started, seeded


def build_pages(person_id: int, seeded) -> list[Page]:
    """What is measured, with the ids of one database (the large one is loaded with wrk, the
    small one only counted)."""
    attendance = seeded.attendance_meeting_id
    invitation = seeded.invitation_ids[0]
    toggle = "csrf_token={csrf}&attendance="
    return [
        Page("ping", "ceiling: /ping", "/ping", expect="ok "),
        Page("list", "organisation list page", "/organisations", expect="<!doctype html>"),
        Page("search", "search fragment (htmx)", f"/organisations?q={quote(SEARCH_TERM)}",
             {"HX-Request": "true", "HX-Target": "organisation-results"},
             expect='<div id="organisation-results"'),
        Page("person", "person page", f"/people/{person_id}", expect="<!doctype html>"),
        Page("meeting", "meeting page, with minutes", f"/meetings/{seeded.meeting_id}", expect='id="minutes-heading"'),
        # The meeting's other two tabs, for comparison, no target: its whole minutes and its
        # 60 invitees.
        Page("minutes", "minutes page (approved)", f"/meetings/{seeded.meeting_id}/minutes",
             expect='id="minutes-general"'),
        Page("invitees", "invitees and attendance", f"/meetings/{seeded.meeting_id}/attendance",
             expect='<div id="attendance-list">'),
        # For comparison, no target: the same size before the meeting, without minutes.
        Page("upcoming", "meeting page, no minutes", f"/meetings/{seeded.upcoming_meeting_id}",
             expect='id="invitations-heading"'),
        # As the attendance list's row form sends it: htmx posts the form's fields and the
        # button pressed, with the token also in X-CSRFToken (static/js/app.js).
        Page("toggle", "attendance toggle (POST)", f"/meetings/{attendance}/attendance/{invitation}",
             {"HX-Request": "true", "HX-Target": f"attendance-row-{invitation}", "X-CSRFToken": "{csrf}"},
             expect=f'<tr id="attendance-row-{invitation}"', method="POST",
             body=toggle + "absent", warm_body=toggle + "present", script="wrk_toggle.lua",
             script_args=["{csrf}", str(attendance), ",".join(map(str, seeded.invitation_ids))]),
        Page("attendance", "attendance list fragment", f"/meetings/{attendance}/attendance",
             {"HX-Request": "true", "HX-Target": "attendance-list"}, expect='<div id="attendance-list">',
             load=False),
        Page("pdf", "minutes PDF", f"/meetings/{seeded.meeting_id}/minutes.pdf", expect="%PDF",
             load=False),
    ]


def sample_person_id(app) -> int:
    """A member with an organisation, from the middle of the table."""
    import sqlalchemy as sa

    from council.auth.models import Person
    from council.extensions import db

    with app.app_context():
        ids = db.session.scalars(
            sa.select(Person.id).where(Person.organisation_id.is_not(None),
                                       Person.role == "member", Person.active.is_(True))
            .order_by(Person.id)
        ).all()
        db.session.remove()
        db.engine.dispose()
    if not ids:
        raise BenchError("the seeded database has no member with an organisation")
    return ids[len(ids) // 2]


def count_matches(app, term: str) -> int:
    import sqlalchemy as sa

    from council.core.text import fold
    from council.directory.models import Organisation
    from council.extensions import db

    with app.app_context():
        count = db.session.scalar(
            sa.select(sa.func.count()).select_from(Organisation)
            .where(Organisation.active.is_(True), Organisation.search_text.like(f"%{fold(term)}%")))
        db.session.remove()
        db.engine.dispose()
    return count


# --- gunicorn ----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn in its own process group, so that stopping it stops its workers too."""

    def __init__(self, env: dict, port: int, log_path: Path):
        self.port = port
        self.log_path = log_path
        self.log = log_path.open("w")
        self.process = subprocess.Popen(
            # No control socket: its default, ~/.gunicorn/gunicorn.ctl, is shared by every
            # gunicorn of the user and lies outside the run's temporary directory.
            [str(BIN / "gunicorn"), "-w", str(WORKERS), "-b", f"127.0.0.1:{port}",
             "--no-control-socket", WSGI_APP],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited with {self.process.returncode}:\n{self.tail()}")
            try:
                status, _headers, _body = request(self.port, "GET", "/health")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError(f"gunicorn did not answer /health within {seconds} s:\n{self.tail()}")

    def cpu_seconds(self) -> float | None:
        """CPU time used so far by gunicorn and its workers (Linux /proc; None elsewhere).

        Steadier than requests per second when other programs share the CPUs."""
        try:
            pids = [self.process.pid]
            for entry in Path("/proc").iterdir():
                if entry.name.isdigit():
                    try:
                        stat = (entry / "stat").read_text()
                    except OSError:
                        continue
                    if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                        pids.append(int(entry.name))
            total = 0
            for pid in pids:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime + stime
            return total / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            return None

    def tail(self, lines: int = 30) -> str:
        self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
                try:
                    os.killpg(self.process.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.process.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        self.log.close()


# --- HTTP --------------------------------------------------------------------------------

def request(port: int, method: str, path: str, headers: dict | None = None,
            body: str | None = None, timeout: float = 10) -> tuple[int, http.client.HTTPMessage, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def _cookies(headers: http.client.HTTPMessage) -> dict:
    from http.cookies import SimpleCookie

    jar = SimpleCookie()
    for value in headers.get_all("Set-Cookie") or []:
        jar.load(value)
    return {name: morsel.value for name, morsel in jar.items()}


def csrf_token(html: bytes) -> str:
    match = re.search(rb'<meta name="csrf-token" content="([^"]+)"', html)
    if not match:
        raise BenchError("no csrf-token meta tag on the sign-in page")
    return match.group(1).decode()


def _cookie_header(cookies: dict) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def _parse_cookie_header(header: str) -> dict:
    return dict(part.split("=", 1) for part in header.split("; ") if "=" in part)


def sign_in(port: int, email: str, password: str) -> str:
    """A Cookie header for a signed-in browser session."""
    status, headers, body = request(port, "GET", "/login")
    if status != 200:
        raise BenchError(f"GET /login answered {status}")
    cookies = _cookies(headers)
    form = urlencode({"email": email, "password": password, "csrf_token": csrf_token(body)})
    status, headers, body = request(port, "POST", "/login", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
    })
    if status != 302:
        raise BenchError(f"sign-in failed: POST /login answered {status}")
    cookies.update(_cookies(headers))
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def session_token(port: int, cookie: str, path: str) -> tuple[str, str]:
    """The CSRF token a page gives the signed-in session, and the Cookie header that goes with
    it (signing in starts a fresh session, so the first page after it stores a new token)."""
    status, headers, body = request(port, "GET", path, {"Cookie": cookie})
    if status != 200:
        raise BenchError(f"GET {path} answered {status}")
    cookies = _parse_cookie_header(cookie)
    cookies.update(_cookies(headers))
    return csrf_token(body), _cookie_header(cookies)


def probe(port: int, page: Page, cookie: str, token: str = "") -> None:
    """One request by hand: wrk counts a redirect to the sign-in page as a success."""
    headers, body = page.with_token(token)
    if page.method == "POST":
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    status, _headers, data = request(port, page.method, page.path, {**headers, "Cookie": cookie},
                                     body=body if page.method == "POST" else None)
    if status != 200:
        raise BenchError(f"{page.method} {page.path} answered {status} instead of 200 (session lost?)")
    if page.expect and page.expect.encode() not in data:
        raise BenchError(f"{page.path} does not contain {page.expect!r}; not the page we mean")
    page.body_bytes = len(data)


# --- wrk ---------------------------------------------------------------------------------

def wrk(port: int, page: Page, cookie: str, *, threads: int, connections: int,
        seconds: int, token: str = "") -> dict:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
               "--timeout", "5s", "-s", str(BENCH / page.script), "-H", f"Cookie: {cookie}"]
    headers, _body = page.with_token(token)
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://127.0.0.1:{port}{page.path}")
    if page.script_args:
        command += ["--", *(arg.replace("{csrf}", quote(token)) for arg in page.script_args)]
    # In bench/, where the scripts find wrk_report.lua.
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30, cwd=BENCH)
    line = next((line for line in result.stdout.splitlines() if line.startswith("BENCH-RESULT ")), None)
    if result.returncode != 0 or line is None:
        raise BenchError(f"wrk failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    summary = json.loads(line.removeprefix("BENCH-RESULT "))
    summary["rps"] = summary["requests"] / (summary["duration_us"] / 1e6)
    # The toggle's script checks every answer: status 200, a table row, under 2 KB.
    summary["bad_answers"] = sum(summary.get("checks", {}).values())
    summary["errors"] = sum(summary[k] for k in
                            ("connect_errors", "read_errors", "write_errors", "status_errors",
                             "timeouts", "bad_answers"))
    return summary


def combine(rounds: list[dict]) -> dict:
    """Several wrk runs of one page as one: totals summed, latencies averaged over the rounds."""
    combined = {key: sum(r[key] for r in rounds) for key in
                ("requests", "duration_us", "bytes", "connect_errors", "read_errors",
                 "write_errors", "status_errors", "timeouts", "bad_answers", "errors")}
    checks = [r["checks"] for r in rounds if "checks" in r]
    if checks:
        combined["checks"] = {key: sum(c[key] for c in checks) for key in checks[0]}
    for key in ("p50_us", "p95_us", "p99_us", "mean_us"):
        combined[key] = sum(r[key] for r in rounds) / len(rounds)
    combined["max_us"] = max(r["max_us"] for r in rounds)
    combined["rps"] = combined["requests"] / (combined["duration_us"] / 1e6)
    combined["rounds"] = [round(r["rps"], 1) for r in rounds]
    return combined


def measure(server: Server, pages: list[Page], cookie: str, token: str) -> None:
    """Throughput in interleaved rounds (so that a burst of other work on the machine touches
    every page alike), then one connection per page for one user's latency."""
    port = server.port
    pages = [page for page in pages if page.load]
    for page in pages:
        wrk(port, page, cookie, threads=THREADS, connections=CONCURRENCY, seconds=WARMUP_SECONDS,
            token=token)
    rounds: dict[str, list[dict]] = {page.key: [] for page in pages}
    cpu: dict[str, float] = {page.key: 0.0 for page in pages}
    seconds = max(1, THROUGHPUT_SECONDS // ROUNDS)
    for _ in range(ROUNDS):
        for page in pages:
            before = server.cpu_seconds()
            rounds[page.key].append(wrk(port, page, cookie, threads=THREADS,
                                        connections=CONCURRENCY, seconds=seconds, token=token))
            after = server.cpu_seconds()
            if before is not None and after is not None:
                cpu[page.key] += after - before
    for page in pages:
        result = page.results["throughput"] = combine(rounds[page.key])
        if server.cpu_seconds() is not None and result["requests"]:
            result["server_cpu_ms"] = cpu[page.key] / result["requests"] * 1000
        page.results["single"] = wrk(port, page, cookie, threads=1, connections=1,
                                     seconds=SINGLE_SECONDS, token=token)
        probe(port, page, cookie, token)  # still signed in, still the real page
        t, s = page.results["throughput"], page.results["single"]
        say(f"  {page.label:<26} {t['rps']:8.0f} req/s at {CONCURRENCY} connections, "
            f"one user p95 {s['p95_us'] / 1000:.1f} ms")


def pdf_pages(pdf: bytes) -> int:
    """The page count of the PDF's page tree (WeasyPrint compresses it into object streams)."""
    import zlib

    tree = re.compile(rb"/Type\s*/Pages\b[^>]*?/Count (\d+)")  # not the outline's /Count
    counts = [int(n) for n in tree.findall(pdf)]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            counts += [int(n) for n in tree.findall(zlib.decompress(stream))]
        except zlib.error:
            continue
    return max(counts, default=0)


def time_pdf(server: Server, page: Page, cookie: str) -> dict:
    """The PDF rendered PDF_RUNS times one after another (after one untimed request, which
    also pays for importing WeasyPrint and loading fonts in whichever worker answers it).
    gunicorn's CPU time per request is recorded too: it depends less on other programs."""
    def fetch() -> tuple[float, float | None, bytes]:
        cpu_before = server.cpu_seconds()
        started = time.perf_counter()
        status, headers, body = request(server.port, "GET", page.path, {"Cookie": cookie}, timeout=60)
        elapsed = time.perf_counter() - started
        cpu_after = server.cpu_seconds()
        if status != 200 or headers.get("Content-Type") != "application/pdf" or not body.startswith(b"%PDF"):
            raise BenchError(f"GET {page.path} answered {status} {headers.get('Content-Type')}, not a PDF")
        cpu = cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None
        return elapsed, cpu, body

    first, _cpu, _body = fetch()
    times, cpus = [], []
    for _ in range(PDF_RUNS):
        elapsed, cpu, body = fetch()
        times.append(elapsed)
        cpus.append(cpu)
    page.body_bytes = len(body)
    result = {"first_s": first, "times_s": times, "median_s": statistics.median(times),
              "cpu_s": cpus, "median_cpu_s": statistics.median(cpus) if None not in cpus else None,
              "pages": pdf_pages(body)}
    page.results["pdf"] = result
    cpu_note = f", CPU {result['median_cpu_s']:.2f} s" if result["median_cpu_s"] is not None else ""
    say(f"  {page.label:<26} median {result['median_s']:.2f} s of {PDF_RUNS}{cpu_note} "
        f"({', '.join(f'{t:.2f}' for t in times)}; the untimed first one {first:.2f} s), "
        f"{result['pages']} pages, {len(body):,} bytes")
    return result


# --- query counts and profiles (Flask test client, same data) ----------------------------

@contextmanager
def counted_statements(engine):
    import sqlalchemy as sa

    statements: list[str] = []

    def before_cursor_execute(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before_cursor_execute)


def test_client(app, email: str, password: str):
    client = app.test_client()
    token = csrf_token(client.get("/login").data)
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": token})
    if response.status_code != 302:
        raise BenchError(f"test-client sign-in failed with {response.status_code}")
    return client


def _send(client, page: Page, token: str, body: str | None = None):
    headers, form = page.with_token(token, body)
    if page.method == "POST":
        return client.post(page.path, data=form, headers=headers,
                           content_type="application/x-www-form-urlencoded")
    return client.get(page.path, headers=headers)


def count_queries(app, pages: list[Page], size_key: str, email: str, password: str) -> None:
    """Statements per request in the test client; ``pages`` carry this database's ids."""
    from council.extensions import db

    client = test_client(app, email, password)
    token = csrf_token(client.get("/").data)
    with app.app_context():
        engine = db.engine
    for page in pages:
        # Warm: the first request compiles templates (and a POST's warm-up sets the other
        # value, so that the counted one changes data as a person's click does).
        _send(client, page, token, page.warm_body or None)
        with counted_statements(engine) as statements:
            response = _send(client, page, token)
        if response.status_code != 200:
            raise BenchError(f"test client: {page.method} {page.path} answered {response.status_code}")
        page.queries[size_key] = len(statements)
        page.statements[size_key] = statements
    with app.app_context():
        db.engine.dispose()


def profile(app, page: Page, email: str, password: str, seconds: float = 3.0) -> str:
    """cProfile over a few seconds of requests in the test client, on the same data."""
    client = test_client(app, email, password)
    token = csrf_token(client.get("/").data)
    bodies = [page.body, page.warm_body or page.body]  # a toggle alternates, as clicks do
    for number in range(2 if page.key == "pdf" else 4):
        _send(client, page, token, bodies[number % 2])
    profiler = cProfile.Profile()
    count = 0
    deadline = time.perf_counter() + seconds
    profiler.enable()
    while time.perf_counter() < deadline:
        _send(client, page, token, bodies[count % 2])
        count += 1
    profiler.disable()
    out = io.StringIO()
    out.write(f"{count} requests of {page.method} {page.path} in the test client, "
              f"{seconds / count * 1000:.2f} ms each (the profiler roughly doubles it)\n")
    stats = pstats.Stats(profiler, stream=out)
    out.write("\n-- Council's code and templates, by cumulative time --\n")
    stats.sort_stats("cumulative").print_stats(r"/council/|/templates/|\.html", 25)
    out.write("-- everything, by own time --\n")
    stats.sort_stats("tottime").print_stats(15)
    text = out.getvalue().replace(str(ROOT) + "/", "")
    text = re.sub(r"\S*/site-packages/", "", text)
    return re.sub(r"\n{3,}", "\n\n", text)


def load_average() -> str:
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f} (1 min), {five:.2f} (5 min)"


def busy(nproc: int) -> bool:
    try:
        return os.getloadavg()[0] > max(1.0, nproc / 2)
    except OSError:
        return False


# --- report ------------------------------------------------------------------------------

def report(pages: list[Page], setup: dict, busy_note: str = "") -> list[tuple[str, bool, str]]:
    by_key = {page.key: page for page in pages}
    ceiling = by_key["ping"].results["throughput"]["rps"]
    ceiling_cpu = by_key["ping"].results["throughput"].get("server_cpu_ms")

    banner("Results")
    say(f"gunicorn -w {WORKERS} (sync) on 127.0.0.1; throughput: wrk -t{THREADS} -c{CONCURRENCY}, "
        f"{ROUNDS} interleaved rounds, {THROUGHPUT_SECONDS} s per page; "
        f"one user: wrk -t1 -c1 -d{SINGLE_SECONDS}s")
    say()
    head = (f"{'':<26} {'---- ' + str(CONCURRENCY) + ' connections ----':^34} "
            f"{'------ one user ------':^24}")
    cols = (f"{'page':<26} {'req/s':>6} {'of ceil.':>8} {'p50 ms':>6} {'p95 ms':>6} "
            f"{'req/s':>6} {'p50 ms':>6} {'p95 ms':>6}  {'CPU ms':>6} {'bytes':>6} {'errors':>6}")
    say(head)
    say(cols)
    say("-" * len(cols))
    for page in (page for page in pages if page.load):
        t, s = page.results["throughput"], page.results["single"]
        cpu = t.get("server_cpu_ms")
        say(f"{page.label:<26} {t['rps']:6.0f} {t['rps'] / ceiling:8.0%} "
            f"{t['p50_us'] / 1000:6.1f} {t['p95_us'] / 1000:6.1f} "
            f"{s['rps']:6.0f} {s['p50_us'] / 1000:6.1f} {s['p95_us'] / 1000:6.1f}  "
            f"{cpu if cpu is None else format(cpu, '6.2f')!s:>6} {page.body_bytes:6d} "
            f"{t['errors'] + s['errors']:6d}")
    say("CPU ms = gunicorn's CPU time (user + system) per request in the throughput rounds: "
        "steadier than req/s when other programs share the machine, but not immune to it.")
    pdf = by_key["pdf"].results.get("pdf")
    if pdf:
        cpu = f"; gunicorn's CPU time {pdf['median_cpu_s']:.2f} s" if pdf["median_cpu_s"] is not None else ""
        say(f"{by_key['pdf'].label} ({setup['pdf_items']} items): median {pdf['median_s']:.2f} s of "
            f"{PDF_RUNS} ({', '.join(f'{t:.2f}' for t in pdf['times_s'])} s){cpu}, "
            f"{pdf['pages']} pages, {by_key['pdf'].body_bytes:,} bytes")

    if any(page.queries for page in pages):
        say()
        sizes = setup["sizes"]
        say(f"SQL statements per request at {sizes['small']} / {sizes['large']}:")
        for page in pages:
            small, large = page.queries.get("small", "-"), page.queries.get("large", "-")
            say(f"  {page.label:<26} {small!s:>3} / {large!s:<3}")

    checks = []
    for key, share in (("search", SEARCH_SHARE), ("list", LIST_SHARE)):
        page = by_key[key]
        result = page.results["throughput"]
        ratio = result["rps"] / ceiling
        detail = f"{ratio:.0%} ({result['rps']:.0f} of {ceiling:.0f} req/s)"
        if ceiling_cpu and result.get("server_cpu_ms"):
            detail += f"; by CPU time {ceiling_cpu / result['server_cpu_ms']:.0%}"
        checks.append((f"{page.label} throughput >= {share:.0%} of /ping", ratio >= share, detail))
    for key in SINGLE_USER_PAGES:
        page = by_key[key]
        p95 = page.results["single"]["p95_us"] / 1000
        checks.append((f"{page.label}: one user p95 < {SINGLE_USER_P95_MS:.0f} ms",
                       p95 < SINGLE_USER_P95_MS, f"{p95:.1f} ms"))
    checks += meeting_checks(by_key, ceiling, ceiling_cpu)
    for page in (page for page in pages if page.load):
        errors = page.results["throughput"]["errors"] + page.results["single"]["errors"]
        if errors:
            checks.append((f"{page.label}: no failed requests", False, f"{errors} errors"))

    banner("Targets")
    for name, ok, detail in checks:
        say(f"  {'PASS' if ok else 'FAIL'}  {name:<52} {detail}")
    failed = [c for c in checks if not c[1]]
    say()
    if failed:
        say("!" * 78)
        say(f"!!  {len(failed)} TARGET(S) MISSED:")
        for name, _ok, detail in failed:
            say(f"!!    {name}: {detail}")
        say("!" * 78)
    else:
        say("All targets met.")
    if busy_note:
        say(busy_note)
    return checks


def meeting_checks(by_key: dict, ceiling: float, ceiling_cpu: float | None) -> list[tuple[str, bool, str]]:
    """Issue 3's targets: the meeting page's share of the ceiling, the toggle's small fragment,
    the PDF's time, and SQL statements that do not grow with the meeting."""
    checks = []
    page = by_key["meeting"]
    result = page.results["throughput"]
    ratio = result["rps"] / ceiling
    detail = f"{ratio:.0%} ({result['rps']:.0f} of {ceiling:.0f} req/s)"
    if ceiling_cpu and result.get("server_cpu_ms"):
        detail += f"; by CPU time {ceiling_cpu / result['server_cpu_ms']:.0%}"
    checks.append((f"{page.label} throughput >= {MEETING_SHARE:.0%} of /ping", ratio >= MEETING_SHARE, detail))

    toggle = by_key["toggle"]
    answers = {key: toggle.results[run].get("checks", {}).get(key, 0)
               for run in ("throughput", "single") for key in ("too_large", "not_fragment")}
    detail = f"{toggle.body_bytes:,} bytes, one table row"
    if any(answers.values()):
        detail += f" (under load: {answers['too_large']} larger, {answers['not_fragment']} not a row)"
    checks.append((f"{toggle.label} answers a fragment < {FRAGMENT_BYTES // 1024} KB",
                   toggle.body_bytes < FRAGMENT_BYTES and not any(answers.values()), detail))

    pdf = by_key["pdf"].results.get("pdf")
    detail = "not measured"
    if pdf:
        detail = f"{pdf['median_s']:.2f} s"
        if pdf["median_cpu_s"] is not None:
            detail += f" (CPU {pdf['median_cpu_s']:.2f} s)"
    checks.append((f"{by_key['pdf'].label}: median of {PDF_RUNS} < {PDF_SECONDS:.0f} s",
                   bool(pdf) and pdf["median_s"] < PDF_SECONDS, detail))

    for key in ("meeting", "upcoming", "minutes", "invitees"):
        page = by_key[key]
        counts = page.queries
        if len(counts) == 2:
            ok = max(counts.values()) <= MEETING_PAGE_QUERIES and counts["small"] == counts["large"]
            detail = f"{counts['small']} / {counts['large']}"
        else:
            ok, detail = False, "not counted"
        checks.append((f"{page.label}: <= {MEETING_PAGE_QUERIES} SQL, same at both sizes", ok, detail))
    for key in ("attendance", "toggle"):
        counts = by_key[key].queries
        ok = len(counts) == 2 and counts["small"] == counts["large"]
        detail = f"{counts['small']} / {counts['large']}" if len(counts) == 2 else "not counted"
        checks.append((f"{by_key[key].label}: same SQL statements at both sizes", ok, detail))
    return checks


def save(pages: list[Page], info: dict, setup: dict, checks) -> Path:
    out_dir = BENCH / "results"
    out_dir.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = out_dir / f"bench-{stamp}.json"
    path.write_text(json.dumps({
        "at": stamp, "machine": info, "setup": setup,
        "pages": [{"key": p.key, "path": p.path, "method": p.method, "headers": p.headers,
                   "bytes": p.body_bytes, "queries": p.queries, **p.results} for p in pages],
        "targets": [{"target": name, "pass": ok, "measured": detail}
                    for name, ok, detail in checks],
    }, indent=2, ensure_ascii=False))
    return path


# --- main --------------------------------------------------------------------------------

def _on_alarm(_signum, _frame):
    raise RunTimedOut(f"the benchmark ran longer than {TIMEOUT_SECONDS} s (BENCH_TIMEOUT)")


def _on_term(signum, _frame):
    raise SystemExit(128 + signum)


def main() -> int:
    if shutil.which("wrk") is None:
        say("wrk is not installed. On Debian or Ubuntu: sudo apt-get install wrk")
        return 2
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.signal(signal.SIGTERM, _on_term)
    signal.alarm(TIMEOUT_SECONDS)
    started = time.perf_counter()

    work = Path(tempfile.mkdtemp(prefix="council-bench-"))
    external_url = os.environ.get("BENCH_DATABASE_URL", "").strip()
    large_url = external_url or f"sqlite:///{work / 'large.db'}"
    small_url = f"sqlite:///{work / 'small.db'}"
    password = secrets.token_urlsafe(18)
    env = {
        **os.environ,
        "COUNCIL_ENV": "development",
        "SECRET_KEY": secrets.token_hex(32),
        "COUNCIL_INSTANCE_PATH": str(work / "instance"),
        "DATABASE_URL": large_url,
        "COUNCIL_HTTPS": "0",
        "COUNCIL_PROXY_FIX": "0",
    }
    # The in-process app (seeding, query counts, profiles) reads the same settings.
    os.environ.update(env)

    server = None
    try:
        info = machine()
        info["load_before"] = load_average()
        banner("Machine")
        for key, value in info.items():
            say(f"  {key:<11} {value}")
        was_busy = busy(info["nproc"])
        if was_busy:
            say("  WARNING: the machine is already busy; req/s and latencies will be low and "
                "noisy. Run again on an idle machine before trusting the targets.")

        from seed import BENCH_EMAIL, Size

        from council import create_app

        large, small = Size(), Size().scaled(SMALL_FACTOR)
        db_label = "PostgreSQL (BENCH_DATABASE_URL)" if external_url else "SQLite (temporary file)"
        banner("Database")
        say(f"  {db_label}, built with the migrations")
        t0 = time.perf_counter()
        prepare_database(large_url, env, external=bool(external_url))
        prepare_database(small_url, env, external=False)
        say(f"  migrations: {time.perf_counter() - t0:.1f} s")
        large_app = create_app()
        small_app = create_app({"SQLALCHEMY_DATABASE_URI": small_url})
        seconds, seeded = seed_database(large_app, large, password)
        say(f"  seeded {large.people} people, {large.organisations} organisations, "
            f"{large.services} services, {large.localities} localities, {seeded.meetings} meetings "
            f"({seeded.agenda_items} agenda items, {seeded.invitations} invitations, "
            f"{seeded.conclusions} conclusions) in {seconds:.1f} s")
        _seconds, small_seeded = seed_database(small_app, small, password)
        person_id = sample_person_id(large_app)
        matches = count_matches(large_app, SEARCH_TERM)
        say(f"  search term {SEARCH_TERM!r} matches {matches} active organisations")
        say(f"  meeting pages: /meetings/{seeded.meeting_id} (approved minutes) and "
            f"/meetings/{seeded.upcoming_meeting_id} (in two weeks), {large.items[1]} items and "
            f"{large.invitees[1]} invitees each; attendance toggle: meeting "
            f"{seeded.attendance_meeting_id}, held today, {len(seeded.invitation_ids)} invitees")

        pages = build_pages(person_id, seeded)
        small_pages = build_pages(sample_person_id(small_app), small_seeded)
        by_key = {page.key: page for page in pages}
        setup = {"database": db_label,
                 "sizes": {"large": f"{large.people} people/{large.organisations} orgs/"
                                    f"{seeded.meetings} meetings, the measured one {large.items[1]} "
                                    f"items and {large.invitees[1]} invitees",
                           "small": f"{small.people} people/{small.organisations} orgs/"
                                    f"{small_seeded.meetings} meetings, the measured one {small.items[1]} "
                                    f"items and {small.invitees[1]} invitees"},
                 "meetings": {"meetings": seeded.meetings, "agenda_items": seeded.agenda_items,
                              "invitations": seeded.invitations, "conclusions": seeded.conclusions},
                 "pdf_items": large.items[1],
                 "search_term": SEARCH_TERM, "search_matches": matches,
                 "wsgi_app": WSGI_APP, "workers": WORKERS, "threads": THREADS,
                 "connections": CONCURRENCY, "throughput_seconds": THROUGHPUT_SECONDS, "single_seconds": SINGLE_SECONDS}

        banner("Load")
        port = free_port()
        server = Server(env, port, work / "gunicorn.log")
        server.wait_ready()
        cookie = sign_in(port, BENCH_EMAIL, password)
        token, cookie = session_token(port, cookie, f"/meetings/{seeded.attendance_meeting_id}/attendance")
        for page in pages:
            if page.key != "pdf":
                probe(port, page, cookie, token)
        say(f"  gunicorn {WSGI_APP} on 127.0.0.1:{port}, signed in as {BENCH_EMAIL} (secretary)")
        measure(server, pages, cookie, token)
        time_pdf(server, by_key["pdf"], cookie)
        server.stop()
        server = None
        info["load_after"] = load_average()
        say(f"  load average after the load: {info['load_after']}")

        try:
            count_queries(small_app, small_pages, "small", BENCH_EMAIL, password)
            count_queries(large_app, pages, "large", BENCH_EMAIL, password)
            for page, small_page in zip(pages, small_pages, strict=True):
                page.queries["small"] = small_page.queries["small"]
                page.statements["small"] = small_page.statements["small"]
        except Exception as error:  # report, do not lose the measurements (the check FAILs)
            say(f"  (query counts skipped: {error})")

        note = ""
        if was_busy or busy(info["nproc"]):
            note = (f"NOTE: other programs kept the machine busy (load average before "
                    f"{info['load_before']}, after {info['load_after']} on {info['nproc']} CPUs); "
                    "req/s and latencies are pessimistic and noisy.")
        checks = report(pages, setup, note)
        for meeting in (by_key["meeting"], by_key["upcoming"]):
            if any(count > MEETING_PAGE_QUERIES for count in meeting.queries.values()):
                banner(f"SQL statements of the {meeting.label}")
                for number, statement in enumerate(meeting.statements.get("large", []), start=1):
                    say(f"[{number}] {statement}\n")
        missed = {page.key for page in pages for name, ok, _ in checks
                  if not ok and name.startswith(page.label)}
        if os.environ.get("BENCH_PROFILE") == "1":
            missed = {page.key for page in pages}
        for page in pages:
            if page.key in missed:
                banner(f"Profile: {page.label}")
                if time.perf_counter() - started > TIMEOUT_SECONDS - 25:
                    say("  (skipped: the run is close to BENCH_TIMEOUT)")
                    continue
                say(profile(large_app, page, BENCH_EMAIL, password))
        path = save(pages, info, setup, checks)
        say(f"Figures saved to {path.relative_to(ROOT)}; whole run {time.perf_counter() - started:.0f} s.")
        return 0
    except (BenchError, RunTimedOut) as error:
        say(f"\nBENCHMARK ERROR: {error}")
        if server is not None:
            say(f"gunicorn log:\n{server.tail()}")
        return 1
    finally:
        signal.alarm(0)
        if server is not None:
            server.stop()
        if os.environ.get("BENCH_KEEP") == "1":
            say(f"Kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
