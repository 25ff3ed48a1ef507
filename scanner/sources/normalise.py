"""Pure normalisation of feed fields: text, links, dates, organisations.

Policy for items without a date: they are dated at the moment they were first seen, and marked
``date_missing`` so that the dashboard can say so and momentum can discount them.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scanner.sources import markup

MAX_TITLE = 400
MAX_SUMMARY = 4000

# Zero-width and bidirectional control characters: invisible, and able to disguise text.
_INVISIBLE = dict.fromkeys(
    [0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF, 0x00AD]
    + list(range(0x202A, 0x202F))
    + list(range(0x2066, 0x206A))
)
_SPACE = re.compile(r"\s+")
_BLOCK_TAGS = {"p", "br", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote"}
_NOT_TEXT = {"script", "style", "template"}


def markup_text(value: str, *, every_tag_breaks: bool = False) -> str:
    """The text of an HTML fragment, parsed by lexbor: scripts, styles and templates go, block
    tags (or, with ``every_tag_breaks``, all tags) separate words, character references decode."""
    parts: list[str] = []
    breaks = None if every_tag_breaks else _BLOCK_TAGS
    for root in markup.parse(value):
        for event, node in markup.walk(root, lambda n: n.tag in _NOT_TEXT):
            if event == markup.TEXT:
                parts.append(node.text_content or "")
            elif breaks is None or node.tag in breaks:
                parts.append(" ")
    return "".join(parts)


def plain_text(value: str | None, limit: int = MAX_SUMMARY) -> str:
    """Markup becomes text; control, zero-width and bidi characters go; whitespace collapses."""
    if not value:
        return ""
    if "<" in value and ">" in value:
        value = markup_text(value[: limit * 20])
    return clean_text(html.unescape(value), limit)


def clean_text(value: str, limit: int = MAX_SUMMARY) -> str:
    """Text (no markup) made safe to show: control, zero-width and bidi characters go,
    whitespace collapses, and it is cut to ``limit`` characters."""
    value = value.translate(_INVISIBLE)
    value = "".join(
        ch if (ch in "\t\n\r " or unicodedata.category(ch)[0] != "C") else " " for ch in value
    )
    value = _SPACE.sub(" ", value).strip()
    if len(value) > limit:
        value = value[: limit - 1].rstrip() + "…"
    return value


_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_hsenc|_hsmi|igshid|yclid|"
    r"ref|ref_src|ref_url|source|src|cmpid|cid|campaign|trk|sr_share|s_cid|si|spm)$",
    re.IGNORECASE,
)


def canonical_url(url: str | None) -> str | None:
    """A stable form of an http(s) link: lower-case host, no fragment, no tracking parameters.

    Returns None for anything that is not an http(s) URL with a host.
    """
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    try:
        port = parts.port
    except ValueError:
        return None
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)
    ]
    path = parts.path or "/"
    # Changelogs tell entries apart by anchor (``/changelog#1.12.2``), so an anchor is kept;
    # only navigation and text-highlight fragments are dropped.
    fragment = parts.fragment
    if fragment.lower() in ("", "top", "main", "content", "comments", "respond") or fragment.startswith(":~:"):
        fragment = ""
    return urlunsplit((scheme, host, path, urlencode(sorted(query)), fragment))


def parse_date(value: str | datetime | None) -> datetime | None:
    """Any common feed date (RFC 822, ISO 8601, with or without zone) as naive UTC, or None.

    A date without a zone is taken as UTC.
    """
    if value is None or value == "":
        return None
    dt: datetime | None
    if isinstance(value, datetime):
        dt = value
    else:
        text = str(value).strip()
        dt = None
        try:
            dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            try:
                dt = parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError):
                dt = None
        if dt is None:
            for fmt in ("%Y-%m-%d", "%d %B %Y", "%B %d, %Y", "%b %d, %Y", "%Y/%m/%d"):
                try:
                    dt = datetime.strptime(text, fmt)
                    break
                except ValueError:
                    continue
        if dt is None:
            return None
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    if not (1990 <= dt.year <= 2200):
        return None
    return dt.replace(microsecond=0)


# Registered domains of organisations that announce affordances; anything else falls back to
# the domain's own name.
_ORG_DOMAINS = {
    "openai.com": "OpenAI",
    "anthropic.com": "Anthropic",
    "claude.com": "Anthropic",
    "claude.ai": "Anthropic",
    "blog.google": "Google",
    "google.com": "Google",
    "deepmind.google": "Google DeepMind",
    "deepmind.com": "Google DeepMind",
    "meta.com": "Meta",
    "fb.com": "Meta",
    "ai.meta.com": "Meta",
    "microsoft.com": "Microsoft",
    "github.blog": "GitHub",
    "github.com": "GitHub",
    "mistral.ai": "Mistral AI",
    "cohere.com": "Cohere",
    "x.ai": "xAI",
    "apple.com": "Apple",
    "amazon.com": "Amazon",
    "aboutamazon.com": "Amazon",
    "aws.amazon.com": "Amazon",
    "stripe.com": "Stripe",
    "visa.com": "Visa",
    "mastercard.com": "Mastercard",
    "paypal.com": "PayPal",
    "paypal-corp.com": "PayPal",
    "shopify.com": "Shopify",
    "cursor.com": "Cursor",
    "windsurf.com": "Windsurf",
    "perplexity.ai": "Perplexity",
    "cloudflare.com": "Cloudflare",
    "salesforce.com": "Salesforce",
    "w3.org": "W3C",
    "huggingface.co": "Hugging Face",
    "deeplearning.ai": "DeepLearning.AI",
    "aisi.gov.uk": "AI Security Institute",
    "modelcontextprotocol.io": "Model Context Protocol",
    "linuxfoundation.org": "Linux Foundation",
}


def org_from_url(url: str | None) -> str | None:
    """The organisation behind a link, from its domain."""
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    labels = host.split(".")
    for i in range(len(labels) - 1):
        candidate = ".".join(labels[i:])
        if candidate in _ORG_DOMAINS:
            return _ORG_DOMAINS[candidate]
    if len(labels) >= 2:
        return labels[-2].capitalize()
    return host or None


def content_hash(title: str, summary: str) -> str:
    """The embedding cache key of an item's text."""
    return hashlib.sha256(f"{title}\n{summary}".encode()).hexdigest()[:32]


def text_hash(title: str, summary: str, full_text: str | None) -> str:
    """The embedding cache key of what the judge reads: `content_hash` when there is no full
    text, so an item's key changes (and it is embedded and judged again) when its text grows."""
    return content_hash(title, f"{summary}\n\x00full text\n{full_text}" if full_text else summary)


def item_id(url: str | None, guid: str | None, title: str, source: str) -> str:
    """A stable id: the canonical link, else the GUID, else the source and title."""
    basis = url or (f"guid:{guid}" if guid else f"title:{source}:{title.lower()}")
    return hashlib.sha256(basis.encode()).hexdigest()[:16]


def title_key(title: str) -> str:
    """A loose key for spotting the same announcement reposted under the same title."""
    text = unicodedata.normalize("NFKD", title.lower())
    return re.sub(r"[^a-z0-9]+", " ", text).strip()
