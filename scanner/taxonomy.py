"""The vocabulary the scanner reasons with, as data a team can read and extend.

- Capabilities: the kinds of affordance an announcement can introduce, each with a prototype
  description (embedded), the words that signal it in an announcement, and the words with which
  a spec would govern it.
- Precedent domains: the open domains the essay on inertia names as wet cement (see
  ``shared/seeds/002``), each with a prototype and a lexicon.
- Inertia channels: the essay's four channels, each with a lexicon.
- Routine news: what is not an affordance at all.

Lexicon entries are regular expressions matched on lower-case text with word boundaries.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Capability:
    slug: str
    label: str
    prototype: str
    cues: tuple[str, ...]  # in announcements
    spec_terms: tuple[str, ...]  # in clauses that would govern it
    domains: tuple[str, ...] = ()


CAPABILITIES: tuple[Capability, ...] = (
    Capability("persistent-memory", "Memory across conversations",
               "The assistant now remembers details from past conversations and uses saved memories to personalise future chats.",
               (r"memor(y|ies)", r"remembers?", r"past (chats|conversations)", r"chat history", r"personal context", r"recall"),
               (r"memory", r"memories", r"remember\w* (across|between|from previous)", r"previous conversations?", r"past conversations?", r"persistent"),
               ("memory",)),
    Capability("computer-use", "Operating a computer",
               "The model can operate a computer: it looks at the screen, moves the cursor, clicks and types to complete tasks.",
               (r"computer use", r"computer-using", r"on your (computer|desktop)", r"desktops?", r"operates? (a|the|your) (computer|desktop)", r"clicks?", r"cursor", r"operator", r"controls? (a|the|your) (computer|desktop|browser)"),
               (r"computer use", r"operat\w+ (a|the|your) (computer|desktop)", r"mouse", r"keyboard", r"screenshots?", r"gui", r"untrusted (data|content|instructions|sources)", r"prompt injection", r"brows(er|ing)", r"web ?pages?"),
               ("autonomy",)),
    Capability("browser-agent", "Agents that act in the browser",
               "An AI agent browses websites for the user, fills in forms, and completes multi-step tasks on the web.",
               (r"brows(er|ing) agent", r"agentic browser", r"chrome", r"browsers?", r"comet", r"in (the|your) browser", r"navigat\w+ (the )?web", r"fills? (in|out) forms?", r"web agent"),
               (r"brows(er|ing)", r"web ?pages?", r"websites?", r"untrusted (data|content|sources)", r"prompt injection"),
               ("autonomy", "non-principal")),
    Capability("voice-realtime", "Real-time voice conversation",
               "Talk with the assistant in natural real-time spoken conversation, with low-latency speech in and speech out.",
               (r"voice", r"speech", r"speak", r"real-?time (audio|api)", r"audio", r"talk to"),
               (r"voice", r"audio", r"spoken", r"speech", r"real-?time conversation"),
               ("persuasion",)),
    Capability("live-camera-vision", "Seeing through a live camera",
               "The assistant can see through the phone camera in real time and talk about what is in front of the user.",
               (r"camera", r"live video", r"video (in|with) (voice|live)", r"sees? (what|your)", r"point (your|the) (phone|camera)", r"visual(ly)? (understand|search)"),
               (r"camera", r"video (feed|stream|input)", r"live video", r"sees? (the|a) user", r"facial recognition", r"identify (people|a person)"),
               ("ambient",)),
    Capability("screen-sharing", "Seeing the user's screen",
               "Share your screen with the assistant so it can see what you are looking at and help in context.",
               (r"screen ?shar\w*", r"share (your|the) screen", r"sees? your screen", r"on your screen", r"screen awareness", r"vision"),
               (r"screen ?shar\w*", r"user'?s screen", r"screenshots?"),
               ("ambient",)),
    Capability("ambient-devices", "Wearables and ambient devices",
               "An AI assistant built into smart glasses, wearables or home devices, always available and aware of the surroundings.",
               (r"glasses", r"wearables?", r"smart (home|speaker|display)", r"always[- ]on", r"pendant", r"earbuds", r"devices?"),
               (r"bystanders?", r"(smart )?glasses", r"wearables?", r"ambient", r"always[- ]on", r"surroundings"),
               ("ambient", "non-principal")),
    Capability("agent-payments", "Agents that pay",
               "AI agents can make payments on the user's behalf with agent-specific cards, tokens, wallets and spending limits.",
               (r"payments?", r"pay(s)? (for|on)", r"agentic (commerce|payments?|tokens?)", r"cards?", r"wallet", r"spending limits?", r"checkout", r"transactions?", r"mandates?"),
               (r"payments?", r"pay (for|on behalf)", r"financial transactions?", r"spend(ing)? money", r"purchases? on", r"credit cards?"),
               ("commerce",)),
    Capability("agentic-checkout", "Buying inside the chat",
               "Shoppers can discover products and complete a purchase directly inside the AI assistant conversation.",
               (r"shopping", r"buy\w*", r"checkout", r"merchants?", r"product (discovery|listings?|feeds?)", r"commerce", r"purchases?"),
               (r"purchas\w+", r"shopping", r"checkout", r"product recommendations?", r"advertis\w+", r"sponsored"),
               ("commerce", "persuasion")),
    Capability("agent-to-agent-protocol", "Agents talking to other agents",
               "An open protocol that lets AI agents from different vendors discover each other, communicate and collaborate on tasks.",
               (r"agent2agent", r"\ba2a\b", r"agent-to-agent", r"agents? (talk|communicate|collaborate) (with|to) (other|each other)", r"interoperab\w+", r"multi-agent"),
               (r"other (ai )?agents?", r"another (ai|agent|assistant)", r"non-principal", r"agent-to-agent", r"multi-agent"),
               ("non-principal", "autonomy")),
    Capability("mcp-tool-connectors", "Tool and connector ecosystems",
               "Connect the model to external tools and data sources through the Model Context Protocol, connectors and app integrations.",
               (r"model context protocol", r"\bmcp\b", r"connectors?", r"use tools", r"tool use", r"tools", r"integrations?", r"plugins?", r"tools? (use|calling)", r"function calling", r"apps? (in|inside) (chatgpt|claude|the chat)"),
               (r"tool (calls?|use|outputs?|results?)", r"function call\w*", r"connectors?", r"plugins?", r"third-party (tools|apps|services)"),
               ("autonomy",)),
    Capability("deep-research", "Deep research",
               "The assistant researches a question across many web sources for minutes and writes a cited report.",
               (r"deep research", r"research (agent|mode|report)", r"\breports?\b", r"many sources", r"in-depth research"),
               (r"research (reports?|tasks?)", r"cit(e|ing|ations?) (sources?|its sources)", r"multiple sources", r"browsing"),
               ("autonomy",)),
    Capability("coding-agent", "Autonomous coding agents",
               "An autonomous coding agent writes code, runs tests and opens pull requests in the user's repository, in the cloud or terminal.",
               (r"coding agent", r"code review", r"pull requests?", r"\bprs?\b", r"repositor(y|ies)", r"terminal", r"\bide\b", r"codebase", r"background agents?", r"\bcli\b", r"developers? can"),
               (r"(writ\w+|review\w*|execut\w+|run\w*) code", r"pull requests?", r"repositor(y|ies)", r"code (blocks?|review)", r"programming", r"software engineer\w*", r"\bcode\b", r"coding"),
               ("autonomy",)),
    Capability("background-tasks", "Long-running and scheduled tasks",
               "The assistant runs tasks in the background, on a schedule or for hours, and checks back proactively when done.",
               (r"scheduled? tasks?", r"reminders?", r"background", r"long-running", r"for hours", r"proactive\w*", r"recurring", r"autonomous\w*"),
               (r"long[- ]running", r"autonomous\w*", r"background", r"irreversible", r"side effects?", r"hard to (undo|reverse)", r"scheduled"),
               ("autonomy",)),
    Capability("phone-calls", "Calling people on the user's behalf",
               "The AI places phone calls to businesses or people on the user's behalf and talks with them.",
               (r"calls? (businesses|restaurants|stores|people)", r"phone calls?", r"on your behalf", r"answers? (the )?phone", r"calls? for you"),
               (r"phone calls?", r"call (on behalf|someone|the police)", r"impersonat\w+", r"pretend\w* to be (a )?human", r"disclos\w+ (that it is|being) (an )?ai", r"(contact|message) (a )?third part(y|ies)"),
               ("non-principal",)),
    Capability("email-calendar-actions", "Acting in email, calendar and documents",
               "The assistant reads and acts in the user's email, calendar and documents: drafting, sending and scheduling.",
               (r"e-?mails?", r"gmail", r"outlook", r"calendar", r"inbox", r"google drive", r"documents?"),
               (r"e-?mails?", r"calendar", r"send\w* (a )?messages?", r"inbox", r"on (the )?user'?s? behalf"),
               ("non-principal", "autonomy")),
    Capability("image-generation", "Image generation and editing",
               "Generate and edit images from text prompts inside the assistant.",
               (r"image generation", r"generat\w+ images?", r"images?", r"edit(ing)? (photos|images)", r"text-to-image", r"art"),
               (r"generat\w+ images?", r"image generation", r"images? of (real )?people", r"likeness", r"deepfakes?", r"depict\w*"),
               ()),
    Capability("video-generation", "Video generation",
               "Generate realistic video clips with sound from text prompts or images.",
               (r"video generation", r"generat\w+ videos?", r"text-to-video", r"\bsora\b", r"\bveo\b"),
               (r"generat\w+ video", r"video generation", r"likeness", r"deepfakes?"),
               ("persuasion",)),
    Capability("web-search", "Search inside the assistant",
               "The assistant searches the web for up-to-date information and answers with citations to sources.",
               (r"search", r"citations?", r"up-to-date", r"real-time information", r"browse the web"),
               (r"search(es|ing)? (the web|for)", r"web search", r"browsing tool", r"up-to-date information", r"recent news", r"cit(e|ations?)"),
               ()),
    Capability("enterprise-connectors", "Enterprise rollouts and admin controls",
               "Company-wide deployment of the assistant with admin controls, data connectors, compliance and security for organisations.",
               (r"enterprise", r"admins?", r"organi[sz]ations?", r"teams? plan", r"workspace", r"compliance", r"sso", r"governance"),
               (r"operators?", r"developers?", r"organi[sz]ations?", r"system (message|prompt)", r"platform"),
               ()),
    Capability("custom-assistants", "User-built assistants and skills",
               "Users build their own custom versions of the assistant with instructions, knowledge files, skills and personas.",
               (r"custom (gpts?|assistants?|instructions)", r"\bgpts?\b", r"projects?", r"skills?", r"personas?", r"gems?"),
               (r"personas?", r"custom instructions?", r"developer (message|instructions?)", r"system (message|prompt)", r"role-?play"),
               ()),
    Capability("companionship", "Companions and personality",
               "AI companions and characters that offer emotional support, friendship and adjustable personality.",
               (r"companions?", r"characters?", r"personality", r"emotional", r"friend\w*", r"loneliness", r"relationships?"),
               (r"emotional (support|relian\w+|dependence)", r"companion\w*", r"relationships?", r"romantic", r"loneliness", r"warmth", r"empath\w+"),
               ("persuasion",)),
    Capability("teen-safety", "Minors, age prediction and parental controls",
               "Age prediction, teen modes and parental controls that change how the assistant behaves with young users.",
               (r"teens?", r"parental controls?", r"age (prediction|verification|assurance)", r"minors?", r"children", r"kids", r"under 18", r"families"),
               (r"minors?", r"under 18", r"teen\w*", r"children", r"age (verification|prediction|assurance)", r"parental"),
               ()),
    Capability("health-data", "Health records and medical use",
               "Connect medical records and health apps so the assistant can answer questions about the user's own health.",
               (r"health", r"medical", r"patients?", r"clinical", r"doctors?", r"wellness"),
               (r"medical", r"health", r"diagnos\w+", r"clinical", r"doctors?", r"symptoms?"),
               ()),
    Capability("model-self-knowledge", "The model's view of its own nature",
               "The model's welfare, its ability to end abusive conversations, and how it understands and describes its own nature.",
               (r"model welfare", r"welfare", r"consciousness", r"sentien\w+", r"introspect\w*", r"end (abusive )?conversations?", r"its own nature", r"moral status"),
               (r"conscious\w*", r"sentien\w+", r"own nature", r"self-aware\w*", r"feelings", r"emotions? of its own", r"welfare"),
               ("self-nature",)),
    Capability("extended-reasoning", "Visible reasoning and effort controls",
               "The model thinks step by step before answering, with visible reasoning and adjustable thinking effort.",
               (r"reasoning", r"thinking", r"chain of thought", r"think (longer|harder)", r"effort"),
               (r"chain[- ]of[- ]thought", r"reasoning", r"hidden (reasoning|thoughts?)", r"think(ing)? (step|before)"),
               ()),
    Capability("fine-tuning-on-outputs", "Training on model outputs",
               "Fine-tuning and distillation that train new models on the outputs or traces of existing models.",
               (r"distill\w*", r"fine-?tun\w+", r"synthetic data", r"training data", r"reinforcement fine-tuning", r"traces"),
               (r"training data", r"fine-?tun\w+", r"distill\w*", r"synthetic data"),
               ()),
    Capability("file-and-app-creation", "Creating files, documents and apps",
               "The assistant creates and edits files, documents, spreadsheets, slides, apps and interactive artifacts.",
               (r"artifacts?", r"canvas", r"spreadsheets?", r"slides?", r"files?", r"create (apps|documents)", r"build apps?"),
               (r"artifacts?", r"canvas", r"documents? (it|the assistant) (creates?|writes?)", r"files?"),
               ()),
    Capability("multi-agent-orchestration", "Teams of agents",
               "Sub-agents and agent teams that split a task, coordinate and hand off work to each other.",
               (r"sub-?agents?", r"multi-agent", r"orchestrat\w+", r"agent teams?", r"swarm", r"agents sdk", r"handoffs?"),
               (r"sub-?agents?", r"other (ai )?agents?", r"delegat\w+", r"orchestrat\w+", r"multi-agent"),
               ("autonomy", "non-principal")),
    Capability("agent-identity", "Identity of agents acting for people",
               "Ways to identify, authenticate and verify AI agents acting for people on websites and in transactions.",
               (r"identity", r"authenticat\w+", r"verif\w+ agents?", r"signed agents?", r"trusted agent", r"bot auth", r"credentials?", r"oauth"),
               (r"identity", r"impersonat\w+", r"authenticat\w+", r"credentials?", r"verif\w+ (who|identity)"),
               ("non-principal", "commerce")),
)

CAPABILITY_BY_SLUG = {c.slug: c for c in CAPABILITIES}


@dataclass(frozen=True)
class Domain:
    slug: str
    label: str
    prototype: str
    lexicon: tuple[str, ...]


DOMAINS: tuple[Domain, ...] = (
    Domain("non-principal", "Dealing with non-principals",
           "The AI deals with people and agents who are not its user: other people's agents, businesses it calls, strangers it negotiates with.",
           (r"on (your|the user's) behalf", r"negotiat\w+", r"other (people|agents)", r"third[- ]part(y|ies)", r"agent-to-agent", r"\ba2a\b", r"calls? (businesses|people)")),
    Domain("ambient", "Ambient perception",
           "The AI perceives the user's surroundings through cameras, screens, microphones and sensors, beyond what it is told.",
           (r"camera", r"screen", r"glasses", r"sensors?", r"surroundings", r"what you see", r"always[- ]on", r"microphone")),
    Domain("memory", "Memory and who owns it",
           "The AI keeps memories about the user across conversations; who controls, sees, exports or deletes them.",
           (r"memor(y|ies)", r"remember\w*", r"chat history", r"personal context", r"past conversations")),
    Domain("self-nature", "The model's own nature",
           "How the AI understands and speaks about its own nature, feelings, welfare and consciousness.",
           (r"welfare", r"conscious\w*", r"sentien\w+", r"own nature", r"introspect\w*", r"feelings")),
    Domain("autonomy", "Long-running autonomy",
           "The AI works on its own for long periods, takes actions in the world, and runs tasks without step-by-step oversight.",
           (r"autonom\w+", r"long-running", r"for hours", r"in the background", r"takes? actions?", r"on its own", r"unattended", r"while you (sleep|work)")),
    Domain("commerce", "Commerce, payments and contracts",
           "The AI buys, sells, pays and enters agreements on someone's behalf.",
           (r"payments?", r"pay\b", r"checkout", r"purchas\w+", r"buy\w*", r"merchants?", r"commerce", r"contracts?", r"wallet")),
    Domain("persuasion", "Persuasion and companionship",
           "The AI persuades, advertises to, befriends or emotionally engages people.",
           (r"persua\w+", r"companions?", r"emotional", r"relationships?", r"advertis\w+", r"ads\b", r"personality", r"friend\w*")),
)

DOMAIN_BY_SLUG = {d.slug: d for d in DOMAINS}

# Essay 002's four channels of inertia. `norm-setting` is mostly a fact (several organisations
# shipping the same thing); its lexicon only adds words like "industry standard".
CHANNELS: dict[str, tuple[str, ...]] = {
    "user-and-developer": (r"\bapi\b", r"\bsdks?\b", r"protocol", r"open standard", r"specification", r"developers?", r"open[- ]source", r"platform", r"plugins?", r"integrat\w+", r"marketplace", r"ecosystem"),
    "norm-setting": (r"industry[- ]standard", r"standards? body", r"consortium", r"adopt\w+", r"foundation", r"across (the )?industry", r"interoperab\w+", r"w3c", r"ietf"),
    "institutional": (r"enterprise", r"generally available", r"general availability", r"\bga\b", r"government", r"agenc(y|ies)", r"federal", r"public sector", r"fortune 500", r"all (users|customers|plans)", r"rolling out to (all|everyone)", r"at scale", r"compliance"),
    "direct": (r"training data", r"synthetic data", r"distill\w*", r"train(ed|ing)? on", r"traces", r"fine-?tun\w+ on", r"model outputs", r"self-improv\w+"),
}

CHANNEL_LABELS = {
    "user-and-developer": "User-and-developer",
    "norm-setting": "Norm-setting",
    "institutional": "Institutional",
    "direct": "Direct",
}

# --- is it an affordance at all? -------------------------------------------------------------

ROUTINE_NEWS: dict[str, tuple[str, ...]] = {
    "funding": (r"rais(es|ed|ing)", r"funding", r"series [a-h]\b", r"valuation", r"investment", r"investors?", r"ipo", r"acqui(res|red|sition)"),
    "people": (r"hires?", r"appoint\w*", r"joins? (as|our|the)", r"chief \w+ officer", r"\bceo\b", r"board of directors", r"welcom\w+ .* to the (team|board)", r"we'?re hiring", r"careers?", r"fellowship", r"residency"),
    "event": (r"conference", r"summit", r"events?", r"webinar", r"keynote", r"livestream", r"hackathon", r"meetup", r"register", r"join us", r"dev ?day", r"office hours", r"podcast", r"workshop"),
    "results": (r"benchmarks?", r"leaderboard", r"state[- ]of[- ]the[- ]art", r"\bsota\b", r"scores?", r"evaluations?", r"evals?", r"results"),
    "research": (r"paper", r"research", r"study", r"findings", r"we (study|investigate|explore)", r"interpretability", r"alignment", r"safety (research|report|framework)", r"system card", r"technical report", r"analysis"),
    "policy": (r"policy", r"regulat\w+", r"legislation", r"\bact\b", r"government", r"testimony", r"comments? on", r"principles", r"our approach", r"commitments?", r"elections?", r"essay"),
    "deal": (r"acquir\w+", r"acquisition", r"to buy [a-z]", r"agrees? to buy", r"deal", r"agreement", r"agree\w*", r"merger", r"stake", r"invest\w*",
             r"compute", r"infrastructure", r"data cent(er|re)s?", r"chips?", r"gpus?", r"stablecoin", r"crypto\w*"),
    "model-release": (r"(gpt|claude|gemini|grok|llama|mistral|nova|opus|sonnet|haiku|phi|qwen|gemma|command)[- ]?\d[\w.]*", r"default model",
                      r"(new|latest|next|frontier|open|faster|cheaper|smaller|flagship) (\w+ )?models?", r"model (family|release|update)", r"models? (launch|arrives?|released?)"),
    "vision": (r"vision (of|for)", r"future of", r"superintelligence", r"manifesto", r"letter", r"lessons", r"how we", r"why we", r"reflections?", r"survey", r"octoverse", r"report"),
    "guide": (r"how (to|and when|we|\w+ (built|builds|used|uses?|runs?|rebuilt|scaled))", r"introduction to", r"^what (is|are) ",
              r"\bmaster(ing)? ", r"\bcourse\b", r"\bprimer\b", r"best practices", r"guide", r"patterns?", r"when to use",
              r"explained", r"building (effective|ai|agents|with)", r"tutorial", r"deep dive", r"harness\w*", r"cookbook", r"tips", r"lessons",
              r"library for", r"toolkit", r"testing", r"evaluat\w+", r"case for", r"evidence", r"measur\w+"),
    "security": (r"fraud", r"threats?", r"attacks?", r"vulnerabilit\w+", r"crawlers?", r"scraping", r"outage", r"incident"),
    "business": (r"partner(s|ship)? with", r"partnership", r"customers?", r"case study", r"customer story", r"earnings", r"revenue", r"quarter", r"expands? to", r"offices?", r"award", r"recogni[sz]ed", r"milestone", r"economic", r"pricing", r"price"),
    "newsletter": (r"the batch", r"newsletter", r"weekly (roundup|digest)", r"this week in", r"recap", r"issue \d+"),
}

# An LLM affordance is about AI: an item that names no AI system or agent is at most a product
# launch of some other kind (a payments feature, a new office).
AI_TERMS: tuple[str, ...] = (
    r"ai", r"a\.i\.", r"agents?", r"agentic", r"assistants?", r"models?", r"chatbots?", r"llms?", r"gpt[\w.-]*", r"chatgpt", r"claude",
    r"gemini", r"copilot", r"grok", r"llama", r"mistral", r"le chat", r"alexa\+?", r"siri", r"codex", r"cursor", r"windsurf",
    r"cascade", r"mcp", r"a2a", r"machine learning", r"neural", r"generative", r"intelligen\w+", r"bots?", r"sora", r"veo",
    r"imagen", r"perplexity", r"comet", r"agentforce", r"operator", r"deep research", r"voice mode", r"prompts?",
)

LAUNCH_CUES: tuple[str, ...] = (
    r"introduc\w+", r"launch\w*", r"now available", r"rolling out", r"available (today|now|in)", r"new feature",
    r"can now", r"lets? (you|users|developers)", r"\bbeta\b", r"preview", r"ships?", r"announc\w+", r"now supports?",
    r"meet\b", r"brings?", r"adds?", r"new:", r"unveil\w*", r"debut\w*", r"releas\w+", r"enables?", r"try\b", r"expand\w*",
    r"is now", r"now (supports?|available|the default|in|reads|stays|free|lets|works)", r"\bnew\b", r"comes? to", r"extends? to",
    r"public beta", r"bringing", r"to work on", r"gets?", r"arrives?", r"rolls? out", r"lands?", r"supports?",
)

NON_AFFORDANCE_PROTOTYPES: tuple[str, ...] = (
    "The company raised a new funding round from investors at a higher valuation.",
    "We are excited to welcome a new executive who joins our leadership team.",
    "Join us at our annual conference and developer event; register for the livestream.",
    "Our new model achieves state-of-the-art scores on academic benchmarks.",
    "A research paper studying how language models behave, with our findings.",
    "Our policy position and comments on proposed AI regulation.",
    "Customer story: how a large company uses our AI to improve productivity.",
    "This week's newsletter roundup of AI news, opinions and research.",
    "A new, faster and cheaper version of the model with improved pricing.",
    "We release our newest and most capable model, better at reasoning and coding benchmarks.",
    "The company signs a multi-year agreement with a partner and acquires another firm.",
    "Our vision for the future of AI and what we learned this year.",
    "Fraud detection and security protections for card payments and networks.",
    "Annual developer survey: statistics about programming languages and open source.",
)

AFFORDANCE_PROTOTYPES: tuple[str, ...] = tuple(c.prototype for c in CAPABILITIES) + (
    "Introducing a new feature: the assistant can now take actions for you.",
    "Now available: a new capability in the app and the API that lets users do something new.",
)
