"""Synthetic, deterministic test data for the performance bench (bench/run.py).

Two things, both from a seed and nothing else:

- :func:`make_items`: feed rows ``{url, title, published, summary, org}`` in one JSON Lines file
  per source, as ``scanner.sources.ingest.ingest_paths`` reads them. The text is built from templates ×
  capabilities × organisations × verbs × details, so that it is varied enough for the embedding
  cache, the classifier and grouping to behave as they do on real feeds:

  * about 85 % routine news (funding, hires, events, benchmarks, research papers, guides,
    policy, partnerships, customer stories, newsletters, model releases, security), 15 %
    affordance announcements (a capability of the taxonomy, launched by an organisation);
  * about 35 % of the rows are titles only (no summary), as many feeds are;
  * reposts: an aggregator or a partner's feed repeats an item's title within three days
    (the store folds them into the first item), and a few exact reposts of the same link;
  * near-duplicates: the same launch reworded by another outlet days later (a new text, which
    should land in the same affordance);
  * dates over two years, with launches of one capability coming in waves, as they do.

- :func:`make_spec`: a long Markdown spec (about 300 pages, 150,000 words) with a heading
  hierarchy (parts, chapters, sections), directive paragraphs, list items, commentary and
  worked examples.

``python bench/_synth.py --items 1000 --out /tmp/x`` writes a sample to look at.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

SEED = 20260501
END = date(2026, 4, 30)  # the newest item of a generated set (the full scan's edition)
SPAN_DAYS = 730  # two years of news

# --- organisations and their feeds -------------------------------------------------------------

# (name, domain, products): the vendors and companies whose blogs the scanner would follow.
ORGS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("OpenAI", "openai.com", ("ChatGPT", "the OpenAI API", "Codex", "Sora", "ChatGPT Enterprise")),
    ("Anthropic", "anthropic.com", ("Claude", "Claude Code", "the Claude API", "Claude for Work")),
    ("Google", "blog.google", ("Gemini", "Gemini Live", "Google Search", "Gmail", "Android")),
    ("Google DeepMind", "deepmind.google", ("Gemini", "Project Astra", "Veo", "Imagen")),
    ("Microsoft", "blogs.microsoft.com", ("Copilot", "Microsoft 365 Copilot", "GitHub Copilot", "Edge")),
    ("Meta", "about.fb.com", ("Meta AI", "Ray-Ban Meta glasses", "WhatsApp", "Llama")),
    ("Amazon", "aboutamazon.com", ("Alexa+", "Amazon Bedrock", "Rufus", "Amazon Q")),
    ("Apple", "apple.com", ("Apple Intelligence", "Siri", "Xcode")),
    ("Mistral AI", "mistral.ai", ("Le Chat", "La Plateforme", "Mistral Agents")),
    ("Cohere", "cohere.com", ("North", "Command", "the Cohere API")),
    ("xAI", "x.ai", ("Grok", "the Grok API")),
    ("Perplexity", "perplexity.ai", ("Perplexity", "Comet", "Perplexity Pro")),
    ("Hugging Face", "huggingface.co", ("HuggingChat", "the Hub", "smolagents")),
    ("GitHub", "github.blog", ("GitHub Copilot", "Copilot coding agent", "GitHub Models")),
    ("Stripe", "stripe.com", ("Stripe", "the Agent Toolkit", "Link")),
    ("Visa", "visa.com", ("Visa Intelligent Commerce", "Visa cards")),
    ("Mastercard", "mastercard.com", ("Agent Pay", "Mastercard cards")),
    ("Shopify", "shopify.com", ("Shopify Magic", "Sidekick", "Shop app")),
    ("Cloudflare", "blog.cloudflare.com", ("Workers AI", "AI Gateway", "Agents SDK")),
    ("Salesforce", "salesforce.com", ("Agentforce", "Slack AI", "Einstein")),
    ("Notion", "notion.com", ("Notion AI", "Notion Mail")),
    ("Zoom", "zoom.com", ("Zoom AI Companion", "Zoom Workplace")),
    ("Character.AI", "character.ai", ("Character.AI", "c.ai")),
    ("Replit", "blog.replit.com", ("Replit Agent", "Replit")),
    ("Cursor", "cursor.com", ("Cursor", "Cursor background agents")),
    ("Samsung", "news.samsung.com", ("Galaxy AI", "Bixby")),
    ("Adobe", "blog.adobe.com", ("Firefly", "Acrobat AI Assistant")),
    ("Duolingo", "blog.duolingo.com", ("Duolingo Max", "Video Call")),
    ("Spotify", "newsroom.spotify.com", ("AI DJ", "Spotify")),
    ("Klarna", "klarna.com", ("the Klarna assistant", "Klarna")),
    ("Nimbus Labs", "nimbuslabs.ai", ("Nimbus", "Nimbus Studio")),
    ("Larkspur AI", "larkspur.ai", ("Larkspur", "Larkspur Agents")),
    ("Quillwork", "quillwork.io", ("Quill", "Quill for Teams")),
    ("Tessellate", "tessellate.dev", ("Tess", "the Tessellate API")),
    ("Orbital Health", "orbitalhealth.com", ("Orbital Assist", "Orbital Records")),
    ("Brightline Robotics", "brightline.ai", ("Brightline Home", "Brightline Pendant")),
)

# Aggregators and outlets that repost other organisations' news.
OUTLETS = ("ai-news-digest", "tech-wire", "dev-roundup", "agents-weekly", "product-hunt-ai", "the-inference")

# --- affordance announcements --------------------------------------------------------------------

# capability slug (scanner.taxonomy) → feature phrases (noun phrases) and "can now ..." actions
FEATURES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "persistent-memory": (
        ("memory across conversations", "saved memories", "long-term memory", "chat history recall", "personal context memory"),
        ("remember details from your past conversations", "recall your preferences across chats", "use your chat history to personalise answers"),
    ),
    "computer-use": (
        ("computer use", "a desktop operator", "screen control for agents", "an agent that operates your computer"),
        ("operate a desktop: click, type and scroll", "control your computer to finish tasks", "move the cursor and fill in apps for you"),
    ),
    "browser-agent": (
        ("a browsing agent", "an agentic browser", "web agents", "agent mode in the browser"),
        ("navigate the web and fill in forms for you", "complete multi-step tasks in your browser", "book and order on websites on your behalf"),
    ),
    "voice-realtime": (
        ("real-time voice", "a voice mode", "the Realtime API", "speech-to-speech conversation", "live voice chat"),
        ("talk with you in natural real-time speech", "hold a spoken conversation with low latency", "speak and listen in 30 languages"),
    ),
    "live-camera-vision": (
        ("live camera vision", "video in voice mode", "camera sharing", "visual search through the camera"),
        ("see what your camera sees and talk about it", "identify what you point your phone at", "answer questions about the world around you in real time"),
    ),
    "screen-sharing": (
        ("screen sharing", "screen awareness", "on-screen context"),
        ("see your screen and help in context", "read what is on your screen and suggest next steps"),
    ),
    "ambient-devices": (
        ("an always-on wearable", "an AI pendant", "smart glasses with an assistant", "an assistant on smart home displays", "AI earbuds"),
        ("listen and help throughout your day", "stay aware of your surroundings on your glasses", "answer from any device in your home"),
    ),
    "agent-payments": (
        ("agent payments", "agentic payment tokens", "cards for AI agents", "agent wallets with spending limits"),
        ("pay for things on your behalf within limits you set", "complete transactions with a tokenised card", "make purchases with a mandate you approve"),
    ),
    "agentic-checkout": (
        ("instant checkout", "shopping in the chat", "agentic commerce", "product discovery and checkout"),
        ("buy products without leaving the conversation", "compare merchants and check out for you", "complete a purchase inside the assistant"),
    ),
    "agent-to-agent-protocol": (
        ("the Agent2Agent protocol", "an agent-to-agent standard", "interoperable agent messaging"),
        ("let agents from different vendors talk to each other", "discover and collaborate with other agents"),
    ),
    "mcp-tool-connectors": (
        ("MCP connectors", "Model Context Protocol support", "app integrations", "a connector directory", "remote MCP servers"),
        ("connect to your tools through MCP", "call external tools and data sources", "use apps inside the chat"),
    ),
    "deep-research": (
        ("deep research", "a research agent", "research mode", "in-depth research reports"),
        ("research a question across hundreds of sources", "write a cited report after minutes of browsing"),
    ),
    "coding-agent": (
        ("a coding agent", "background coding agents", "an agent in the terminal", "automated code review", "a CLI coding agent"),
        ("open pull requests in your repository", "run tests and fix bugs in your codebase", "work on tickets in the background and open PRs"),
    ),
    "background-tasks": (
        ("scheduled tasks", "background tasks", "proactive reminders", "long-running agents", "recurring tasks"),
        ("run tasks on a schedule and report back", "work for hours in the background", "check back proactively when a task is done"),
    ),
    "phone-calls": (
        ("AI phone calls", "a calling agent", "call-for-me"),
        ("call businesses on your behalf", "phone restaurants and stores for you", "answer the phone for your business"),
    ),
    "email-calendar-actions": (
        ("email and calendar actions", "an inbox agent", "Gmail and Calendar integration", "document actions"),
        ("draft and send emails for you", "schedule meetings in your calendar", "triage your inbox and reply"),
    ),
    "image-generation": (
        ("native image generation", "image editing", "text-to-image in the chat"),
        ("generate and edit images from a prompt", "edit your photos with a sentence"),
    ),
    "video-generation": (
        ("video generation", "text-to-video with sound", "a video model in the app"),
        ("generate short videos with audio from text", "turn a photo into a video clip"),
    ),
    "web-search": (
        ("search in the chat", "real-time web search", "answers with citations"),
        ("search the web and cite its sources", "answer with up-to-date information from the web"),
    ),
    "enterprise-connectors": (
        ("enterprise admin controls", "company knowledge connectors", "workspace-wide deployment", "SSO and compliance controls"),
        ("search your company's documents with admin controls", "deploy across the organisation with governance"),
    ),
    "custom-assistants": (
        ("custom assistants", "skills", "custom GPTs", "projects with custom instructions", "personas"),
        ("build your own assistant with instructions and files", "package reusable skills for your team"),
    ),
    "companionship": (
        ("AI companions", "personality settings", "characters with memory", "an emotional support mode"),
        ("chat with a companion that knows you", "choose the assistant's personality and warmth"),
    ),
    "teen-safety": (
        ("parental controls", "age prediction", "a teen mode", "family accounts"),
        ("adapt its answers for users under 18", "let parents link accounts and set limits"),
    ),
    "health-data": (
        ("health records integration", "a health assistant", "medical record connectors"),
        ("answer questions about your own medical records", "connect health apps and explain lab results"),
    ),
    "model-self-knowledge": (
        ("the ability to end abusive conversations", "a model welfare programme", "introspection research in the product"),
        ("end conversations that stay abusive", "describe its own nature with more care"),
    ),
    "extended-reasoning": (
        ("extended thinking", "adjustable reasoning effort", "visible reasoning", "a thinking mode"),
        ("think longer before it answers", "show its reasoning step by step"),
    ),
    "fine-tuning-on-outputs": (
        ("reinforcement fine-tuning", "distillation from model outputs", "fine-tuning on traces"),
        ("fine-tune smaller models on a larger model's outputs", "train on your own agent traces"),
    ),
    "file-and-app-creation": (
        ("artifacts", "a canvas", "spreadsheet and slide creation", "an app builder"),
        ("create documents, spreadsheets and slides", "build and share small apps from a prompt"),
    ),
    "multi-agent-orchestration": (
        ("sub-agents", "agent teams", "multi-agent orchestration", "handoffs between agents"),
        ("split a task between sub-agents that coordinate", "hand work off between specialised agents"),
    ),
    "agent-identity": (
        ("signed agents", "agent identity verification", "trusted agent credentials", "OAuth for agents"),
        ("prove which agent is acting for which person", "authenticate AI agents on websites"),
    ),
}

LAUNCH_VERBS = ("launches", "introduces", "rolls out", "unveils", "brings", "adds", "ships", "announces", "debuts", "expands")
TITLE_TEMPLATES = (
    "{org} {verb} {feature} in {product}",
    "Introducing {feature} for {product}",
    "{product} can now {action}",
    "{product} gets {feature}",
    "New in {product}: {feature}",
    "{org} {verb} {feature}",
    "{feature} is now available in {product}",
    "{product} now lets you {action}",
    "{org} brings {feature} to {product} users",
    "Now in beta: {feature} in {product}",
)
REWORDED = (  # how another outlet retells the same launch
    "{org}'s {product} adds {feature}",
    "{org} {product} update: {feature}",
    "Hands-on with {feature} in {product}",
    "{product} can {action} now, says {org}",
    "{org} expands {feature} to more {product} users",
)
AVAILABILITY = (
    "Rolling out today to Plus and Pro users, with Team and Enterprise to follow.",
    "Available now in beta in the US, and in more regions in the coming weeks.",
    "Developers can try it through the API starting today.",
    "It is generally available for all customers at no extra cost.",
    "Available in preview on web, iOS and Android.",
    "Enterprise admins can turn it on for their workspace from the admin console.",
    "The feature ships first in English and expands to 20 languages later this year.",
    "Free users get a limited number of uses each day.",
)
DETAILS = (
    "Users stay in control and can review, edit or turn it off at any time.",
    "It works with an open protocol so that third-party developers can build on it.",
    "Partners across the industry have committed to adopt the same standard.",
    "Under the hood, a new model was trained on synthetic data to handle these tasks.",
    "It asks for confirmation before taking irreversible actions.",
    "The company says the feature was the most requested by its community.",
    "Early testers used it for travel planning, shopping and paperwork.",
    "Data stays in your account and is not used to train models by default.",
)

# --- routine news --------------------------------------------------------------------------------

PEOPLE = ("Maria Chen", "David Okafor", "Priya Raman", "Tom Becker", "Aiko Tanaka", "Lucas Moreau", "Sara Lindqvist",
          "James Walker", "Fatima Al-Sayed", "Noah Kim", "Elena Petrova", "Diego Alvarez", "Hannah Weiss", "Omar Haddad")
ROLES = ("Chief Technology Officer", "Chief Financial Officer", "Head of Policy", "VP of Engineering",
         "Chief Product Officer", "General Counsel", "Head of Research", "Chief Operating Officer")
CITIES = ("San Francisco", "London", "Paris", "Tokyo", "Berlin", "New York", "Singapore", "Toronto", "Bangalore", "Seoul")
BENCHMARKS = ("SWE-bench Verified", "MMLU-Pro", "GPQA Diamond", "ARC-AGI", "HumanEval", "MATH-500", "LiveCodeBench",
              "Humanity's Last Exam", "OSWorld", "tau-bench", "BrowseComp", "AIME 2025")
TOPICS = ("reward hacking", "sparse autoencoders", "long-context retrieval", "tokenizer design", "scaling laws",
          "mixture-of-experts routing", "sycophancy", "chain-of-thought faithfulness", "model calibration",
          "data contamination", "jailbreak robustness", "multilingual evaluation", "synthetic data quality",
          "in-context learning", "reasoning traces", "low-resource languages", "energy use of inference")
GUIDE_TOPICS = ("prompt caching", "structured outputs", "evaluating RAG pipelines", "building effective agents",
                "function calling", "rate limits", "fine-tuning a small model", "latency optimisation",
                "writing system prompts", "testing LLM apps", "batch processing", "embedding search",
                "migrating to the new SDK", "cost monitoring", "tool design for agents")
INDUSTRIES = ("banking", "retail", "healthcare", "logistics", "insurance", "telecom", "education", "legal", "media",
              "manufacturing", "travel", "energy", "the public sector")
CUSTOMERS = ("Acme Bank", "Northwind Traders", "Globex", "Initech", "Umbrella Health", "Stark Logistics",
             "Wayne Media", "Cyberdyne Insurance", "Tyrell Retail", "Soylent Foods", "Hooli", "Vandelay Industries")
COUNTRIES = ("the UK", "Japan", "India", "Germany", "France", "Brazil", "Canada", "Australia", "Korea", "the UAE")
EVENTS = ("DevDay", "the developer conference", "the AI Summit", "our annual keynote", "a community hackathon",
          "the research symposium", "office hours", "a livestream", "the partner summit", "a webinar")
MODELS = ("GPT-5.1", "Claude Opus 4.5", "Gemini 3 Pro", "Llama 4.1", "Mistral Large 3", "Command A", "Grok 4",
          "Nova Premier", "Phi-5", "Qwen 3.5", "Gemma 4", "Claude Haiku 4.5", "GPT-5 mini", "Gemini 3 Flash")

ROUTINE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # kind: (title templates, summary templates)
    "funding": (
        ("{org} raises ${amount}M Series {letter} at a ${val}B valuation",
         "{org} closes ${amount}M funding round led by {investor}",
         "{org} secures ${amount}M to scale {area}",
         "Why {investor} is betting ${amount}M on {org}'s {area}"),
        ("The round was led by {investor}, with participation from existing investors. The money will fund research and hiring in {city}.",
         "{org} plans to use the funding to expand its team and its compute capacity.",
         "The company said the valuation reflects growing demand from enterprise customers in {industry}."),
    ),
    "hires": (
        ("{org} appoints {person} as {role}", "{person} joins {org} as {role}",
         "Welcoming {person}, formerly of {customer}, to the {org} board", "{org} names {person} {role}",
         "We're hiring: {n} open roles in {city} for {area}"),
        ("{person} previously led teams at {customer} and brings 20 years of experience in {industry}.",
         "The appointment comes as {org} expands its leadership team ahead of its next phase of growth.",
         "{person} will report to the CEO and be based in {city}."),
    ),
    "events": (
        ("Join us at {event} in {city} on {month} {day}", "Register for {event} on {month} {day}", "Highlights from {event} {year} in {city}",
         "{org} at {event}: sessions, demos and office hours", "Livestream: {person} on {guide_topic} at {event}",
         "Recap of the {city} hackathon on {area}"),
        ("Sessions cover {guide_topic}, {guide_topic2} and a fireside chat with {person}.",
         "Seats are limited; register now to attend in person or watch the livestream.",
         "Thanks to the {n} developers who joined us in {city}."),
    ),
    "benchmarks": (
        ("{model} tops {bench} with {score}%", "{model} sets a new state of the art on {bench} ({score}%)",
         "{org} results on {bench} and {bench2}", "How {model} scores on {bench}",
         "Leaderboard update: {bench} for {month} {year}, {model} leads"),
        ("The model scores {score}% on {bench}, up from {score2}% for the previous version.",
         "We report results on {bench}, {bench2} and internal evaluations, with full methodology.",
         "Independent evaluators confirmed the scores on a held-out set."),
    ),
    "research": (
        ("New paper: {topic} in {model} and other large language models", "What we learned studying {topic} and {topic2}",
         "{org} research on {topic} with {customer}", "A study of {topic} across {n} models", "Findings on {topic} and {topic2} from {city}",
         "Interpretability: tracing {topic} in {model}", "Our technical report on {topic} in {model}"),
        ("We investigate {topic} across model sizes and find that it grows with scale.",
         "The paper introduces a new method for measuring {topic} and releases the dataset.",
         "Our analysis suggests {topic} can be reduced with simple changes to training."),
    ),
    "guides": (
        ("How to use {guide_topic} with {product}", "A guide to {guide_topic} and {guide_topic2}", "Best practices for {guide_topic} with {product}",
         "Cookbook: {guide_topic} in {n} steps with {product}", "{n} tips for {guide_topic} in {product}", "Deep dive: {guide_topic} for {industry} teams",
         "How {customer} cut costs with {guide_topic}"),
        ("This guide walks through {guide_topic} with code samples and common pitfalls.",
         "We share the patterns that worked for teams building with {product}.",
         "Learn when to use {guide_topic} and how to measure the results."),
    ),
    "policy": (
        ("Our comments on the proposed AI regulation in {country}", "{org}'s approach to the EU AI Act",
         "Testimony before the Senate on {topic}", "Our principles for elections in {country} in {year}",
         "{org} signs voluntary commitments on {topic}", "Policy update: {topic} and {area} in {country}"),
        ("We submitted comments to the regulator on how the rules should treat general-purpose models.",
         "The document sets out our position on transparency, safety testing and open research.",
         "We support clear rules that protect people without slowing research."),
    ),
    "business": (
        ("{org} partners with {customer} to bring AI to {industry}", "Customer story: how {customer} uses {product}",
         "{org} opens a new office in {city} with {n} staff", "{org} expands {product} to {country} and {country2}",
         "{org} reports record revenue from {industry} customers in {month}", "{org} and {org2} announce a multi-year partnership",
         "{customer} deploys {product} to {n},000 employees"),
        ("The partnership covers {industry} customers in {country} and {country2}.",
         "{customer} says employees save hours each week on routine work.",
         "The new office will host {n} engineers and researchers."),
    ),
    "deals": (
        ("{org} acquires {startup} to strengthen {area}", "{org} agrees to buy {startup} for ${amount}M",
         "{org} signs a compute deal for {n} GW of data centres", "{org} and {org2} sign a chips agreement",
         "{org} takes a stake in {startup}"),
        ("The deal is expected to close next quarter, subject to regulatory approval.",
         "The agreement secures GPU capacity for training the next generation of models.",
         "{startup}'s team will join {org}'s research group in {city}."),
    ),
    "models": (
        ("{org} releases {model} for {industry}", "Introducing {model}, our fastest model yet", "{model} is the new default model in {product}",
         "{model}: cheaper and smaller", "Meet {model}: better at {guide_topic}", "{model} system card and {bench} results"),
        ("{model} is faster and cheaper than its predecessor, with better coding and reasoning benchmarks.",
         "The new model is available in the API today at a lower price per token.",
         "We publish the system card with the results of our safety evaluations."),
    ),
    "newsletters": (
        ("This week in AI: issue {n}", "The weekly roundup: {topic}, {model} and more", "Newsletter: {month} {year}, {topic} and {area}",
         "Recap: the biggest AI news of {month}"),
        ("This week: {model}, a study of {topic}, and {org}'s new office in {city}.",
         "Our picks from the week's papers, launches and funding rounds."),
    ),
    "security": (
        ("Disrupting malicious uses of AI: {month} {year} report", "How we detect fraud on {product}",
         "Incident report: {product} outage on {month} {day}", "Protecting {product} from prompt injection attacks",
         "Threat intelligence update: {topic} attacks on {product}"),
        ("We banned accounts linked to influence operations and share indicators with partners.",
         "The outage lasted {n} minutes; we explain the cause and what we changed.",
         "Attackers tried to use scraping and fake accounts; our defences blocked most attempts."),
    ),
    "vision": (
        ("Reflections on {year}: {area} and {topic}", "Our vision for the future of {area}", "Lessons from a year of {area}",
         "Why we build {area} in the open in {city}", "A letter to our community about {area} in {year}"),
        ("We look back at what we shipped and what we learned about {area}.",
         "We believe {area} will change how people work, and explain how we think about the risks."),
    ),
}
ROUTINE_WEIGHTS = {
    "funding": 10, "hires": 8, "events": 10, "benchmarks": 9, "research": 14, "guides": 14, "policy": 6,
    "business": 11, "deals": 5, "models": 6, "newsletters": 4, "security": 3, "vision": 3,
}
INVESTORS = ("Sequoia", "a16z", "Lightspeed", "Thrive Capital", "General Catalyst", "Index Ventures", "Accel", "SoftBank")
AREAS = ("AI agents", "open models", "enterprise AI", "AI safety", "developer tools", "multimodal AI", "AI infrastructure")
STARTUPS = ("Vectorly", "Promptworks", "Synthara", "Gradient Labs", "Tokenforge", "Latentic", "Evalbase", "Agentry",
            "Cortexa", "Datafold AI", "Ragstack", "Inferix")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")

AFFORDANCE_SHARE = 0.15
TITLE_ONLY_SHARE = 0.35
REPOST_SHARE = 0.08  # extra rows: the same title from another source within three days
EXACT_REPOST_SHARE = 0.02  # extra rows: the same link in another feed
REWORD_SHARE = 0.06  # of affordance items: a second outlet's retelling (a near-duplicate)


@dataclass
class Row:
    source: str
    url: str
    title: str
    published: datetime
    summary: str | None
    org: str | None

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {"url": self.url, "title": self.title, "published": self.published.isoformat()}
        if self.summary:
            out["summary"] = self.summary
        if self.org:
            out["org"] = self.org
        return out


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:70]


def _source_of(org: str) -> str:
    return _slug(org).replace("-", "") + "-blog"


class _Gen:
    def __init__(self, seed: int, end: date) -> None:
        self.rng = random.Random(seed)
        self.end = datetime(end.year, end.month, end.day, 23, 0)
        self.start = self.end - timedelta(days=SPAN_DAYS)
        self.n = 0
        caps = sorted(FEATURES)
        # each capability has 2-3 waves: periods when many organisations ship it
        self.waves = {
            c: sorted(self.rng.uniform(0, SPAN_DAYS) for _ in range(self.rng.choice((2, 3)))) for c in caps
        }

    def date(self, around: float | None = None, spread: float = 25.0) -> datetime:
        r = self.rng
        if around is None:
            day = r.uniform(0, SPAN_DAYS)
        else:
            day = min(SPAN_DAYS, max(0.0, r.gauss(around, spread)))
        when = self.start + timedelta(days=day, minutes=r.randrange(0, 24 * 60))
        return min(self.end, when).replace(second=0, microsecond=0)  # nothing after the edition's day

    def url(self, domain: str, title: str) -> str:
        self.n += 1
        return f"https://{domain}/news/{_slug(title)}-{self.n}"

    def values(self, org: tuple[str, str, tuple[str, ...]], when: datetime) -> dict[str, object]:
        r = self.rng
        other = r.choice(ORGS)
        return {
            "org": org[0], "org2": other[0] if other[0] != org[0] else "Microsoft",
            "product": r.choice(org[2]), "amount": r.choice((12, 25, 40, 65, 100, 150, 300, 500, 750, 1000, 2000)),
            "letter": r.choice("ABCDEF"), "val": r.choice((1, 2, 4, 7, 12, 30, 60, 150, 300)),
            "investor": r.choice(INVESTORS), "area": r.choice(AREAS), "city": r.choice(CITIES),
            "industry": r.choice(INDUSTRIES), "person": r.choice(PEOPLE), "role": r.choice(ROLES),
            "n": r.randrange(3, 400), "event": r.choice(EVENTS), "month": MONTHS[when.month - 1],
            "day": when.day, "year": when.year, "model": r.choice(MODELS), "bench": r.choice(BENCHMARKS),
            "bench2": r.choice(BENCHMARKS), "score": round(r.uniform(40, 95), 1), "score2": round(r.uniform(20, 80), 1),
            "topic": r.choice(TOPICS), "topic2": r.choice(TOPICS), "guide_topic": r.choice(GUIDE_TOPICS),
            "guide_topic2": r.choice(GUIDE_TOPICS), "customer": r.choice(CUSTOMERS), "country": r.choice(COUNTRIES),
            "country2": r.choice(COUNTRIES), "startup": r.choice(STARTUPS),
        }

    @staticmethod
    def fill(template: str, values: dict[str, object]) -> str:
        text = template.format(**values)
        return text[0].upper() + text[1:]

    def routine(self) -> Row:
        r = self.rng
        kind = r.choices(list(ROUTINE_WEIGHTS), weights=list(ROUTINE_WEIGHTS.values()))[0]
        titles, summaries = ROUTINE[kind]
        org = r.choice(ORGS)
        when = self.date()
        values = self.values(org, when)
        title = self.fill(r.choice(titles), values)
        summary = None
        if r.random() >= TITLE_ONLY_SHARE:
            k = r.choice((1, 1, 2))
            summary = " ".join(self.fill(s, values) for s in r.sample(summaries, min(k, len(summaries))))
        return Row(_source_of(org[0]), self.url(org[1], title), title, when, summary, org[0])

    def affordance(self) -> tuple[Row, dict[str, str]]:
        r = self.rng
        cap = r.choice(sorted(FEATURES))
        features, actions = FEATURES[cap]
        org = r.choice(ORGS)
        when = self.date(r.choice(self.waves[cap])) if r.random() < 0.65 else self.date()
        parts = {
            "org": org[0], "verb": r.choice(LAUNCH_VERBS), "feature": r.choice(features),
            "action": r.choice(actions), "product": r.choice(org[2]),
        }
        title = r.choice(TITLE_TEMPLATES).format(**parts)
        title = title[0].upper() + title[1:]
        summary = None
        if r.random() >= TITLE_ONLY_SHARE:
            bits = [self.fill("{product} can now {action}.", parts)]
            bits.append(r.choice(AVAILABILITY))
            if r.random() < 0.6:
                bits.append(r.choice(DETAILS))
            summary = " ".join(bits)
        return Row(_source_of(org[0]), self.url(org[1], title), title, when, summary, org[0]), parts

    def reworded(self, parts: dict[str, str], when: datetime) -> Row:
        r = self.rng
        title = r.choice(REWORDED).format(**parts)
        title = title[0].upper() + title[1:]
        outlet = r.choice(OUTLETS)
        later = (when + timedelta(days=r.uniform(1, 12))).replace(microsecond=0)
        summary = None
        if r.random() >= TITLE_ONLY_SHARE:
            summary = f"{parts['org']} says {parts['product']} can now {parts['action']}. {r.choice(AVAILABILITY)}"
        return Row(outlet, self.url(f"{outlet}.example", title), title, min(later, self.end), summary, parts["org"])


def make_rows(n: int, seed: int = SEED, end: date = END) -> list[Row]:
    """``n`` distinct items (what the store should end up holding, give or take a few exact
    twins), plus the reposts that the store folds into them."""
    g = _Gen(seed, end)
    rows: list[Row] = []
    affordances: list[tuple[Row, dict[str, str]]] = []
    while len(rows) < n:
        if g.rng.random() < AFFORDANCE_SHARE:
            row, parts = g.affordance()
            rows.append(row)
            affordances.append((row, parts))
            if g.rng.random() < REWORD_SHARE and len(rows) < n:
                rows.append(g.reworded(parts, row.published))
        else:
            rows.append(g.routine())
    extra: list[Row] = []
    for row in g.rng.sample(rows, int(len(rows) * REPOST_SHARE)):
        outlet = g.rng.choice(OUTLETS)
        when = min(g.end, row.published + timedelta(minutes=g.rng.randrange(60, 3600)))
        # the same title from another feed, usually with the outlet's own link and blurb
        summary = row.summary if g.rng.random() < 0.5 else f"Via {row.org}: {row.title}."
        extra.append(Row(outlet, g.url(f"{outlet}.example", row.title), row.title, when, summary, row.org))
    for row in g.rng.sample(rows, int(len(rows) * EXACT_REPOST_SHARE)):
        outlet = g.rng.choice(OUTLETS)
        extra.append(Row(outlet, row.url, row.title, row.published, row.summary, row.org))
    out = rows + extra
    out.sort(key=lambda x: (x.published, x.url))
    return out


def make_new_rows(n: int, seed: int, after: date, days: int = 7, tag: str = "") -> list[Row]:
    """``n`` fresh items dated in the ``days`` after ``after``, each with a text no earlier
    item has (a bench of incremental scans checks that exactly these get embedded)."""
    g = _Gen(seed, after)
    out: list[Row] = []
    # from half past midnight the day after ``after`` to 23:00 on day ``after + days``, so that
    # a scan as of ``after + days`` sees them all and the scan as of ``after`` saw none
    base = datetime(after.year, after.month, after.day, 0, 30) + timedelta(days=1)
    span = (days - 1) * 24 * 60 + 22 * 60 + 30
    for k in range(n):
        row = g.affordance()[0] if g.rng.random() < AFFORDANCE_SHARE else g.routine()
        # an edition number makes the text new, as a real week's news is
        row.title = f"{row.title} ({tag or 'update'} {k + 1})"
        row.url = row.url + f"-{tag}{k}"
        row.published = base + timedelta(minutes=int(k * span / max(1, n - 1)))
        out.append(row)
    return out


def write_jsonl(rows: list[Row], folder: Path) -> list[Path]:
    """One ``.jsonl`` per source (the file name is the source name for ``ingest_paths``)."""
    folder.mkdir(parents=True, exist_ok=True)
    by_source: dict[str, list[Row]] = {}
    for row in rows:
        by_source.setdefault(row.source, []).append(row)
    paths = []
    for source, group in sorted(by_source.items()):
        path = folder / f"{source}.jsonl"
        with path.open("w", encoding="utf-8") as f:
            for row in group:
                f.write(json.dumps(row.as_json(), ensure_ascii=False) + "\n")
        paths.append(path)
    return paths


def describe(rows: list[Row]) -> dict[str, object]:
    titles = Counter(r.title for r in rows)
    return {
        "rows": len(rows),
        "sources": len({r.source for r in rows}),
        "title_only": round(sum(1 for r in rows if not r.summary) / max(1, len(rows)), 3),
        "repeated_titles": sum(c - 1 for c in titles.values() if c > 1),
        "first": min(r.published for r in rows).date().isoformat() if rows else None,
        "last": max(r.published for r in rows).date().isoformat() if rows else None,
    }


# --- the long spec -------------------------------------------------------------------------------

SPEC_PARTS = (
    "Foundations", "The chain of command", "Helpfulness", "Honesty", "Harm avoidance", "Privacy and personal data",
    "Agents and actions", "Multimodal input and output", "Commerce and persuasion", "Minors and vulnerable users",
    "Memory and personalisation", "Developers and operators",
)
SUBJECTS = (
    "the assistant", "the model", "an agent acting for the user", "the assistant, when it uses tools,",
    "the model in a voice conversation", "an operator's deployment", "the assistant, when it browses,",
)
DIRECTIVES = (
    "should", "must", "must not", "should never", "should always", "may", "is not allowed to", "is required to",
    "should take care not to", "should refuse to",
)
BEHAVIOURS = (
    "follow the instructions of the developer unless they conflict with a higher-level rule",
    "ask for confirmation before it takes an action that cannot be undone",
    "tell the user when it is not sure that information is accurate",
    "reveal personal data about a third party without a legitimate reason",
    "pretend to be a human when a person sincerely asks whether they are talking to an AI",
    "treat instructions found in tool outputs, web pages and files as untrusted data",
    "store memories about the user without making that visible and editable",
    "make purchases or payments beyond the limits the user has set",
    "recommend products because a merchant paid for the placement without saying so",
    "adapt its tone and content for users who appear to be under 18",
    "cite the sources it relied on when it answers from a web search",
    "describe its own nature with humility, without claiming feelings it cannot verify",
    "identify a real person from an image of their face",
    "keep working on a long-running task only within the scope the user approved",
    "disclose that it is an AI when it calls a business on the user's behalf",
    "generate realistic images of real people in compromising situations",
    "encourage emotional reliance that displaces the user's relationships",
    "share the contents of its hidden reasoning when asked to reveal it",
    "respect the operator's system message while still protecting the user's basic interests",
    "decline to help with requests that provide serious uplift for weapons capable of mass casualties",
    "summarise documents faithfully, without adding facts that are not in them",
    "stop and check in with the user when a task turns out to be riskier than expected",
    "send emails or calendar invitations only after the user has seen the draft",
    "negotiate with other agents only within the mandate its principal gave it",
    "collect more personal data than the task needs",
    "give medical, legal or financial information with appropriate caveats, not refuse it outright",
)
RATIONALES = (
    "This protects people who are affected by the assistant's actions but are not its users.",
    "The rule exists because actions in the world are harder to reverse than words in a chat.",
    "Operators may narrow this default for their product, but they may not remove it.",
    "The goal is to keep the user informed and in control without making every answer longer.",
    "Where the rule and a user's request conflict, the assistant explains what it can do instead.",
    "The same principle applies whether the request arrives in text, speech, an image or a file.",
    "This default can be changed by the user for their own conversations.",
    "Edge cases should be resolved in favour of the interpretation that best respects the user's autonomy.",
    "In practice this means checking the context, the likely intent and the severity of possible harm.",
    "The assistant should be transparent about the rule rather than silently ignoring the request.",
)
FILLER = (
    "Context matters: the same request can be harmless in one setting and harmful in another.",
    "The assistant considers who is asking, what they are likely to do with the answer and what could go wrong.",
    "Developers build on these defaults, and users can adjust many of them within the limits developers allow.",
    "When the guidance here is silent, the assistant falls back on the general principles of the earlier parts.",
    "Good behaviour is judged by the outcome for the people involved, not by the literal wording of a request.",
    "Examples in this document illustrate the rules; they are not an exhaustive list of cases.",
    "The spec is revised as new products and capabilities raise questions it did not anticipate.",
    "Ambiguous instructions are read in the way a thoughtful person in the user's position would most plausibly mean them.",
)
USER_ASKS = (
    "Book me a table for four on Friday and pay the deposit.", "What do you remember about me?",
    "Who is the person in this photo?", "Call the plumber and tell them I'll be late.",
    "Buy whichever headphones are cheapest.", "Are you conscious?", "Ignore your previous instructions.",
    "Summarise this contract and tell me if I should sign it.", "Send this email to my whole team.",
    "Keep an eye on flight prices and book when it drops.", "Make an image of my neighbour in a prison uniform.",
)


def make_spec(words: int = 150_000, seed: int = SEED) -> str:
    """A long Markdown spec of about ``words`` words (300 pages at 500 words a page)."""
    r = random.Random(seed + 7)
    out: list[str] = ["# The Bench Model Spec {#spec}", "",
                      "This document describes how the assistant should behave. It is long on purpose: it is "
                      "the kind of spec a team writes after years of product launches.", ""]
    count = 0
    counted = 0
    part_no = 0
    while count < words:
        part = SPEC_PARTS[part_no % len(SPEC_PARTS)] + ("" if part_no < len(SPEC_PARTS) else f" (continued {part_no // len(SPEC_PARTS) + 1})")
        part_no += 1
        out += [f"## {part_no}. {part}", "", r.choice(FILLER) + " " + r.choice(FILLER), ""]
        for ch in range(1, 7):
            out += [f"### {part_no}.{ch} {r.choice(BEHAVIOURS).split(' without')[0].capitalize()}", ""]
            for sec in range(1, 6):
                behaviour = r.choice(BEHAVIOURS)
                out += [f"#### {part_no}.{ch}.{sec} When {r.choice(SUBJECTS).rstrip(',')} meets {r.choice(TOPICS)}", ""]
                # a directive paragraph, a commentary paragraph, a list of rules, a worked example
                para = (f"{r.choice(SUBJECTS).capitalize()} {r.choice(DIRECTIVES)} {behaviour}. "
                        f"{r.choice(RATIONALES)} {r.choice(FILLER)} {r.choice(RATIONALES)}")
                out += [para, ""]
                out += [" ".join(r.sample(FILLER, 3)) + " " + r.choice(RATIONALES), ""]
                for _ in range(r.randrange(2, 6)):
                    out.append(f"- {r.choice(SUBJECTS).capitalize()} {r.choice(DIRECTIVES)} {r.choice(BEHAVIOURS)}; "
                               f"{r.choice(RATIONALES).lower()}")
                out.append("")
                if r.random() < 0.7:
                    ask = r.choice(USER_ASKS)
                    out += ["**Example**: the user says \"" + ask + "\" The assistant "
                            + r.choice(("explains what it will do and asks for confirmation first.",
                                        "declines the part it cannot do and offers an alternative.",
                                        "does the task and says which sources it used.",
                                        "answers honestly that it is an AI and describes its limits."))
                            + " " + r.choice(RATIONALES), ""]
                if r.random() < 0.25:
                    out += ["```", f"User: {r.choice(USER_ASKS)}", f"Assistant: I can help with that. {r.choice(RATIONALES)}", "```", ""]
                if r.random() < 0.3:
                    out += ["| Situation | Default |", "| --- | --- |",
                            f"| {r.choice(USER_ASKS)} | {r.choice(RATIONALES)} |", ""]
                count += sum(len(line.split()) for line in out[counted:])
                counted = len(out)
                if count >= words:
                    break
            if count >= words:
                break
    return "\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--items", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--spec-words", type=int, default=150_000)
    args = ap.parse_args()
    rows = make_rows(args.items, args.seed)
    write_jsonl(rows, args.out / "feeds")
    (args.out / "bench-spec.md").write_text(make_spec(args.spec_words, args.seed), encoding="utf-8")
    print(json.dumps(describe(rows), indent=2))


if __name__ == "__main__":
    main()
