"""The screenshots in the README, taken from the demo council the way a secretary would see it.

The pictures go to a temporary folder, so that a test run leaves the repository alone; to
refresh the README's pictures, run:

    COUNCIL_SCREENSHOT_DIR=docs/screenshots .venv/bin/python -m pytest tests/browser/test_screenshots.py
"""
import os
import re
import struct
from pathlib import Path

import pytest

from council.core import demo
from tests.browser.conftest import VIEWPORT, expect, sign_in

pytestmark = pytest.mark.browser

SECRETARY = f"sekretarka@{demo.DEMO_DOMAIN}"


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


def test_secretary_tour_of_the_demo_council_for_the_readme(open_browser, seed, app, monkeypatch, tmp_path):
    folder = Path(os.environ.get("COUNCIL_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    monkeypatch.setitem(app.config, "COUNCIL_NAME", "Protidrogová komise Vymyšlenov")
    seed(demo.load)

    page = open_browser()
    sign_in(page, SECRETARY, demo.DEMO_PASSWORD)
    # The demo people read Czech; the README is in English, so she switches the language first.
    expect(page.locator("html")).to_have_attribute("lang", "cs")
    page.locator("#language-select").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Jana Sekretářová")
    page.screenshot(path=folder / "dashboard.png")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Organisations").click()
    page.get_by_label("Search by name or service").press_sequentially("drog", delay=40)
    expect(page).to_have_url(re.compile(r"q=drog"))
    results = page.locator("#organisation-results")
    expect(results.get_by_role("link", name="Kontaktní centrum Most (fiktivní)")).to_be_visible()
    expect(results.get_by_role("link", name="Krajská hygienická stanice (fiktivní)")).to_have_count(0)
    page.screenshot(path=folder / "organisations.png")

    page.get_by_role("link", name="Kontaktní centrum Most (fiktivní)").click()
    expect(page.locator(".service h3")).to_have_text(["Terénní program", "Výměnný program"])
    page.screenshot(path=folder / "organisation.png")

    page.get_by_role("link", name="Invite a person").click()
    expect(page.get_by_label("Organisation")).to_have_value(re.compile(r"\d+"))
    page.get_by_label("Name").fill("Alena Nováková")
    page.get_by_label("Email").fill("a.novakova@demo.example")
    page.get_by_label("Function").fill("terénní pracovnice")
    page.get_by_role("button", name="Invite").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alena Nováková is invited")
    page.get_by_label("Link to set a password").focus()
    page.screenshot(path=folder / "invite-link.png")

    page.locator(".account__name").click()
    page.locator("main form").get_by_label("Language").select_option("cs")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "cs")
    expect(page.get_by_role("heading", level=1)).to_have_text("Můj profil")
    page.screenshot(path=folder / "profile-cs.png")

    for name in ("dashboard", "organisations", "organisation", "invite-link", "profile-cs"):
        assert _png_size(folder / f"{name}.png") == (VIEWPORT["width"], VIEWPORT["height"])
