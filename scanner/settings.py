"""Settings as data: one declared list, with types, defaults and help text.

The dashboard's Settings page and the README's table (``python -m scanner.settings --markdown``)
are generated from `SETTINGS`, and a test checks that the README names every key.

Where a value lives: a dotted key ``a.b`` is field ``b`` of the JSON object stored under ``a``
in the ``settings`` table (so ``weights.gap`` is part of the ``weights`` object the scan reads);
a plain key is stored under its own name (`scanner.scanning.pipeline.set_setting`). This module imports
`scanner.scanning.pipeline` only inside functions, so the pipeline may import it. A setting with
``env`` is read from that environment variable and never stored: the webhook URL is a secret.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scanner.errors import BadInput
from scanner.judge.rank import COMPONENTS, DEFAULT_WEIGHTS, check_weights
from scanner.judge.signals import WINDOW_DAYS
from scanner.store.settings import read_setting, write_setting
from scanner.taxonomy import DOMAIN_BY_SLUG
from scanner.team.alerts import check_webhook_url

TYPES = ("float", "int", "specs", "domains", "url")
SECTIONS = {
    "weights": "Weights of the wet-cement score",
    "scope": "Specs in scope",
    "signals": "Signals",
    "alerts": "Alerts",
    "domains": "Your own precedent domains",
}

_WEIGHT_HELP = {
    "gap": "1 − coverage: how little the specs in scope say about the capability",
    "momentum": "items and distinct organisations in the recent window, and their growth",
    "novelty": "how recently the affordance first appeared, and how far it is from older ones",
    "inertia": "evidence for the four channels of inertia: APIs and protocols, several vendors, "
               "enterprise rollouts, training on outputs",
    "precedent": "how strongly it touches an open precedent domain (non-principals, memory, commerce…)",
    "affordance": "how surely the items announce a new capability (the classifier's confidence, best three)",
    "team_interest": "reserved for a relevance model learned from the team's decisions",
    "cement": "how wet the cement still is: 1 when no two vendors share a stated default, 0.8–1 while "
              "they converge (more with momentum), 0.1 once most ship the same default or a spec governs it",
}

_SLUG = re.compile(r"^[a-z][a-z0-9-]{1,39}$")
MAX_DOMAINS = 20


@dataclass(frozen=True)
class Setting:
    key: str
    type: str  # one of TYPES
    default: Any
    help: str
    section: str  # one of SECTIONS
    minimum: float | None = None
    maximum: float | None = None
    env: str | None = None
    label: str = ""

    @property
    def title(self) -> str:
        """A short name for forms: ``label``, else the key's last part in words."""
        return self.label or self.key.rpartition(".")[2].replace("_", " ").capitalize()

    @property
    def stored_as(self) -> tuple[str, str | None]:
        """(row in the settings table, field of its JSON object or None for the whole value)."""
        head, _, field = self.key.partition(".")
        return head, field or None


SETTINGS: tuple[Setting, ...] = (
    *(
        Setting(f"weights.{k}", "float", DEFAULT_WEIGHTS[k], f"Weight of {k.replace('_', ' ')}: {_WEIGHT_HELP.get(k, 'a part of the score')}.",
                "weights", 0.0, 10.0)
        for k in COMPONENTS
    ),
    Setting("specs_in_scope", "specs", None,
            "The specs that coverage and the gap are measured against (the latest version of each); "
            "unset: every spec in the library.", "scope", label="Specs"),
    Setting("momentum.window_days", "int", WINDOW_DAYS,
            "Days that count as recent for momentum (the growth compares them with the same span before).",
            "signals", 7, 365, label="Recent window for momentum (days)"),
    Setting("alerts.top_n", "int", 10,
            "An alert lists the affordances that entered the top N of the ranking.", "alerts", 1, 200,
            label="Top N"),
    Setting("alerts.min_move", "int", 5,
            "An alert lists the affordances that moved at least this many places.", "alerts", 1, 200,
            label="Minimum move (places)"),
    Setting("alerts.webhook_url", "url", None,
            "Slack-compatible incoming webhook that `wetcement update` posts alerts to. A secret: read "
            "from the environment, never stored.", "alerts", env="WETCEMENT_WEBHOOK_URL", label="Webhook URL"),
    Setting("precedent_domains", "domains", [],
            "The team's own open precedent domains, beside the essay's: a list of "
            "{slug, label, description}; the description is what affordances are compared with.",
            "domains", label="Domains"),
)
BY_KEY = {s.key: s for s in SETTINGS}


def setting(key: str) -> Setting:
    try:
        return BY_KEY[key]
    except KeyError:
        raise BadInput(f"unknown setting {key!r}; the settings are {', '.join(BY_KEY)}") from None


# --- checking values ------------------------------------------------------------------------


def _number(s: Setting, value: Any, kind: type) -> Any:
    if isinstance(value, bool):
        raise BadInput(f"{s.key}: {value!r} is not a number")
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise BadInput(f"{s.key}: {value!r} is not {'a whole number' if kind is int else 'a number'}") from None
    if kind is int and isinstance(value, float) and value != number:
        raise BadInput(f"{s.key}: {value!r} is not a whole number")
    if (s.minimum is not None and number < s.minimum) or (s.maximum is not None and number > s.maximum):
        raise BadInput(f"{s.key}: {number} must be between {s.minimum:g} and {s.maximum:g}")
    return number


def _one_line(value: Any, what: str, limit: int) -> str:
    text = " ".join(str(value or "").split())
    if not text:
        raise BadInput(f"{what} is empty")
    if len(text) > limit:
        raise BadInput(f"{what} is longer than {limit} characters")
    return text


def check_domains(value: Any) -> list[dict[str, str]]:
    """A list of {slug, label, description}: slugs lower-case, unique, not one of the essay's."""
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise BadInput("precedent_domains: a list of {slug, label, description}")
    if len(value) > MAX_DOMAINS:
        raise BadInput(f"precedent_domains: at most {MAX_DOMAINS} domains")
    out: list[dict[str, str]] = []
    for d in value:
        if not isinstance(d, Mapping):
            raise BadInput("precedent_domains: each domain is {slug, label, description}")
        slug = str(d.get("slug") or "").strip()
        if not _SLUG.match(slug):
            raise BadInput(f"domain slug {slug!r}: 2 to 40 lower-case letters, digits or '-', starting with a letter")
        if slug in DOMAIN_BY_SLUG:
            raise BadInput(f"domain slug {slug!r} is one of the essay's domains; pick another")
        if any(o["slug"] == slug for o in out):
            raise BadInput(f"domain slug {slug!r} appears twice")
        out.append({
            "slug": slug,
            "label": _one_line(d.get("label"), f"the label of domain {slug!r}", 80),
            "description": _one_line(d.get("description"), f"the description of domain {slug!r}", 1000),
        })
    return out


def check(key: str, value: Any) -> Any:
    """The value made canonical, or `BadInput` saying what is wrong."""
    s = setting(key)
    if s.type == "float":
        return _number(s, value, float)
    if s.type == "int":
        return _number(s, value, int)
    if s.type == "specs":
        if value is None:
            return None
        names = [value] if isinstance(value, str) else list(value)
        clean = sorted({str(n).strip() for n in names if str(n).strip()})
        return clean or None
    if s.type == "domains":
        return check_domains(value)
    if s.type == "url":
        return None if value in (None, "") else check_webhook_url(str(value))
    raise AssertionError(s.type)  # pragma: no cover - SETTINGS uses TYPES only


# --- reading and writing --------------------------------------------------------------------


def get(con: Any, key: str, environ: Mapping[str, str] | None = None) -> Any:
    """The value in force: the environment's or the stored one, else the default."""
    s = setting(key)
    if s.env:
        raw = (os.environ if environ is None else environ).get(s.env, "").strip()
        return raw or s.default
    head, field = s.stored_as
    stored = read_setting(con, head, None)
    if field is None:
        return s.default if stored is None else stored
    if isinstance(stored, Mapping) and field in stored:
        return stored[field]
    return s.default


def values(con: Any, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Every setting's value in force, by key, in the declared order."""
    return {s.key: get(con, s.key, environ) for s in SETTINGS}


def set_values(con: Any, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Check every change first, then store them (together, in the caller's transaction);
    returns the stored values. The weights must keep at least one above 0."""
    checked = {key: check(key, value) for key, value in changes.items()}
    for key in checked:
        if BY_KEY[key].env:
            raise BadInput(f"{key} is read from ${BY_KEY[key].env}; set it in the environment, not here")
    if checked.get("specs_in_scope"):
        known = {r[0] for r in con.execute("SELECT DISTINCT name FROM specs").fetchall()}
        unknown = [n for n in checked["specs_in_scope"] if n not in known]
        if unknown:
            raise BadInput(f"specs_in_scope: unknown spec(s) {', '.join(unknown)} (see `wetcement specs list`)")
    rows: dict[str, Any] = {}
    for key, value in checked.items():
        head, field = BY_KEY[key].stored_as
        if field is None:
            rows[head] = value
        else:
            if head not in rows:
                current = read_setting(con, head, {})
                rows[head] = dict(current) if isinstance(current, Mapping) else {}
            rows[head][field] = value
    if "weights" in rows:
        rows["weights"] = check_weights({**DEFAULT_WEIGHTS, **rows["weights"]})
    for head, value in rows.items():
        write_setting(con, head, value)
    return checked


def set_value(con: Any, key: str, value: Any) -> Any:
    return set_values(con, {key: value})[key]


def weights(con: Any) -> dict[str, float]:
    """The weights of the score in force: the stored ones over the defaults."""
    return {**DEFAULT_WEIGHTS, **(read_setting(con, "weights", None) or {})}


def set_weights(con: Any, weights: Mapping[str, Any]) -> dict[str, float]:
    """Check the whole set of weights (names, numbers, at least one above 0), store it, and
    return it."""
    checked = check_weights(dict(weights))
    write_setting(con, "weights", checked)
    return checked


def scope(con: Any) -> list[str] | None:
    """The saved specs in scope (None: every spec in the library)."""
    return read_setting(con, "specs_in_scope", None)


# --- documentation --------------------------------------------------------------------------


def _default_text(s: Setting) -> str:
    if s.env:
        return f"unset (`${s.env}`)"
    if s.default is None:
        return "every spec" if s.type == "specs" else "unset"
    if s.default == []:
        return "none"
    return f"`{s.default:g}`" if isinstance(s.default, float) else f"`{s.default}`"


def markdown_table() -> str:
    """The README's table of settings, one row per key."""
    lines = ["| Setting | Type | Default | What it does |", "|---|---|---|---|"]
    for s in SETTINGS:
        kind = s.type + (f" {s.minimum:g}–{s.maximum:g}" if s.minimum is not None and s.maximum is not None else "")
        text = s.help.replace("|", "\\|")
        lines.append(f"| `{s.key}` | {kind} | {_default_text(s)} | {text} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args != ["--markdown"]:
        print("usage: python -m scanner.settings --markdown", file=sys.stderr)
        return 2
    sys.stdout.write(markdown_table())
    return 0


__all__ = ["BY_KEY", "SECTIONS", "SETTINGS", "Setting", "check", "check_domains", "get", "markdown_table",
           "set_value", "set_values", "setting", "values"]

if __name__ == "__main__":
    raise SystemExit(main())
