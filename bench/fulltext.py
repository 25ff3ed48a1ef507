"""Does reading the whole announcement help? The affordance filter, leave one feed out, with and
without the full text of thin items:

    python bench/fulltext.py --md bench/FULLTEXT.md

There is no internet here and the archived feeds come without their article pages, so the pages
are built honestly from the archive itself: several publishers appear in two archived feeds, and
many links appear in more than one feed. For a labelled thin item (a summary under
``scanner.sources.fulltext.THIN_CHARS`` characters), when another archived feed holds a longer
text for the same link (joined on the canonical link), a page built from that longer text is
served from a local server on 127.0.0.1 and fetched through the scanner's own full-text step
(`fill_full_texts`: the careful fetcher, trafilatura's extraction, the store), into a scratch
database. The only change from a real run: the link is routed to the local server, and the
per-host interval is skipped (every page is on the one local host).

Three leave-one-feed-out runs, each fitting a model per held-out feed exactly as
``bench/quality.py`` does (the shipped models are never refitted or changed):

- feed text: every item as its feed gave it (the figure in QUALITY.md);
- full text when judging: the models fitted on feed text, the held-out feed's thin items read
  with their full text, which is what the shipped judge does with today's models;
- full text throughout: the same, but the training items read their full text too (what a refit
  with ``make train`` on a full-text corpus would give).

Needs ``../shared/realdata`` (or ``$WETCEMENT_REALDATA``) and the train extra.
"""

from __future__ import annotations

import argparse
import dataclasses
import html
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import train as T  # noqa: E402
from _corpus import Item, VectorCache, realdata_dir  # noqa: E402
from quality import auc, pr_auc  # noqa: E402

from scanner.judge.text import body  # noqa: E402
from scanner.sources.fulltext import THIN_CHARS, fill_full_texts  # noqa: E402
from tests.local_http import QuietHandler, local_server  # noqa: E402

SOURCE = "pages served locally, built from the longest text another archived feed holds for the same link"
OUT: list[str] = []


def emit(line: str = "") -> None:
    print(line)
    OUT.append(line)


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --- the archive: every feed's own text for each link ---------------------------------------------


def texts_by_link(realdata: Path) -> tuple[dict[str, list[tuple[str, str]]], list[int]]:
    """canonical link -> [(feed, summary)] over every archived feed, and every summary's length."""
    from scanner.sources.normalise import canonical_url
    from scanner.sources.parse import parse_feed

    out: dict[str, list[tuple[str, str]]] = {}
    lengths: list[int] = []
    for path in sorted((realdata / "feeds").glob("*.xml")):
        try:
            items = parse_feed(path.read_bytes(), source="bench").items
        except Exception as exc:  # a feed the scanner cannot read gives nothing here either
            say(f"{path.name}: {exc}")
            continue
        for it in items:
            lengths.append(len(it.summary))
            if it.url:
                out.setdefault(canonical_url(it.url) or it.url, []).append((path.stem, it.summary))
    return out, lengths


def page(title: str, text: str) -> bytes:
    """An article page around ``text``: a menu, the article in paragraphs of a few sentences, a footer."""
    sentences = re.split(r"(?<=[.!?])\s+", text)
    paras, cur = [], ""
    for s in sentences:
        cur = f"{cur} {s}".strip()
        if len(cur) > 400:
            paras.append(cur)
            cur = ""
    if cur:
        paras.append(cur)
    body_html = "".join(f"<p>{html.escape(p)}</p>" for p in paras)
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head><body>"
            "<nav><a href='/'>Home</a> <a href='/blog'>Blog</a> <a href='/careers'>Careers</a></nav>"
            f"<main><article><h1>{html.escape(title)}</h1>{body_html}</article></main>"
            "<footer>© The publisher · Privacy · Terms</footer></body></html>").encode()


@contextmanager
def serve(pages: dict[str, bytes]) -> Iterator[str]:
    class Handler(QuietHandler):
        def do_GET(self) -> None:
            data = pages.get(self.path)
            self.send_response(200 if data else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data or b"")))
            self.end_headers()
            self.wfile.write(data or b"")

    with local_server(Handler) as base:
        yield base


def with_longer_text(items: Sequence[Item], archive: dict[str, list[tuple[str, str]]]) -> dict[str, tuple[Item, str]]:
    """The thin items for which another archived feed holds a text of at least `THIN_CHARS`
    characters, longer than theirs: item id -> (item, the longest such text)."""
    from scanner.sources.normalise import canonical_url

    chosen: dict[str, tuple[Item, str]] = {}
    for it in items:
        if it.fold == "demo" or len(it.summary) >= THIN_CHARS:
            continue
        found = archive.get(canonical_url(it.url) or it.url, [])
        if len({feed for feed, _ in found}) < 2:
            continue  # no other archived feed carries this link
        longest = max((s for _, s in found), key=len)
        if len(longest) >= THIN_CHARS and len(longest) > len(it.summary):
            chosen[it.id] = (it, longest)
    return chosen


def fetch_pages(chosen: dict[str, tuple[Item, str]]) -> tuple[dict[str, str], dict[str, int]]:
    """item id -> full text, through the scanner's full-text step, from pages built from the
    given texts and served on 127.0.0.1; and the count of each outcome."""
    from functools import partial

    from scanner import store
    from scanner.sources import http
    from scanner.sources.fulltext import PAGE_LIMITS

    if not chosen:
        return {}, {}
    pages = {f"/p/{iid}": page(it.title, text) for iid, (it, text) in chosen.items()}
    os.environ[http.ALLOW_PRIVATE_ENV] = "1"  # the local server is on 127.0.0.1
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    with tempfile.TemporaryDirectory() as tmp, serve(pages) as base:
        db = Path(tmp) / "fulltext.duckdb"
        local = {it.url: f"{base}/p/{iid}" for iid, (it, _) in chosen.items()}
        with store.session(db) as con:
            con.execute("INSERT INTO sources (name, url, kind) VALUES ('archive', 'https://archive.invalid/feed', 'rss')")
            con.executemany(
                "INSERT INTO items (id, url, title, summary, source, published, first_seen, updated_at, content_hash, sources) "
                "VALUES (?, ?, ?, ?, 'archive', ?, ?, ?, ?, ['archive'])",
                [[iid, it.url, it.title, it.summary, it.published, now, now, iid] for iid, (it, _) in chosen.items()],
            )
        fetch = partial(http.fetch, limits=PAGE_LIMITS)
        run = fill_full_texts(db, fetch=lambda url: fetch(local[url]), sleep=lambda _s: None,
                              max_pages=len(chosen), max_seconds=float("inf"))
        with store.session(db) as con:
            got = dict(con.execute("SELECT id, full_text FROM items WHERE full_text IS NOT NULL").fetchall())
    return got, run.outcomes


def teaser(text: str) -> str:
    """A thin feed's teaser made from a full feed text: its first sentence, cut under `THIN_CHARS`."""
    first = re.split(r"(?<=[.!?])\s+", text.strip(), maxsplit=1)[0]
    return first if len(first) < THIN_CHARS else first[: THIN_CHARS - 2].rsplit(" ", 1)[0] + "…"


def read_full(items: Sequence[Item], full: dict[str, str], cache: VectorCache) -> list[Item]:
    """``items`` as the judge reads them when ``full`` holds their full text (new vectors too)."""
    grown = [dataclasses.replace(it, summary=body(it.summary, full[it.id])) for it in items if it.id in full]
    swap = {it.id: dataclasses.replace(it, vector=v) for it, v in zip(grown, cache.embed([g.text for g in grown]), strict=True)}
    return [swap.get(it.id, it) for it in items]


# --- leave one feed out ----------------------------------------------------------------------------


def lofo(items: Sequence[Item], folds: Sequence[str], tests: dict[str, Sequence[Item]]) -> dict[str, np.ndarray]:
    """Held-out raw logits: for each of ``folds``, a model fitted on the other feeds' items (as
    their feeds gave them, as in quality.py) scores that fold's items in each list of ``tests``
    (lists aligned with ``items``). NaN outside ``folds``."""
    raw = {name: np.full(len(items), np.nan) for name in tests}
    for k, fold in enumerate(folds, 1):
        model = T.fit_raw_affordance([it for it in items if it.fold != fold])
        mine = [i for i, it in enumerate(items) if it.fold == fold]
        for name, test in tests.items():
            raw[name][mine] = T.raw_logits(model, [test[i] for i in mine])
        say(f"  {k}/{len(folds)} feeds held out ({fold})")
    return raw


def figures(y: np.ndarray, raw: np.ndarray, mask: np.ndarray) -> tuple[float | None, float | None]:
    keep = mask & ~np.isnan(raw)
    return auc(y[keep], raw[keep]), pr_auc(y[keep], raw[keep])


def fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def cell(y: np.ndarray, raw: np.ndarray, mask: np.ndarray) -> str:
    pos = int(y[mask].sum())
    if min(pos, int(mask.sum()) - pos) < 3:
        return f"– (only {pos} of {int(mask.sum())} items are affordances)"
    a, p = figures(y, raw, mask)
    return f"{fmt(a)} / {fmt(p)}"


SIM_MIN_AFFORDANCES = 8  # the simulation's folds: feeds with at least this many labelled launches at length


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--md", help="also write the report as Markdown to this file")
    ap.add_argument("--json", help="also write the figures as JSON to this file")
    args = ap.parse_args(argv)
    realdata = realdata_dir()
    if realdata is None:
        print("fulltext: ../shared/realdata is missing (set WETCEMENT_REALDATA)", file=sys.stderr)
        return 2
    started = time.perf_counter()
    items, _ = T.load_training(realdata)
    cache = VectorCache()
    y = np.array([it.label for it in items])
    real = np.array([it.fold != "demo" for it in items])
    thin = np.array([len(it.summary) < THIN_CHARS for it in items]) & real
    archive, lengths = texts_by_link(realdata)

    # 1. the archive's own second texts
    chosen = with_longer_text(items, archive)
    say(f"{len(items)} labelled items, {int(thin.sum())} thin; {len(chosen)} have a longer text in another feed")
    full, outcomes = fetch_pages(chosen)
    with_full = read_full(items, full, cache)
    gained = np.array([it.id in full for it in items])

    # 2. simulated thin feeds: items whose feed gave a full text, cut to a teaser
    counts: dict[str, int] = {}
    for it in items:
        if it.fold != "demo" and not len(it.summary) < THIN_CHARS:
            counts[it.fold] = counts.get(it.fold, 0) + it.label
    sim_folds = sorted(f for f, n in counts.items() if n >= SIM_MIN_AFFORDANCES)
    sim = np.array([it.fold in sim_folds and len(it.summary) >= THIN_CHARS for it in items])
    teasers = [dataclasses.replace(it, summary=teaser(it.summary)) if sim[i] else it for i, it in enumerate(items)]
    teased = [dataclasses.replace(t, vector=v) for t, v in
              zip([t for i, t in enumerate(teasers) if sim[i]], cache.embed([t.text for i, t in enumerate(teasers) if sim[i]]), strict=True)]
    teasers = [teased.pop(0) if sim[i] else t for i, t in enumerate(teasers)]
    sim_full, sim_outcomes = fetch_pages({t.id: (t, items[i].summary) for i, t in enumerate(teasers) if sim[i]})
    sim_read = read_full(teasers, sim_full, cache)
    cache.save()

    folds = sorted({it.fold for it in items if it.id in full} | set(sim_folds))
    say(f"leave one feed out on {len(folds)} feeds (the shipped path's models: fitted on feed text)")
    raw = lofo(items, folds, {"feed text": items, "full text": with_full, "teaser": teasers, "teaser, then full text": sim_read})

    # the other feeds' held-out scores, as bench/quality.py saved them, for the figure over every feed
    saved = Path(tempfile.gettempdir()) / "wetcement-quality-filter.npz"
    overall: dict[str, str] = {}
    check = None
    if saved.is_file():
        with np.load(saved, allow_pickle=False) as f:
            base = f["raw"] if len(f["raw"]) == len(items) and (f["y"] == y).all() else None
        if base is not None:
            done = ~np.isnan(raw["feed text"])
            check = float(np.nanmax(np.abs(base[done] - raw["feed text"][done])))
            if check < 1e-6:
                overall = {"feed text": cell(y, base, real),
                           "full text": cell(y, np.where(done, raw["full text"], base), real)}
    n = np.asarray(lengths)
    shared = [[len(t) for _, t in v] for v in archive.values() if len({f for f, _ in v}) >= 2]

    emit("# Full text for thin items: the filter with and without it")
    emit()
    emit(f"Written by `python bench/fulltext.py --md bench/FULLTEXT.md`. Article pages: {SOURCE}. Each page was "
         "fetched through the scanner's own full-text step (`scanner.sources.fulltext.fill_full_texts`: the feeds' "
         "fetcher with the pages' limits, trafilatura's extraction, the store) from a local server on 127.0.0.1, "
         "with the per-host interval skipped (one local host). No page came from the internet.")
    emit()
    emit("## How thin the real feeds are")
    emit()
    emit(f"Summary lengths over the {len(n):,} items of the archived feeds: {np.mean(n == 0):.0%} have none, "
         f"{np.mean(n < 100):.0%} fewer than 100 characters, {np.mean(n < THIN_CHARS):.0%} fewer than {THIN_CHARS} "
         f"(the scanner's threshold for thin), {np.mean(n < 500):.0%} fewer than 500. Of the {int(real.sum())} "
         f"labelled real items, {int(thin.sum())} are thin ({int(y[thin].sum())} of them affordances).")
    emit()
    emit("## The archive's own second texts")
    emit()
    emit(f"Thin labelled items whose link another archived feed carries with a text of at least {THIN_CHARS} "
         f"characters: {len(chosen)}; pages fetched: {', '.join(f'{v} {k}' for k, v in sorted(outcomes.items())) or 'none'}; "
         f"items that gained a full text: {int(gained.sum())} ({int(y[gained].sum())} affordances). The archive "
         f"holds few such pairs: of the {len(shared)} links that two or more feeds share, "
         f"{sum(max(v) < THIN_CHARS for v in shared)} are thin in every feed and "
         f"{sum(min(v) >= THIN_CHARS for v in shared)} long in every feed.")
    emit()
    emit("Leave one feed out; the models are fitted on feed text, as the shipped models are, and the held-out "
         "feed is read as the scanner reads it (ROC-AUC / PR-AUC of the raw scores):")
    emit()
    emit("| read as | the items that gained a full text | their feeds' items | every real item |")
    emit("|---|---|---|---|")
    in_folds = np.array([it.fold in {x.fold for x in items if x.id in full} for it in items])
    for name in ("feed text", "full text"):
        emit(f"| {name} | {cell(y, raw[name], gained)} | {cell(y, raw[name], in_folds)} | {overall.get(name, '–')} |")
    emit()
    if overall:
        emit(f"Every real item: the other feeds' held-out scores are `bench/quality.py`'s saved ones; its scores "
             f"for the refitted feeds matched this run's to within {check:.1e}.")
    else:
        emit("Every real item: left out (no saved `bench/quality.py` run with the same labels to reuse).")
    emit()
    emit("## Simulated thin feeds")
    emit()
    emit(f"Too few real pairs to measure much, so a simulation, said as such: in the {len(sim_folds)} feeds with at "
         f"least {SIM_MIN_AFFORDANCES} labelled affordances among their items at length ({', '.join(sim_folds)}), each "
         f"such item ({int(sim.sum())}, {int(y[sim].sum())} affordances) is cut to a teaser (its first sentence, under "
         f"{THIN_CHARS} characters), and its article page is built from its own feed text and fetched the same way "
         f"({', '.join(f'{v} {k}' for k, v in sorted(sim_outcomes.items()))}). A real teaser is written for the feed "
         "and may say more or less than a first sentence.")
    emit()
    emit("| read as | the simulated items |")
    emit("|---|---|")
    for name in ("feed text", "teaser", "teaser, then full text"):
        emit(f"| {name} | {cell(y, raw[name], sim)} |")
    emit()
    emit("Not measured: models refitted on full text (every fold refitted, about a quarter of an hour on this "
         "machine now); the shipped models were not refitted for this.")
    emit()
    emit(f"_Measured in {time.perf_counter() - started:.0f} s on the shared 2-core development machine._")
    out = {"gained": int(gained.sum()), "simulated": int(sim.sum()), "check": check,
           "cells": {name: {"gained": figures(y, r, gained), "simulated": figures(y, r, sim)} for name, r in raw.items()},
           "overall": overall}
    if args.md:
        Path(args.md).write_text("\n".join(OUT) + "\n", encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
