"""Who may write: `serve --read-only` and `serve --auth header` (scanner.ui.access), through
the pages (AppTest) and as units; the browser test drives a real `wetcement serve`."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from streamlit.runtime.context import StreamlitHeaders
from streamlit.testing.v1 import AppTest

from scanner import store
from scanner.cli import serve
from scanner.errors import BadInput
from scanner.team import triage
from scanner.ui import access, resources
from scanner.views.report import candidates
from tests.ui_app import open_page

WRITE_PAGES = ["candidate", "meeting", "sources", "settings"]
# every write widget of the pages, by key (prefixes end with "_")
WRITE_KEYS = {
    "triage_save", "rating_save", "review_save", "draft_save", "draft_check", "label_save", "merge_go", "split_go",
    "override_out", "verdict_save", "sources_fetch", "source_add", "domain_add", "author_name",
    "triage_note", "draft_text", "label_text",
}
WRITE_PREFIXES = ("settings_save_", "settings_reset_", "domain_remove_", "source_on_", "override_undo_", "rate_", "check_", "review_",
                  "snooze_")
WIDGETS = ("button", "toggle", "text_area", "text_input", "checkbox", "slider", "number_input", "selectbox", "multiselect")


def write_widgets(at: AppTest) -> list[str]:
    keys = [w.key for kind in WIDGETS for w in at.get(kind) if getattr(w, "key", None)]
    return [k for k in keys if k in WRITE_KEYS or k.startswith(WRITE_PREFIXES)]


def shown_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    parts += [c.value for c in at.sidebar.caption]
    return "\n".join(parts)


def test_by_default_every_page_has_its_write_widgets(db: Path) -> None:
    found = {page: write_widgets(open_page(page)) for page in ("candidate", "sources", "settings")}
    assert {"triage_save", "review_save", "draft_save", "merge_go", "author_name"} <= set(found["candidate"])
    assert {"sources_fetch", "source_add"} <= set(found["sources"])
    assert "domain_add" in found["settings"] and any(k.startswith("settings_save_") for k in found["settings"])


@pytest.mark.parametrize("page", WRITE_PAGES)
def test_read_only_shows_no_write_widget(db: Path, monkeypatch: pytest.MonkeyPatch, page: str) -> None:
    monkeypatch.setenv("WETCEMENT_READ_ONLY", "1")
    at = open_page(page)
    assert write_widgets(at) == []
    assert not [b for b in at.button], [b.label for b in at.button]
    assert access.READ_ONLY_TEXT in shown_text(at)


def test_read_only_still_shows_the_candidate_and_its_notes(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with store.session(db) as con:
        top = candidates(con, limit=1, with_items=False)[0]
        triage.set_triage(con, top["id"], status="watching", note="Keep an eye on it", author="ana")
    monkeypatch.setenv("WETCEMENT_READ_ONLY", "1")
    at = open_page("candidate", id=top["id"])
    body = shown_text(at)
    assert "Keep an eye on it" in [t.value for t in at.text] and "ana" in body
    assert any(s.value == top["label"] for s in at.subheader) or top["label"] in body
    settings = open_page("settings")
    assert any("setting" in d.value.columns for d in settings.dataframe), "the values show without a form"


def test_a_library_write_is_refused_when_read_only(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WETCEMENT_READ_ONLY", "1")
    with pytest.raises(BadInput, match="read-only"), resources.writing() as con:
        con.execute("DELETE FROM notes")  # never reached
    monkeypatch.setenv("WETCEMENT_READ_ONLY", "")
    monkeypatch.setenv("WETCEMENT_AUTH", "header")
    with pytest.raises(BadInput, match="Sign in"), resources.writing():
        pass  # outside a browser session there is no header, so nobody is signed in


@pytest.mark.parametrize("page", WRITE_PAGES)
def test_auth_without_the_header_asks_to_sign_in(db: Path, monkeypatch: pytest.MonkeyPatch, page: str) -> None:
    monkeypatch.setenv("WETCEMENT_AUTH", "header")
    at = open_page(page)
    assert write_widgets(at) == []
    assert not [b for b in at.button]
    assert access.SIGN_IN_TEXT in shown_text(at)


def test_auth_with_the_header_signs_every_write(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # AppTest cannot send request headers; stand in for the proxy at the one place that reads them
    monkeypatch.setenv("WETCEMENT_AUTH", "header")
    monkeypatch.setenv("WETCEMENT_AUTH_HEADER", "X-Auth-Request-Email")
    monkeypatch.setattr(access, "_header_value",
                        lambda name: "ana@example.org" if name.lower() == "x-auth-request-email" else None)
    with store.session(db) as con:
        cid = candidates(con, limit=1, with_items=False)[0]["id"]
    at = open_page("candidate", id=cid)
    keys = write_widgets(at)
    assert "triage_save" in keys and "author_name" not in keys, "no free-text name behind the proxy"
    assert "Signed in as `ana@example.org`" in shown_text(at)
    at.text_area(key="triage_note").input("Signed by the proxy")
    at.button(key="triage_save").click().run()
    assert not at.exception
    with store.session(db) as con:
        notes = triage.triage_state(con, cid)["notes"]
    assert [(n["author"], n["text"]) for n in notes] == [("ana@example.org", "Signed by the proxy")]


def test_access_reads_the_header_case_blind_from_streamlit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WETCEMENT_AUTH", "header")
    monkeypatch.delenv("WETCEMENT_AUTH_HEADER", raising=False)
    monkeypatch.delenv("WETCEMENT_READ_ONLY", raising=False)
    headers = StreamlitHeaders([("x-forwarded-email", " ana@example.org ")])
    monkeypatch.setattr(access.st, "context", SimpleNamespace(headers=headers))
    assert access.auth_header() == "X-Forwarded-Email"
    assert access.can_write() and access.writer() == "ana@example.org" and access.refusal() is None
    monkeypatch.setattr(access.st, "context", SimpleNamespace(headers=StreamlitHeaders([("x-forwarded-email", "  ")])))
    assert not access.can_write() and access.writer() is None and access.refusal() == access.SIGN_IN_TEXT
    monkeypatch.setenv("WETCEMENT_READ_ONLY", "1")
    monkeypatch.setattr(access.st, "context", SimpleNamespace(headers=headers))
    assert not access.can_write() and access.refusal() == access.READ_ONLY_TEXT, "read-only wins"


def test_by_default_anyone_may_write_under_the_name_they_type(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WETCEMENT_READ_ONLY", "WETCEMENT_AUTH", "WETCEMENT_AUTH_HEADER"):
        monkeypatch.delenv(name, raising=False)
    assert access.can_write() and access.refusal() is None and access.auth_header() is None


def _serve_args(*argv: str) -> argparse.Namespace:
    from scanner.cli import build_parser

    return build_parser().parse_args(["serve", *argv])


def test_serve_passes_the_mode_to_the_dashboard(monkeypatch: pytest.MonkeyPatch, fresh_db: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    seen: dict[str, dict[str, str]] = {}

    def fake_call(cmd: list[str], env: dict[str, str], cwd: str) -> int:
        seen["env"] = env
        return 0

    monkeypatch.setattr(serve.subprocess, "call", fake_call)
    monkeypatch.setenv("WETCEMENT_READ_ONLY", "1")  # an inherited setting does not leak into the default
    for argv, expected, warned in [
        ([], ("", "", ""), False),
        (["--read-only"], ("1", "", ""), False),
        (["--auth", "header"], ("", "header", "X-Forwarded-Email"), False),
        (["--auth", "header", "--auth-header", "X-Auth-Request-Email", "--address", "0.0.0.0"],
         ("", "header", "X-Auth-Request-Email"), True),
    ]:
        args = _serve_args("--db", str(fresh_db), *argv)
        with pytest.raises(SystemExit) as done:
            serve.cmd_serve(args)
        assert done.value.code == 0
        env = seen["env"]
        assert (env["WETCEMENT_READ_ONLY"], env["WETCEMENT_AUTH"], env["WETCEMENT_AUTH_HEADER"]) == expected
        err = capsys.readouterr().err
        assert ("the sign-in proxy the only way in" in err) == warned, err


@pytest.mark.parametrize("argv, message", [
    (["--auth-header", "X-Email"], "--auth-header needs --auth header"),
    (["--auth", "header", "--auth-header", "X Email"], "is not a header name"),
    (["--auth", "password"], "invalid choice"),
])
def test_serve_refuses_a_bad_mode_with_one_line(fresh_db: Path, argv: list[str], message: str) -> None:
    out = subprocess.run([sys.executable, "-m", "scanner.cli", "--db", str(fresh_db), "serve", *argv],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert message in out.stderr and len(out.stderr.strip().splitlines()) == 1, out.stderr
