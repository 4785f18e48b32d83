"""Deterministic Dutch benchmark corpus built from the real seed content in content/articles.

Every document is a function of (seed, index) only, so the corpus is identical between runs
and can be generated in parallel worker processes. Bodies are recombined from the seed
articles' blocks (paragraphs, lists, tables, admonitions, headings); about a third of the
paragraphs are rebuilt from sentences drawn from the same category, so documents are varied
but stay on topic. Titles are varied with the provider's domain vocabulary.

Mix: ~70% public articles, ~20% internal articles, ~10% scripts (internal, with a channel).
"""

import random
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = ROOT / "content" / "articles"

CHANNEL_WEIGHTS = [
    ("phone", 35),
    ("chat", 25),
    ("email", 15),
    ("social", 8),
    ("escalation", 6),
    ("voicemail", 4),
    ("letter", 4),
    ("in-person", 3),
]
SCRIPT_NAMES = {
    "phone": "Belscript",
    "chat": "Chatscript",
    "email": "E-mailsjabloon",
    "social": "Webcare-reactie",
    "escalation": "Escalatiescript",
    "voicemail": "Voicemailscript",
    "letter": "Briefsjabloon",
    "in-person": "Balieprotocol",
}
EXTRA_CATEGORIES = ["mobiel", "tv-en-entertainment", "zakelijk", "apparatuur"]

# Domain vocabulary per category: (objects, problems/actions) for title variation.
VOCAB = {
    "account-en-wachtwoord": (
        ["wachtwoord", "Mijn Polderlink", "de app", "inlogcode", "account", "e-mailadres"],
        ["vergeten", "werkt niet", "geblokkeerd", "wijzigen", "herstellen", "beveiligen"],
    ),
    "beleid": (
        ["compensatie", "reactietermijn", "persoonsgegevens", "klantverificatie", "mandaat"],
        ["afspraken", "richtlijn", "uitzonderingen", "toepassen", "vastleggen"],
    ),
    "contact": (
        ["klantenservice", "chat", "storingslijn", "contactformulier", "openingstijden"],
        ["bereiken", "wachttijd", "buiten kantoortijd", "in het weekend", "terugbelverzoek"],
    ),
    "contract-en-opzeggen": (
        ["abonnement", "contract", "tv-pakket", "internetabonnement", "vaste telefoon"],
        ["opzeggen", "overzetten", "verlengen", "wijzigen", "looptijd", "opzegtermijn"],
    ),
    "facturen-en-betalen": (
        ["factuur", "rekening", "automatische incasso", "betalingsregeling", "creditnota"],
        ["te hoog", "niet ontvangen", "dubbel betaald", "downloaden", "betalen", "terugbetaling"],
    ),
    "installatie": (
        ["Thuisbox", "tv-ontvanger", "glasvezelaansluiting", "wifi-versterker", "vaste telefoon"],
        ["installeren", "aansluiten", "monteursafspraak", "eerste keer instellen", "koppelen"],
    ),
    "kanalen": (
        ["telefoon", "chat", "e-mail", "social media", "brief", "voicemail"],
        ["toon en stijl", "werkwijze", "reactietijd", "overdracht", "bereikbaarheid"],
    ),
    "klachten": (
        ["klacht", "klachtnummer", "geschillencommissie", "klachtenprocedure"],
        ["indienen", "status volgen", "niet opgelost", "escaleren", "termijnen"],
    ),
    "privacy": (
        ["persoonsgegevens", "nieuwsbrief", "inzageverzoek", "bewaartermijn", "phishing-mail"],
        ["verwijderen", "inzien", "afmelden", "herkennen", "melden"],
    ),
    "storingen": (
        ["internet", "wifi", "tv", "glasvezel", "Thuisbox", "vaste telefoon", "zenders"],
        ["werkt niet", "valt weg", "traag", "storing", "geen beeld", "lampje knippert rood"],
    ),
    "techniek": (
        ["Thuisbox", "lampjes", "modem", "netwerkkabel", "wifi-kanaal"],
        ["betekenis", "diagnose", "resetten", "storing vaststellen"],
    ),
    "verhuizen": (
        ["verhuizing", "verhuisdag", "nieuw adres", "glasvezel op het nieuwe adres"],
        ["doorgeven", "wijzigen", "annuleren", "geen dekking", "internet meenemen"],
    ),
    "werkwijze": (
        ["ticket", "escalatie", "boze klant", "kennisbank", "prioriteit", "logboek"],
        ["afhandelen", "vastleggen", "de-escaleren", "triage", "overdragen"],
    ),
}
CONTEXTS = [
    "bij glasvezel",
    "bij DSL",
    "bij kabel",
    "in de app",
    "via Mijn Polderlink",
    "na een verhuizing",
    "voor zakelijke klanten",
    "in het weekend",
    "na een stroomstoring",
    "bij een nieuw abonnement",
    "voor nieuwe klanten",
    "met een wifi-versterker",
    "in een appartementencomplex",
    "na de overstap",
]
QUESTION_TEMPLATES = [
    "Hoe kan ik {obj} {act}?",
    "{Obj} {act}: zo werkt het",
    "{Obj}: {act} {ctx}",
    "Wat te doen als {obj} {act}?",
    "{Obj} {act}",
    "Veelgestelde vragen over {obj}",
    "{Obj} {act} – stap voor stap",
]
INTERNAL_PREFIXES = [
    "Werkinstructie",
    "Interne richtlijn",
    "Checklist",
    "Handleiding agent",
    "Werkwijze",
]

SCRIPT_OPENERS = [
    "Goedemorgen, u spreekt met {agent} van Polderlink. Waarmee kan ik u helpen?",
    "Goedemiddag, welkom bij Polderlink, u spreekt met {agent}. Wat kan ik voor u doen?",
    "Hallo, u chat met {agent} van Polderlink. Fijn dat u contact opneemt.",
    "Beste klant, dank voor uw bericht aan Polderlink.",
]
SCRIPT_QUESTIONS = [
    "Mag ik uw klantnummer of uw postcode en huisnummer?",
    "Sinds wanneer heeft u dit probleem?",
    "Branden de lampjes op de Thuisbox wit, oranje of rood?",
    "Heeft u de Thuisbox al dertig seconden zonder stroom gezet?",
    "Gaat het om internet, tv, vaste telefoon of alles tegelijk?",
    "Op welk e-mailadres wilt u de bevestiging ontvangen?",
    "Heeft u al een ticketnummer of klachtnummer van ons gekregen?",
    "Is er een monteursafspraak gepland?",
    "Wilt u dat ik de wijziging nu voor u doorvoer?",
    "Kunt u mij de laatste vier cijfers van uw rekeningnummer noemen?",
]
SCRIPT_CLOSERS = [
    "Kan ik verder nog iets voor u doen? Dan wens ik u een fijne dag.",
    "Ik heb alles vastgelegd in het ticket. U ontvangt binnen 24 uur een bevestiging per e-mail.",
    "Bedankt voor uw geduld. Lukt het toch niet, neem dan gerust opnieuw contact met ons op.",
    "Met vriendelijke groet, het klantenserviceteam van Polderlink.",
]
CHANNEL_NL = {
    "phone": "de telefoon",
    "chat": "de chat",
    "email": "e-mail",
    "social": "social media",
    "escalation": "een escalatie",
    "voicemail": "voicemail",
    "letter": "een brief",
    "in-person": "de balie",
}
AGENTS = ["Sanne", "Daan", "Fatima", "Ruben", "Lotte", "Mehmet", "Iris", "Bram", "Noor", "Jeroen"]
NOTES = [
    "Noteer de uitkomst altijd in het ticket.",
    "Verifieer de klant voordat je accountgegevens bespreekt.",
    "Zie de kennisbank voor de actuele storingen in de buurt.",
    "Leg toezeggingen concreet vast, met datum en tijd.",
]

SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")


@dataclass
class Block:
    kind: str  # heading | para | list | table | admonition
    text: str


@dataclass
class Seed:
    slug: str
    title: str
    audience: str
    category: str
    tags: list[str]
    blocks: list[Block]


def _parse(path: Path) -> Seed:
    raw = path.read_text(encoding="utf-8")
    _, front, body = raw.split("---", 2)
    meta = yaml.safe_load(front)
    return Seed(
        slug=meta["slug"],
        title=meta["title"],
        audience=meta.get("audience", "public"),
        category=meta.get("category", ""),
        tags=[str(t) for t in meta.get("tags") or []],  # YAML reads `500` as a number
        blocks=_blocks(body),
    )


def _blocks(body: str) -> list[Block]:
    chunks: list[str] = []
    for chunk in re.split(r"\n\s*\n", body.strip()):
        if chunk.startswith("    ") and chunks:  # admonition body after a blank line
            chunks[-1] += "\n" + chunk
            continue
        lines = chunk.split("\n")
        if lines[0].startswith("#") and len(lines) > 1:
            chunks.append(lines[0])
            chunks.append("\n".join(lines[1:]))
        else:
            chunks.append(chunk)
    out = []
    for chunk in chunks:
        first = chunk.lstrip()
        if first.startswith("#"):
            kind = "heading"
        elif first.startswith("|"):
            kind = "table"
        elif first.startswith("!!!"):
            kind = "admonition"
        elif re.match(r"^(- |\* |\d+\. )", first):
            kind = "list"
        else:
            kind = "para"
        out.append(Block(kind, chunk.strip("\n")))
    return out


class Corpus:
    """The seed pool; generate(i) returns document i (a dict) for a given seed."""

    def __init__(self, seed: int = 20240601, seed_dir: Path = SEED_DIR) -> None:
        self.seed = seed
        self.seeds = [_parse(p) for p in sorted(seed_dir.rglob("*.md"))]
        if not self.seeds:
            raise SystemExit(f"no seed articles in {seed_dir}")
        self.public = [s for s in self.seeds if s.audience == "public"]
        self.internal = [s for s in self.seeds if s.audience != "public"] or self.seeds
        self.by_category: dict[str, list[Seed]] = {}
        for s in self.seeds:
            self.by_category.setdefault(s.category, []).append(s)
        self.sentences: dict[str, list[str]] = {}
        for s in self.seeds:
            for b in s.blocks:
                if b.kind == "para":
                    sents = [x for x in SENTENCE_SPLIT.split(b.text) if len(x.split()) >= 4]
                    self.sentences.setdefault(s.category, []).extend(sents)
        self.all_sentences = [x for v in self.sentences.values() for x in v]
        self.tags_by_category: dict[str, list[str]] = {}
        for s in self.seeds:
            self.tags_by_category.setdefault(s.category, []).extend(s.tags)

    # -- one document ------------------------------------------------------------------
    def generate(self, i: int) -> dict:
        rng = random.Random(self.seed * 1_000_003 + i)
        r = rng.random()
        if r < 0.70:
            kind, audience, channel = "article", "public", None
            primary = rng.choice(self.public)
        elif r < 0.90:
            kind, audience, channel = "article", "internal", None
            primary = rng.choice(self.internal if rng.random() < 0.6 else self.seeds)
        else:
            kind, audience = "script", "internal"
            channel = rng.choices([c for c, _ in CHANNEL_WEIGHTS], [w for _, w in CHANNEL_WEIGHTS])[
                0
            ]
            primary = rng.choice(self.seeds)
        category = primary.category
        if rng.random() < 0.08:
            category = rng.choice(EXTRA_CATEGORIES)
        target = rng.randint(150, 600)
        if kind == "script":
            body = self._script_body(rng, primary, channel, target)
        else:
            body = self._article_body(rng, primary, target)
        title = self._title(rng, primary, kind, audience, channel)
        pool = list(dict.fromkeys(primary.tags + self.tags_by_category.get(primary.category, [])))
        tags = rng.sample(pool, k=min(len(pool), rng.randint(2, 5)))
        if category in EXTRA_CATEGORIES:
            tags.append(category.split("-")[0])
        slug = f"{_slugify(title)[:100].rstrip('-')}-{i}"
        return {
            "slug": slug,
            "kind": kind,
            "audience": audience,
            "channel": channel,
            "category": category,
            "tags": list(dict.fromkeys(t.lower() for t in tags))[:20],
            "title": title[:200],
            "body": body,
        }

    def _title(self, rng, primary: Seed, kind, audience, channel) -> str:
        objs, acts = VOCAB.get(primary.category, (["dienst"], ["vragen"]))
        r = rng.random()
        if r < 0.25:
            base = primary.title
            if rng.random() < 0.6:
                base = f"{base} {rng.choice(CONTEXTS)}"
        else:
            obj, act = rng.choice(objs), rng.choice(acts)
            tpl = rng.choice(QUESTION_TEMPLATES)
            base = tpl.format(
                obj=obj, Obj=obj[:1].upper() + obj[1:], act=act, ctx=rng.choice(CONTEXTS)
            )
        if kind == "script":
            return f"{SCRIPT_NAMES[channel]}: {base[:1].lower() + base[1:]}"
        if audience == "internal" and rng.random() < 0.5:
            return f"{rng.choice(INTERNAL_PREFIXES)}: {base[:1].lower() + base[1:]}"
        return base

    def _paragraph(self, rng, category: str) -> str:
        pool = self.sentences.get(category) or self.all_sentences
        if len(pool) < 4 or rng.random() < 0.25:
            pool = self.all_sentences
        return " ".join(rng.sample(pool, k=min(len(pool), rng.randint(2, 5))))

    def _pick_block(self, rng, primary: Seed) -> Block:
        r = rng.random()
        if r < 0.55:
            src = primary
        elif r < 0.85:
            src = rng.choice(self.by_category.get(primary.category) or self.seeds)
        else:
            src = rng.choice(self.seeds)
        blocks = [b for b in src.blocks if b.kind != "heading"] or primary.blocks
        b = rng.choice(blocks)
        if b.kind == "para" and rng.random() < 0.35:
            return Block("para", self._paragraph(rng, primary.category))
        return b

    def _headings(self, primary: Seed) -> list[str]:
        return [b.text for b in primary.blocks if b.kind == "heading"] or ["## Meer informatie"]

    def _article_body(self, rng, primary: Seed, target: int) -> str:
        parts: list[str] = []
        count = 0
        intro = next((b.text for b in primary.blocks if b.kind == "para"), None)
        if intro is None or rng.random() < 0.4:
            intro = self._paragraph(rng, primary.category)
        parts.append(intro)
        count += _wc(intro)
        headings = self._headings(primary)
        rng.shuffle(headings)
        guard = 0
        while count < target and guard < 80:
            guard += 1
            if headings and rng.random() < 0.35 and not parts[-1].startswith("#"):
                parts.append(headings.pop())
                continue
            b = self._pick_block(rng, primary)
            n = _wc(b.text)
            if count + n > 620 and count >= 150:
                continue
            if parts and b.text == parts[-1]:
                continue
            parts.append(b.text)
            count += n
        if parts[-1].startswith("#"):
            parts.pop()
        return "\n\n".join(parts)

    def _script_body(self, rng, primary: Seed, channel: str, target: int) -> str:
        agent = rng.choice(AGENTS)
        parts = [
            f"Gebruik dit script voor contact via {CHANNEL_NL[channel]}. {rng.choice(NOTES)}",
            "## Opening",
            f'"{rng.choice(SCRIPT_OPENERS).format(agent=agent)}"',
            "## Vragen aan de klant",
            "\n".join(f"- {q}" for q in rng.sample(SCRIPT_QUESTIONS, k=rng.randint(3, 5))),
            "## Oplossing",
        ]
        count = sum(_wc(p) for p in parts) + 30
        guard = 0
        while count < target and guard < 80:
            guard += 1
            b = self._pick_block(rng, primary)
            n = _wc(b.text)
            if count + n > 620 and count >= 150:
                continue
            parts.append(b.text)
            count += n
        parts += ["## Afsluiting", f'"{rng.choice(SCRIPT_CLOSERS)}"']
        return "\n\n".join(parts)


def _wc(text: str) -> int:
    return len(text.split())


def _slugify(text: str) -> str:
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "document"


# Realistic Dutch search queries: customer words, typos, compounds, phrases, agent jargon,
# and some that should find nothing.
QUERIES = [
    "wachtwoord vergeten",
    "wachtwoord",
    "factuur",
    "factuur te hoog",
    "rekening hoger dan verwacht",
    "internet werkt niet",
    "wifi traag",
    "wifi valt weg",
    "storing",
    "storing in de buurt",
    "tv geen beeld",
    "zwart scherm",
    "modem retourneren",
    "lampjes thuisbox",
    "lampje rood",
    "verhuizen",
    "verhuizing doorgeven",
    "abonnement opzeggen",
    "contract opzeggen",
    "opzegtermijn",
    "klacht indienen",
    "geschillencommissie",
    "betalingsregeling",
    "automatische incasso",
    "iban wijzigen",
    "geld terug",
    "vergoeding storing",
    "klantnummer",
    "inloggen lukt niet",
    "tweestapsverificatie",
    "phishing mail",
    "monteur glasvezel",
    "nieuwsbrief afmelden",
    "persoonsgegevens verwijderen",
    "openingstijden klantenservice",
    "chatten",
    "storingslijn",
    "wachtwoord vergten",
    "factuurr",
    "verhuisen",
    "storring internet",
    "inlogen",
    "abonement opzeggen",
    "televisie",
    "wachtwoordherstel",
    "glasvezelaansluiting",
    "tv-ontvanger",
    "betaalherinnering",
    "internetstoring",
    "wifiwachtwoord",
    '"geen beeld"',
    "opgezegd",
    "escaleren teamleider",
    "compensatiebeleid",
    "urgentie prioriteit",
    "boze klant",
    "klant verifieren",
    "hypotheek",
    "pizza bestellen",
    "xqzvwplk",
    "zonnepanelen",
]

# Search-as-you-type prefixes, 2-8 characters.
PREFIXES = [
    "wa", "wacht", "wachtwo", "fa", "fact", "factuur", "st", "stor", "storing", "in",
    "inte", "internet", "ver", "verhu", "verhuiz", "tv", "tv-o", "ab", "abon", "abonnem",
    "kla", "klacht", "gla", "glasv", "glasvez", "mo", "mod", "thu", "thuisb", "wi", "wif",
    "op", "opz", "opzeg", "be", "beta", "betaling", "inlo", "inlog", "klantn", "pr", "priv",
    "ph", "phish", "tw", "twee", "ret", "retour", "wifi tr", "tv ge", "zx", "qqq", "zonnep",
    "esc", "compen", "monteur", "nieuwsb", "chat",
]  # fmt: skip
