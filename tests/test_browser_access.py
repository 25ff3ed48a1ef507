"""Who may write, in a real browser against a real `wetcement serve`: `--read-only` shows no
write widget, `--auth header` shows none without the proxy's header, and with the header every
write records that person.

Needs Debian's chromium at /usr/bin/chromium (`make browser`); skipped without it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from scanner import store
from scanner.team.triage import triage_state
from scanner.ui.access import READ_ONLY_TEXT, SIGN_IN_TEXT
from scanner.views.report import candidates
from tests import test_browser
from tests import ui_selectors as sel
from tests.test_browser import (
    CHROMIUM,
    TIMEOUT_MS,
    no_exception,
    serving,
    settle,
)

pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists():
    pytest.skip("chromium is not installed (run `make browser`)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
browser = test_browser.browser  # the same module-scoped Chromium fixture

# what a person could change something with: Streamlit's buttons, form buttons, toggles, text areas
WRITE_SELECTORS = ["[data-testid='stButton']", "[data-testid='stFormSubmitButton']",
                   "[data-testid='stCheckbox']", "[data-testid='stTextArea']"]


@pytest.fixture(scope="module")
def demo(demo_db_master: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    where = tmp_path_factory.mktemp("serve_access")
    db = where / "wetcement.duckdb"
    shutil.copy(demo_db_master, db)
    with store.session(db) as con:
        cid = candidates(con, limit=1, with_items=False)[0]["id"]
    return db, where, cid


@contextmanager
def open_page(browser, url: str, headers: dict[str, str] | None = None) -> Iterator:
    """A fresh browser context at ``url`` (sending ``headers``), settled without an exception;
    closed afterwards."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, extra_http_headers=headers or {})
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(url)
        settle(page)
        no_exception(page)
        yield page
    finally:
        context.close()


def write_widgets(page) -> int:
    return sum(page.locator(s).count() for s in WRITE_SELECTORS)


def test_read_only_shows_no_write_widget(browser, demo) -> None:
    db, where, cid = demo
    with serving(db, where, "--read-only") as url:
        for path in (f"candidate?id={cid}", "meeting", "sources", "settings"):
            with open_page(browser, f"{url}/{path}") as page:
                page.get_by_text(READ_ONLY_TEXT).first.wait_for()
                assert write_widgets(page) == 0, path
                assert page.locator(sel.text_input("author_name")).count() == 0


def test_auth_header_without_the_header_asks_to_sign_in(browser, demo) -> None:
    db, where, cid = demo
    with serving(db, where, "--auth", "header") as url, open_page(browser, f"{url}/candidate?id={cid}") as page:
        page.get_by_text(SIGN_IN_TEXT).first.wait_for()
        assert write_widgets(page) == 0
        assert page.locator(sel.key("triage_save")).count() == 0


def test_auth_header_signs_a_write_with_the_proxy_identity(browser, demo) -> None:
    db, where, cid = demo
    headers = {"X-Forwarded-Email": "ana@example.org"}
    with serving(db, where, "--auth", "header") as url, open_page(browser, f"{url}/candidate?id={cid}", headers) as page:
        page.wait_for_selector(sel.key("triage_save"))
        page.locator(sel.MAIN).get_by_text("Signed in as").first.wait_for()
        assert page.locator(sel.text_input("author_name")).count() == 0, "no free-text name behind the proxy"
        page.locator(sel.text_area("triage_note")).fill("Checked with the memory team.")
        page.locator(sel.button("triage_save")).click()
        notes = page.locator(sel.key("notes_list"))
        notes.get_by_text("Checked with the memory team.").wait_for()
        notes.get_by_text("ana@example.org").first.wait_for()
        no_exception(page)
    with store.session(db) as con:
        written = [(n["author"], n["text"]) for n in triage_state(con, cid)["notes"]]
    assert ("ana@example.org", "Checked with the memory team.") in written
