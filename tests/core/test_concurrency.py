"""Twenty people saving at the same moment: every save succeeds, none is lost, none waits forever.

SQLite allows one writer at a time; requests that change data begin with BEGIN IMMEDIATE so
that they queue on the busy timeout instead of failing with "database is locked". PostgreSQL
runs the same test with real parallel transactions.
"""
import re
import threading
from datetime import timedelta

import sqlalchemy as sa
from flask import has_app_context

from council.auth.models import AuthSession, Person
from council.auth.roles import Role
from council.core.text import utcnow
from council.directory.models import Organisation, Sector
from council.extensions import db
from tests.conftest import PASSWORD, create_organisation, create_person

THREADS = 20


def run_together(jobs):
    """Run the callables in threads released at the same moment; returns their results."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)
    errors: list[BaseException] = []

    def worker(index, job):
        try:
            barrier.wait(timeout=30)
            results[index] = job()
        except BaseException as error:
            errors.append(error)

    if has_app_context():
        db.session.commit()  # the test itself holds no transaction (nor SQLite's lock) meanwhile
    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    assert not errors, f"{len(errors)} request(s) raised: {errors[0]!r}"
    return results


def signed_in_browsers(make_client, people_list):
    browsers = []
    for person in people_list:
        browser = make_client()
        assert browser.login(person.email, PASSWORD).status_code == 302
        browsers.append(browser)
    return browsers


def test_twenty_people_save_their_profiles_at_the_same_moment(app_context, make_client):
    organisation = create_organisation(name="Město Vzorov", short_name="MV")
    members = [create_person(f"member{n}@example.org", name=f"Člen {n}", organisation=organisation)
               for n in range(THREADS)]
    browsers = signed_in_browsers(make_client, members)
    forms = []
    for n, browser in enumerate(browsers):
        page = browser.get("/profile")
        token = re.search(rb'name="csrf-token" content="([^"]+)"', page.data).group(1).decode()
        forms.append({"csrf_token": token, "name": f"Člen {n}", "email": f"member{n}@example.org",
                      "phone": f"+420 600 000 {n:03d}", "function": "", "locale": "", "version": "1"})

    # A pause before saving: every save also refreshes its session's "last seen".
    db.session.execute(sa.update(AuthSession).values(last_seen_at=utcnow() - timedelta(minutes=5)))

    def save(browser, form):
        return lambda: browser.post("/profile", data=form)

    responses = run_together([save(browser, form) for browser, form in zip(browsers, forms, strict=True)])

    statuses = [response.status_code for response in responses]
    assert statuses == [302] * THREADS, statuses
    assert not any(b"database is locked" in response.data for response in responses)
    db.session.commit()
    phones = set(db.session.scalars(sa.select(Person.phone).where(Person.email.like("member%"))))
    assert phones == {f"+420 600 000 {n:03d}" for n in range(THREADS)}


def test_twenty_organisations_created_at_the_same_moment_are_all_kept(app_context, make_client):
    secretaries = [create_person(f"secretary{n}@example.org", role=Role.SECRETARY) for n in range(THREADS)]
    browsers = signed_in_browsers(make_client, secretaries)
    sector_id = db.session.scalar(sa.select(Sector.id).where(Sector.code == "police"))
    forms = []
    for n, browser in enumerate(browsers):
        page = browser.get("/organisations/new")
        assert page.status_code == 200
        token = re.search(rb'name="csrf-token" content="([^"]+)"', page.data).group(1).decode()
        forms.append({"csrf_token": token, "name": f"Obvodní oddělení {n}", "short_name": f"OO{n}",
                      "sector_id": str(sector_id), "address": "", "website": "", "contact_person": "",
                      "contact_email": "", "contact_phone": ""})

    def create(browser, form):
        return lambda: browser.post("/organisations/new", data=form)

    responses = run_together([create(browser, form) for browser, form in zip(browsers, forms, strict=True)])

    statuses = [response.status_code for response in responses]
    assert statuses == [302] * THREADS, statuses
    db.session.commit()
    names = set(db.session.scalars(sa.select(Organisation.name)))
    assert names == {f"Obvodní oddělení {n}" for n in range(THREADS)}


def test_twenty_people_reading_while_one_writes(app_context, make_client):
    """Readers do not take the write lock, and a writer does not stall them."""
    organisation = create_organisation(name="Město Vzorov", short_name="MV")
    members = [create_person(f"member{n}@example.org", organisation=organisation) for n in range(THREADS)]
    browsers = signed_in_browsers(make_client, members)
    page = browsers[0].get("/profile")
    token = re.search(rb'name="csrf-token" content="([^"]+)"', page.data).group(1).decode()
    form = {"csrf_token": token, "name": "Člen 0", "email": "member0@example.org", "phone": "+420 1",
            "function": "", "locale": "", "version": "1"}

    jobs = [lambda: browsers[0].post("/profile", data=form)]
    jobs += [(lambda browser=browser: browser.get("/people")) for browser in browsers[1:]]
    responses = run_together(jobs)

    assert responses[0].status_code == 302
    assert [response.status_code for response in responses[1:]] == [200] * (THREADS - 1)


def test_a_failing_thread_fails_the_test():
    """The helper itself: an exception inside a thread is not swallowed."""
    import pytest

    def boom():
        raise RuntimeError("inside a thread")

    with pytest.raises(AssertionError, match="inside a thread"):
        run_together([boom, lambda: None])
