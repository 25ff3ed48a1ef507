"""Who may write, in a real browser against a real `wetcement serve`: `--read-only` shows no
write widget, `--auth header` shows none without the proxy's header, and with the header every
write records that person.

Needs Debian's chromium at /usr/bin/chromium (`make browser`); skipped without it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from scanner import store
from scanner.team.triage import triage_state
from scanner.ui.access import READ_ONLY_TEXT, SIGN_IN_TEXT
from scanner.views.report import candidates
from tests import ui_selectors as sel
from tests.test_browser import (
    CHROMIUM,
    LAUNCH_ARGS,
    TIMEOUT_MS,
    WETCEMENT,
    free_port,
    no_exception,
    settle,
)

pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists():
    pytest.skip("chromium is not installed (run `make browser`)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

# what a person could change something with: Streamlit's buttons, form buttons, toggles, text areas
WRITE_SELECTORS = ["[data-testid='stButton']", "[data-testid='stFormSubmitButton']",
                   "[data-testid='stCheckbox']", "[data-testid='stTextArea']"]


@contextmanager
def serving(db: Path, where: Path, *flags: str) -> Iterator[str]:
    """`wetcement serve FLAGS` on ``db``; yields its address, stops it afterwards."""
    port = free_port()
    log_path = where / f"serve-{port}.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed in finally
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "WETCEMENT_DB_WAIT": "30"}
    proc = subprocess.Popen([WETCEMENT, "--db", str(db), "serve", "--port", str(port), *flags],
                            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("wetcement serve did not start:\n" + log_path.read_text())
            time.sleep(0.3)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def demo(demo_db_master: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    where = tmp_path_factory.mktemp("serve_access")
    db = where / "wetcement.duckdb"
    shutil.copy(demo_db_master, db)
    with store.session(db) as con:
        cid = candidates(con, limit=1, with_items=False)[0]["id"]
    return db, where, cid


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield b
        finally:
            b.close()


def open_page(browser, url: str, headers: dict[str, str] | None = None):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, extra_http_headers=headers or {})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    settle(page)
    no_exception(page)
    return context, page


def write_widgets(page) -> int:
    return sum(page.locator(s).count() for s in WRITE_SELECTORS)


def test_read_only_shows_no_write_widget(browser, demo) -> None:
    db, where, cid = demo
    with serving(db, where, "--read-only") as url:
        for path in (f"candidate?id={cid}", "meeting", "sources", "settings"):
            context, page = open_page(browser, f"{url}/{path}")
            try:
                page.get_by_text(READ_ONLY_TEXT).first.wait_for()
                assert write_widgets(page) == 0, path
                assert page.locator(sel.text_input("author_name")).count() == 0
            finally:
                context.close()


def test_auth_header_without_the_header_asks_to_sign_in(browser, demo) -> None:
    db, where, cid = demo
    with serving(db, where, "--auth", "header") as url:
        context, page = open_page(browser, f"{url}/candidate?id={cid}")
        try:
            page.get_by_text(SIGN_IN_TEXT).first.wait_for()
            assert write_widgets(page) == 0
            assert page.locator(sel.key("triage_save")).count() == 0
        finally:
            context.close()


def test_auth_header_signs_a_write_with_the_proxy_identity(browser, demo) -> None:
    db, where, cid = demo
    with serving(db, where, "--auth", "header") as url:
        context, page = open_page(browser, f"{url}/candidate?id={cid}", {"X-Forwarded-Email": "ana@example.org"})
        try:
            page.wait_for_selector(sel.key("triage_save"))
            page.locator(sel.MAIN).get_by_text("Signed in as").first.wait_for()
            assert page.locator(sel.text_input("author_name")).count() == 0, "no free-text name behind the proxy"
            page.locator(sel.text_area("triage_note")).fill("Checked with the memory team.")
            page.locator(sel.button("triage_save")).click()
            notes = page.locator(sel.key("notes_list"))
            notes.get_by_text("Checked with the memory team.").wait_for()
            notes.get_by_text("ana@example.org").first.wait_for()
            no_exception(page)
        finally:
            context.close()
    with store.session(db) as con:
        written = [(n["author"], n["text"]) for n in triage_state(con, cid)["notes"]]
    assert ("ana@example.org", "Checked with the memory team.") in written
