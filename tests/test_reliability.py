"""Reliability (issue #7): writers racing a scan, two scans at once, an update under dashboard
reads, backups that round-trip exactly, and a soak.

Each test is built to fail without the protection it proves: notes must land *while* a scan
embeds (the scan holds the database only for short steps), a second scan must be refused by the
scan lock and say so, reads must never fail or see a half-written edition, and a restore must
read all of a backup before trusting it and must not swap the file under a running writer.

The helpers here (CLI runner, table dumps, consistency checks, synthetic feeds, the local feed
server from ``bench/soak.py``) are shared with ``test_crashes.py`` and ``test_hostile.py``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from scanner import store

REPO = Path(__file__).resolve().parents[1]
SPEC_DIGEST = REPO / "data" / "demo" / "specs" / "openai-model-spec.digest.txt"


def _load_soak() -> Any:
    spec = importlib.util.spec_from_file_location("wetcement_bench_soak", REPO / "bench" / "soak.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


soak = _load_soak()
FeedServer = soak.FeedServer
reply = soak.reply
run_measured = soak.run_measured

# `-m soak` selects the soak; register the marker (pyproject.toml lists the project's markers)
_config = getattr(pytest.mark, "_config", None)
if _config is not None and "soak" not in {m.split(":")[0].strip() for m in _config.getini("markers")}:
    _config.addinivalue_line("markers", "soak: long consecutive update cycles (opt-in: -m soak)")


# --- shared helpers ----------------------------------------------------------------------------


def cli_env(*, embedder: str | None = "hashing", **extra: str) -> dict[str, str]:
    """The environment for a `wetcement` subprocess (``embedder=None``: the real model)."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(REPO)}
    env.pop("WETCEMENT_EMBEDDER", None)
    env.pop("WETCEMENT_ALLOW_PRIVATE_NETWORKS", None)
    if embedder:
        env["WETCEMENT_EMBEDDER"] = embedder
    env.update(extra)
    return env


def cli_cmd(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "scanner.cli", "--db", str(db), *args]


def cli(db: Path, *args: str, env: dict[str, str] | None = None,
        timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cli_cmd(db, *args), capture_output=True, text=True, cwd=REPO,
                          env=env or cli_env(), timeout=timeout)


def one_line(err: str) -> str:
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one stderr line, got:\n{err}"
    return lines[0]


def dump(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, canonically ordered."""
    with store.session(db, read_only=True) as con:
        return soak.table_dump(con)


def problems(db: Path) -> list[str]:
    with store.session(db, read_only=True) as con:
        return soak.consistency_problems(con)


def synthetic_items(n: int, *, seed: int, start: datetime, step: timedelta = timedelta(hours=3),
                    tag: str = "") -> list[dict[str, Any]]:
    """Launch-like announcements with unique titles and links (no reposts among them)."""
    doings = soak.DOINGS
    words = ["today", "beta", "users", "everyone", "app", "api", "assistant", "agent", "now"]
    out = []
    for i in range(n):
        org = soak.ORGS[(i + seed) % len(soak.ORGS)]
        doing = doings[(i * 5 + seed) % len(doings)]
        extra = " ".join(words[(i * k + seed) % len(words)] for k in range(1, 6))
        out.append({
            "url": f"https://{org.lower()}.example/{tag or 's'}{seed}/{i}",
            "title": f"{org} assistant {doing} ({tag}{seed}-{i})",
            "summary": f"Starting {extra}: the assistant {doing}. Ref {seed}-{i}.",
            "published": (start + step * i).isoformat(),
            "org": org,
        })
    return out


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def ingest_rows(db: Path, rows: list[dict[str, Any]], tmp: Path, source: str = "synthetic") -> None:
    from scanner.sources.ingest import ingest_paths

    feed = write_jsonl(tmp / f"{source}.jsonl", rows)
    with store.session(db) as con:
        ingest_paths(con, [feed], source)


def add_spec(db: Path) -> None:
    from scanner.specs.library import parse_spec, store_spec

    with store.session(db) as con:
        store_spec(con, parse_spec(SPEC_DIGEST.read_bytes(), where=str(SPEC_DIGEST), name=None))


def rss(items: list[dict[str, Any]], title: str = "feed") -> bytes:
    from email.utils import format_datetime
    from xml.sax.saxutils import escape

    body = "".join(
        f"<item><title>{escape(i['title'])}</title><link>{escape(i['url'])}</link>"
        f"<description>{escape(i['summary'])}</description>"
        f"<pubDate>{format_datetime(datetime.fromisoformat(i['published']).replace(tzinfo=UTC))}</pubDate></item>"
        for i in items
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>https://{title}.example/</link>{body}</channel></rss>").encode()


class Lines:
    """Reads a process's stream in a thread, timestamping each line."""

    def __init__(self, stream: Any) -> None:
        self.lines: list[tuple[float, str]] = []
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: Any) -> None:
        for line in stream:
            with self._cond:
                self.lines.append((time.monotonic(), line.rstrip("\n")))
                self._cond.notify_all()
        with self._cond:
            self.lines.append((time.monotonic(), "<EOF>"))
            self._cond.notify_all()

    def wait_for(self, needle: str, timeout: float) -> float:
        """The time the first line containing ``needle`` arrived."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for at, line in self.lines:
                    if needle in line:
                        return at
                    if line == "<EOF>":
                        raise AssertionError(f"{needle!r} never came: {self.text()}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{needle!r} did not come in {timeout} s: {self.text()}")
                self._cond.wait(left)

    def join(self) -> None:
        self._thread.join(timeout=30)

    def text(self) -> str:
        return "\n".join(line for _, line in self.lines)


@pytest.fixture
def hashing_store(fresh_db: Path, tmp_path: Path) -> Path:
    """1,500 synthetic items and a spec, not scanned yet (a scan takes a few seconds)."""
    ingest_rows(fresh_db, synthetic_items(1500, seed=1, start=datetime(2025, 1, 1)), tmp_path)
    add_spec(fresh_db)
    return fresh_db


# --- 1a. notes written while a scan runs -------------------------------------------------------


def _latest(db: Path) -> tuple[date, list[str]]:
    with store.session(db, read_only=True) as con:
        day = con.execute("SELECT max(edition) FROM editions").fetchone()[0]
        ids = [r[0] for r in con.execute(
            "SELECT candidate_id FROM edition_candidates WHERE edition = ? ORDER BY rank", [day]
        ).fetchall()]
    return day, ids


def test_fifty_notes_race_a_real_model_scan_and_all_land(demo_db: Path, tmp_path: Path) -> None:
    """50 notes, written as the dashboard writes them (threads, each note its own short session,
    giving up after 8 s), while `wetcement scan` with the real model embeds 200 new items: every
    note is kept, and notes commit *during* the embedding (the scan does not hold the database
    while it loads the model and embeds)."""
    from scanner.team.triage import set_triage

    day, ids = _latest(demo_db)
    ids = ids[:10]
    start = datetime(day.year, day.month, day.day) - timedelta(days=60)
    ingest_rows(demo_db, synthetic_items(200, seed=11, start=start, step=timedelta(hours=6)), tmp_path)
    with store.session(demo_db) as con:  # triaged before: the racing writes only add notes
        for cid in ids:
            set_triage(con, cid, status="watching", author="chair")
    finished: list[tuple[float, str, str | None]] = []
    expected = {f"race note {w}-{k}: written during the scan": ids[(w * 10 + k) % 10]
                for w in range(5) for k in range(10)}

    def writer(w: int) -> None:
        for k in range(10):
            text = f"race note {w}-{k}: written during the scan"
            try:
                with store.session(demo_db, wait=8) as con:
                    set_triage(con, expected[text], note=text, author="racer")
                finished.append((time.monotonic(), text, None))
            except Exception as exc:  # noqa: BLE001 - a lost note is the failure
                finished.append((time.monotonic(), text, f"{type(exc).__name__}: {exc}"))
            time.sleep(0.8)

    with subprocess.Popen(cli_cmd(demo_db, "scan", "--as-of", day.isoformat(), "--format", "json"),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
                          env=cli_env(embedder=None, WETCEMENT_DB_WAIT="120")) as scan:
        err = Lines(scan.stderr)
        began = err.wait_for("embedding", timeout=120)
        threads = [threading.Thread(target=writer, args=(w,)) for w in range(5)]
        for t in threads:
            t.start()
        embedded = err.wait_for("embedded", timeout=300)
        scan.wait(timeout=300)
        scan_end = time.monotonic()
        for t in threads:
            t.join()
        result = json.loads(scan.stdout.read())
        err.join()
    assert scan.returncode == 0, err.text()
    assert result["new_items"] == 200 and result["embedded"] >= 200
    assert [f for f in finished if f[2]] == []
    with store.session(demo_db, read_only=True) as con:
        stored = dict(con.execute("SELECT text, candidate_id FROM notes WHERE author = 'racer'").fetchall())
    assert stored == expected
    during_embedding = [at for at, _, _ in finished if began <= at <= embedded]
    before_end = [at for at, _, _ in finished if at <= scan_end]
    assert len(during_embedding) >= 10, (len(during_embedding), embedded - began)
    assert len(before_end) >= 25
    assert problems(demo_db) == []


def test_first_notes_from_concurrent_dashboard_sessions_all_land(demo_db: Path) -> None:
    from scanner.team.triage import set_triage

    _, ids = _latest(demo_db)
    errors: list[str] = []
    expected: set[tuple[str, str]] = set()
    for round_no, cid in enumerate(ids[:5]):
        barrier = threading.Barrier(10)

        def write(k: int, cid: str = cid, barrier: threading.Barrier = barrier,
                  round_no: int = round_no) -> None:
            barrier.wait()
            try:
                with store.session(demo_db, wait=30) as con:
                    set_triage(con, cid, note=f"note {round_no}-{k}", author="session")
            except Exception as exc:  # noqa: BLE001 - every lost note is the finding
                errors.append(f"{type(exc).__name__}: {exc}")

        threads = [threading.Thread(target=write, args=(k,)) for k in range(10)]
        expected |= {(cid, f"note {round_no}-{k}") for k in range(10)}
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    with store.session(demo_db, read_only=True) as con:
        stored = set(con.execute("SELECT candidate_id, text FROM notes WHERE author = 'session'").fetchall())
    assert errors == [] and stored == expected, errors[:3]


# --- 1b. two scans at once ---------------------------------------------------------------------


def test_second_scan_is_refused_with_4_or_waits_and_finds_nothing_to_do(hashing_store: Path) -> None:
    db = hashing_store
    as_of = ["--as-of", "2026-01-01", "--format", "json"]
    with subprocess.Popen(cli_cmd(db, "scan", *as_of), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, cwd=REPO,
                          env=cli_env(WETCEMENT_DB_WAIT="120")) as first:
        err = Lines(first.stderr)
        err.wait_for("embedding", timeout=60)
        impatient = subprocess.Popen(cli_cmd(db, "scan", *as_of), stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, cwd=REPO,
                                     env=cli_env(WETCEMENT_DB_WAIT="0"))
        patient = subprocess.Popen(cli_cmd(db, "scan", *as_of), stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, cwd=REPO,
                                   env=cli_env(WETCEMENT_DB_WAIT="120"))
        with impatient, patient:
            i_out, i_err = impatient.communicate(timeout=120)
            assert first.poll() is None, "the first scan ended before the second gave up"
            first.wait(timeout=300)
            first_end = time.monotonic()
            p_out, p_err = patient.communicate(timeout=300)
            patient_end = time.monotonic()
        first_result = json.loads(first.stdout.read())
        err.join()
    assert first.returncode == 0, err.text()
    assert impatient.returncode == 4, i_err
    assert "another scan is running" in one_line(i_err) and i_out == ""
    assert patient.returncode == 0, p_err
    second = json.loads(p_out)
    assert patient_end >= first_end
    assert first_result["new_items"] == 1500 and first_result["embedded"] > 1500
    assert (second["new_items"], second["embedded"]) == (0, 0), second
    assert second["candidates"] == first_result["candidates"]
    assert problems(db) == []


# --- 1c. an update while the dashboard reads ---------------------------------------------------

READER = r"""
import json, sys, time
from pathlib import Path
from scanner import store
from scanner.views import report
db, stop, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
reads, errors, seen = [], [], []
def read():
    began = time.time()
    try:
        with store.session(db) as con:  # as the dashboard does: a short-lived connection
            rows = report.candidates(con)
            day = rows[0]["edition"] if rows else None
            n = con.execute("SELECT n_candidates FROM editions WHERE edition = ?", [day]).fetchone()[0] if day else 0
        if len(rows) != n or [r["rank"] for r in rows] != list(range(1, n + 1)):
            errors.append(f"torn read: {len(rows)} rows, edition says {n}")
        seen.append((day, n))
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    reads.append((began, time.time()))
while not stop.exists():
    read()
    time.sleep(0.05)
read()  # the page reloaded after the update: it must see the new edition
out.write_text(json.dumps({"reads": reads, "errors": errors, "seen": seen}))
"""


def test_update_while_the_dashboard_reads(tmp_path: Path, fresh_db: Path) -> None:
    db = fresh_db
    first = synthetic_items(60, seed=3, start=datetime(2025, 6, 1))
    more = synthetic_items(300, seed=4, start=datetime(2025, 6, 2), step=timedelta(minutes=20))
    stop, out = tmp_path / "stop", tmp_path / "reads.json"
    env = cli_env(WETCEMENT_ALLOW_PRIVATE_NETWORKS="1", WETCEMENT_DB_WAIT="60")
    with FeedServer() as server:
        server.routes["/feed.xml"] = rss(first, "vendor")
        assert cli(db, "sources", "add", server.url("/feed.xml"), "--name", "vendor", env=env).returncode == 0
        add_spec(db)
        done = cli(db, "update", env=env)
        assert done.returncode == 0, done.stderr
        before = _latest(db)
        server.routes["/feed.xml"] = rss(first + more, "vendor")
        reader = subprocess.Popen([sys.executable, "-c", READER, str(db), str(stop), str(out)],
                                  cwd=REPO, env=cli_env(WETCEMENT_DB_WAIT="60"),
                                  stderr=subprocess.PIPE, text=True)
        with reader:
            time.sleep(1.5)
            began = time.time()
            upd = cli(db, "update", "--format", "json", env=env, timeout=300)
            ended = time.time()
            time.sleep(0.5)
            stop.touch()
            _, reader_err = reader.communicate(timeout=60)
    assert reader.returncode == 0, reader_err
    assert upd.returncode == 0, upd.stderr
    fetched = json.loads(upd.stdout)
    assert fetched["fetch"][0]["new"] == 300 and fetched["scan"]["new_items"] == 300
    log = json.loads(out.read_text())
    assert log["errors"] == []
    reads = log["reads"]
    assert any(r[1] <= began for r in reads) and any(r[0] >= ended for r in reads)
    overlapping = [r for r in reads if r[0] < ended and r[1] > began]
    assert overlapping  # the reader kept reading (or waiting its turn) while the update ran
    assert max(r[1] - r[0] for r in reads) < 30  # a read waits for a write step, not for ever
    after = _latest(db)
    assert log["seen"][-1] == [after[0].isoformat(), len(after[1])]
    assert len(after[1]) >= len(before[1])
    assert problems(db) == []


# --- 5. backups --------------------------------------------------------------------------------


def _mutate(db: Path) -> None:
    from scanner.sources.ingest import ingest_paths
    from scanner.team.triage import set_triage

    day, ids = _latest(db)
    with store.session(db) as con:
        set_triage(con, ids[0], status="watching", owner="ana", note="after the backup")
        con.execute("DELETE FROM specs WHERE name = 'anthropic-usage-policy'")
        con.execute("DELETE FROM edition_candidates WHERE rank > 3")
        tmp = db.parent / "late.jsonl"
        write_jsonl(tmp, synthetic_items(3, seed=99, start=datetime(2025, 11, 1)))
        ingest_paths(con, [tmp])


def test_backup_and_restore_round_trip_exactly(demo_db: Path, tmp_path: Path) -> None:
    before = dump(demo_db)
    out = cli(demo_db, "backup", str(tmp_path / "b" / "demo.bak"))
    assert out.returncode == 0, out.stderr
    assert dump(tmp_path / "b" / "demo.bak") == before
    assert not list((tmp_path / "b").glob("*.partial"))
    _mutate(demo_db)
    assert dump(demo_db) != before
    out = cli(demo_db, "restore", str(tmp_path / "b" / "demo.bak"))
    assert out.returncode == 0, out.stderr
    after = dump(demo_db)
    assert after.keys() == before.keys()
    for table in before:
        assert after[table] == before[table], table
    assert not list(tmp_path.glob(".demo.duckdb.restore-*"))
    assert cli(demo_db, "candidates", "--format", "json").returncode == 0


def _damage_a_data_block(path: Path) -> None:
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        block = con.execute(
            "SELECT min(block_id) FROM pragma_storage_info('items') WHERE block_id >= 0"
        ).fetchone()[0]
    finally:
        con.close()
    data = bytearray(path.read_bytes())
    at = 3 * 4096 + block * 262144 + 64  # after the file's three header blocks
    data[at : at + 64] = bytes(b ^ 0xFF for b in data[at : at + 64])
    path.write_bytes(bytes(data))
    con = duckdb.connect(str(path), read_only=True)
    try:  # the damage must really hit a block that holds rows (DuckDB checks block checksums)
        with pytest.raises(duckdb.Error, match="checksum"):
            con.execute("SELECT bit_xor(hash(i)) FROM items i").fetchall()
    finally:
        con.close()


def _corrupt(kind: str, good: Path, target: Path) -> Path:
    import duckdb

    if kind == "directory":
        target.mkdir()
    elif kind == "empty":
        target.write_bytes(b"")
    elif kind == "text":
        target.write_text("this is not a database\n")
    elif kind == "garbage":
        target.write_bytes(os.urandom(300_000))
    elif kind == "truncated":
        target.write_bytes(good.read_bytes()[: good.stat().st_size // 3])
    elif kind == "damaged-block":
        shutil.copy(good, target)
        _damage_a_data_block(target)
    elif kind == "not-wetcement":
        con = duckdb.connect(str(target))
        con.execute("CREATE TABLE t AS SELECT 42 AS answer")
        con.close()
    elif kind == "missing":
        pass
    return target


@pytest.fixture(scope="module")
def demo_backup(demo_db_master: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A good backup of the demo (taken from a private copy, so the shared master is untouched)."""
    from scanner.store.backup import backup

    tmp = tmp_path_factory.mktemp("demo-backup")
    shutil.copy(demo_db_master, tmp / "demo.duckdb")
    return backup(tmp / "demo.duckdb", tmp / "demo.bak")


@pytest.mark.parametrize("kind", ["missing", "directory", "empty", "text", "garbage", "truncated",
                                  "damaged-block", "not-wetcement"])
def test_restoring_a_bad_backup_exits_2_and_keeps_the_database(
        demo_db: Path, demo_backup: Path, tmp_path: Path, kind: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    from scanner.cli import main

    bad = _corrupt(kind, demo_backup, tmp_path / f"{kind}.bak")
    before = dump(demo_db)
    code = main(["--db", str(demo_db), "restore", str(bad)])
    out, err = capsys.readouterr()
    assert code == 2, (code, err)
    assert str(bad) in one_line(err) and out == ""
    assert dump(demo_db) == before
    assert not list(tmp_path.glob(".demo.duckdb.restore-*"))
    assert problems(demo_db) == []


@pytest.mark.parametrize("state", ["missing", "garbage", "damaged-block"])
def test_restore_repairs_a_missing_or_damaged_database(demo_backup: Path, tmp_path: Path,
                                                       state: str) -> None:
    db = tmp_path / "wetcement.duckdb"
    if state == "garbage":
        db.write_bytes(b"garbage" * 50_000)
    elif state == "damaged-block":
        shutil.copy(demo_backup, db)
        _damage_a_data_block(db)
    out = cli(db, "restore", str(demo_backup))
    assert out.returncode == 0, out.stderr
    assert dump(db) == dump(demo_backup)
    assert problems(db) == []


def test_restoring_an_older_backup_migrates_it(demo_db: Path, tmp_path: Path) -> None:
    import duckdb

    old = tmp_path / "v2.bak"
    con = duckdb.connect(str(old))
    store.migrate(con, 2)
    con.execute("INSERT INTO sources (name, url, kind) VALUES ('old-feed', 'https://old.example/feed', 'rss')")
    con.execute("INSERT INTO notes VALUES ('aff-old', TIMESTAMP '2024-01-01 10:00:00', 'ana', 'kept')")
    con.close()
    out = cli(demo_db, "restore", str(old))
    assert out.returncode == 0, out.stderr
    with store.session(demo_db, read_only=True) as con:
        assert store.schema_version(con) == store.LATEST
        assert con.execute("SELECT name FROM sources").fetchall() == [("old-feed",)]
        assert con.execute("SELECT text FROM notes").fetchall() == [("kept",)]
        assert con.execute("SELECT count(*) FROM items").fetchone()[0] == 0
    assert old.read_bytes()[:4096] and dump(old)["schema_version"][-1][0] == 2  # the backup is untouched


HOLDER = r"""
import sys
from scanner import store
from scanner.team.triage import set_triage
with store.session(sys.argv[1]) as con:
    set_triage(con, sys.argv[2], note="written while a restore was asked for", author="holder")
    print("holding", flush=True)
    sys.stdin.readline()  # hold the database (a transaction open) until told to finish
"""


def _holder(db: Path, cid: str) -> subprocess.Popen[str]:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db), cid], cwd=REPO, env=cli_env(),
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    return holder


def test_restore_never_swaps_the_file_under_a_running_writer(demo_db: Path, tmp_path: Path) -> None:
    backup = tmp_path / "demo.bak"
    assert cli(demo_db, "backup", str(backup)).returncode == 0
    _, ids = _latest(demo_db)
    with _holder(demo_db, ids[0]) as holder:
        out = cli(demo_db, "restore", str(backup), env=cli_env(WETCEMENT_DB_WAIT="1"))
        holder.communicate("done\n", timeout=60)
    assert holder.returncode == 0
    assert out.returncode == 4, out.stderr
    assert "busy" in one_line(out.stderr)
    with store.session(demo_db, read_only=True) as con:
        kept = con.execute("SELECT count(*) FROM notes WHERE author = 'holder'").fetchone()[0]
    assert kept == 1  # the writer's committed note was not thrown away with a swapped file
    assert problems(demo_db) == []
    # given time, the restore waits for the writer to finish, then restores
    with _holder(demo_db, ids[1]) as holder, subprocess.Popen(
            cli_cmd(demo_db, "restore", str(backup)), cwd=REPO, env=cli_env(WETCEMENT_DB_WAIT="60"),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as restore:
        time.sleep(1.0)
        assert restore.poll() is None  # waiting for the writer
        holder.communicate("done\n", timeout=60)
        _, err = restore.communicate(timeout=120)
    assert restore.returncode == 0, err
    assert dump(demo_db) == dump(backup)


@pytest.mark.parametrize("where", ["directory", "under-a-file", "the-database"])
def test_backup_to_a_bad_place_exits_2(demo_db: Path, tmp_path: Path, where: str) -> None:
    (tmp_path / "a-file").write_text("x")
    target = {"directory": tmp_path, "under-a-file": tmp_path / "a-file" / "x.bak",
              "the-database": demo_db}[where]
    before = dump(demo_db)
    out = cli(demo_db, "backup", str(target))
    assert out.returncode == 2, out.stderr
    one_line(out.stderr)
    assert dump(demo_db) == before


# --- 6. soak (opt-in: -m soak) -----------------------------------------------------------------


@pytest.mark.soak
def test_soak_ten_update_cycles(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    if "soak" not in (request.config.option.markexpr or ""):
        pytest.skip("opt-in: run with `-m soak` (bench/soak.py runs the full 50 cycles)")
    report = soak.run(10, embedder="hashing", workdir=tmp_path)
    assert report["failures"] == []
    assert report["items_served"] == 10 * 15 + 10  # three busy feeds and a quiet one
    assert report["rss_flat"], (report["rss_first_mb"], report["rss_last_mb"])
