"""A realistic run of the knowledge loop, for the closing note of issue 17 (not a test).

    .venv/bin/python bench/knowledge_loop.py [--tickets 200] [--weeks 8] [--seed 17] [--keep]

Into a scratch data folder (SQLite + Whoosh, a copy of content/synoniemen.txt; nothing of the
project is touched) it migrates, imports content/, and then plays eight weeks of a team's
work through kb's own services, in time order: customers search the public FAQ (the real
search, so "without results" is what the index says), open some results and vote
"Was dit nuttig?" (a "Nee" sometimes says what it was looking for); agents open and resolve
~200 tickets, with the document that solved it or with an article request (a new one, or
the open one on the same subject); editors publish the missing articles once the demand is
clear, fulfil those requests and reject duplicates, improve the most used article halfway;
one search that helped nobody is mapped to an existing article with a synonym line. Finally
it prints the dashboard's figures (kb.dashboard.service.metrics, the page's and the API's one
computation) for 30 and 90 days.

Services stamp "now"; to spread the run over the weeks, the script back-dates what each use
case just made (ticket, request, vote and search-log times) with plain UPDATEs. That is data
set-up only: every figure is then computed by the dashboard's own code.
"""

import argparse
import random
import shutil
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from kb import create_app  # noqa: E402
from kb.auth import service as accounts  # noqa: E402
from kb.auth.models import SYSTEM, Anonymous, User  # noqa: E402
from kb.dashboard import searches, service, synonyms  # noqa: E402
from kb.dashboard.models import SearchClick  # noqa: E402
from kb.db import utcnow  # noqa: E402
from kb.documents import service as documents  # noqa: E402
from kb.documents.io import find_files, import_files, parse_file  # noqa: E402
from kb.documents.models import Document  # noqa: E402
from kb.documents.schemas import DocumentCreate, DocumentUpdate  # noqa: E402
from kb.extensions import db  # noqa: E402
from kb.feedback import service as feedback  # noqa: E402
from kb.feedback.models import Vote  # noqa: E402
from kb.feedback.schemas import VoteFollowUp  # noqa: E402
from kb.search import searching  # noqa: E402
from kb.search import service as search_service  # noqa: E402
from kb.search.models import SearchLog  # noqa: E402
from kb.tickets import article_requests as requests  # noqa: E402
from kb.tickets import service as tickets  # noqa: E402
from kb.tickets.models import ArticleRequest, Ticket  # noqa: E402
from kb.tickets.schemas import (  # noqa: E402
    RequestDecision,
    RequestRejection,
    ResolveInput,
    TicketCreate,
)

# Subjects customers come with. ``slug``: the article that answers it (None: a gap until an
# editor writes ``article``); ``share``: how often it comes up; ``queries``: how customers
# search for it; ``answers``: what a "Nee" voter says they were looking for.
TOPICS = [
    {
        "subject": "Wifi valt steeds weg op zolder",
        "slug": "wifi-traag-of-valt-weg",
        "share": 14,
        "queries": ["wifi valt weg", "wifi traag", "Wifi  valt steeds weg", "wifi bereik zolder"],
        "answers": ["hoe krijg ik wifi op zolder", "mesh systeem koppelen"],
    },
    {
        "subject": "Internet werkt niet sinds vanochtend",
        "slug": "internet-werkt-niet",
        "share": 12,
        "queries": ["internet werkt niet", "geen internet", "storing internet"],
        "answers": [],
    },
    {
        "subject": "Factuur hoger dan verwacht",
        "slug": "factuur-hoger-dan-verwacht",
        "share": 10,
        "queries": ["factuur te hoog", "rekening hoger", "factuur hoger dan verwacht"],
        "answers": ["waarom betaal ik meer dan vorige maand"],
    },
    {
        "subject": "Wachtwoord Mijn Polderlink vergeten",
        "slug": "wachtwoord-vergeten",
        "share": 9,
        "queries": ["wachtwoord vergeten", "inloggen lukt niet", "wachtwoord resetten"],
        "answers": [],
    },
    {
        "subject": "Verhuizing doorgeven",
        "slug": "verhuizing-doorgeven",
        "share": 8,
        "queries": ["verhuizen", "verhuizing doorgeven", "nieuw adres"],
        "answers": [],
    },
    {
        "subject": "Abonnement opzeggen",
        "slug": "contract-opzeggen",
        "share": 7,
        "queries": ["abonnement opzeggen", "contract opzeggen", "opzegtermijn"],
        "answers": ["opzeggen na overlijden"],
    },
    {
        "subject": "Lampje op de Thuisbox knippert rood",
        "slug": "lampjes-thuisbox",
        "share": 7,
        "queries": ["lampje knippert rood", "rood lampje modem", "lampjes thuisbox"],
        "answers": [],
    },
    {
        "subject": "Monteur niet gekomen",
        "slug": "monteur-niet-gekomen",
        "share": 5,
        "queries": ["monteur niet gekomen", "monteur afspraak gemist"],
        "answers": [],
    },
    {
        "subject": "eSIM activeren op nieuwe telefoon",
        "slug": None,
        "article": ("eSIM activeren", "Scan de QR-code uit Mijn Polderlink met uw telefoon."),
        "publish_week": 3,
        "share": 9,
        "queries": ["esim activeren", "e-sim instellen", "eSIM  activeren", "esim qr code"],
        "answers": ["hoe zet ik mijn esim over", "esim activeren"],
    },
    {
        "subject": "Sportpakket op de tv toevoegen",
        "slug": None,
        "article": ("Sportpakket toevoegen", "Kies in Mijn Polderlink bij TV het Sportpakket."),
        "publish_week": 5,
        "share": 6,
        "queries": ["sportpakket", "sport zenders toevoegen", "sportpakket tv"],
        "answers": ["sportzenders kijken"],
    },
    {
        "subject": "Glasvezel aanvragen in een nieuwbouwwijk",
        "slug": None,
        "article": None,  # still open at the end
        "share": 6,
        "queries": ["glasvezel nieuwbouw", "nieuwbouwwijk glasvezel aanvragen"],
        "answers": ["wanneer komt glasvezel in mijn nieuwbouwwijk"],
    },
    {
        "subject": "Tv-app werkt niet meer na update",
        "slug": None,
        "article": None,
        "share": 4,
        "queries": ["tv app update", "app tv werkt niet na update"],
        "answers": [],
    },
]
CHANNELS = ["phone", "phone", "phone", "chat", "chat", "email", "social"]
PRIORITIES = ["normal"] * 7 + ["high"] * 2 + ["urgent"]
LINK_WHEN_KNOWN = 0.82  # agents find and link the article; otherwise they ask for one


def backdate(model, column: str, at: datetime, after_id: int) -> None:
    """Set ``column`` of the rows made since ``after_id`` to ``at`` (data set-up only)."""
    db.session.execute(sa.update(model).where(model.id > after_id).values({column: at}))
    db.session.commit()


def last_id(model) -> int:
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(model.id), 0)))


def doc_by_slug(slug: str) -> Document:
    return db.session.scalar(sa.select(Document).where(Document.slug == slug))


class Run:
    def __init__(self, rnd: random.Random, start: datetime, weeks: int) -> None:
        self.rnd = rnd
        self.start = start
        self.weeks = weeks
        self.agents: list[User] = []
        self.editor: User
        self.request_for: dict[str, int] = {}  # topic subject -> its open request
        self.published: dict[str, str] = {}  # topic subject -> slug written for it
        self.counts = {"searches": 0, "clicks": 0, "votes": 0, "answers": 0, "rejected": 0}

    def slug_for(self, topic: dict) -> str | None:
        return topic["slug"] or self.published.get(topic["subject"])

    def customer_search(self, topic: dict, at: datetime) -> None:
        query = self.rnd.choice(topic["queries"])
        before = last_id(SearchLog)
        found = searching.search(Anonymous(), query)
        backdate(SearchLog, "created_at", at, before)
        self.counts["searches"] += 1
        if not found.results:
            return
        slug = self.slug_for(topic)
        opened = next((r.slug for r in found.results[:5] if r.slug == slug), None)
        if opened is not None and self.rnd.random() < 0.15:
            opened = None  # read the snippet and left, or called
        elif opened is None and self.rnd.random() < 0.3:
            opened = found.results[0].slug  # opens the first one anyway
        if opened is None:
            return
        before = last_id(SearchClick)
        doc = doc_by_slug(opened)
        searches.record_click(query, doc.id, "anonymous")
        backdate(SearchClick, "created_at", at, before)
        self.counts["clicks"] += 1
        if self.rnd.random() < 0.35:
            helpful = opened == slug and self.rnd.random() < 0.75
            before = last_id(Vote)
            vote = feedback.vote(doc, helpful)
            self.counts["votes"] += 1
            if not helpful and topic["answers"] and self.rnd.random() < 0.5:
                text = self.rnd.choice(topic["answers"])
                feedback.follow_up(doc, vote.id, VoteFollowUp(wanted=text))
                self.counts["answers"] += 1
            backdate(Vote, "created_at", at, before)

    def ticket(self, n: int, topic: dict, at: datetime, resolve: bool) -> None:
        agent = self.rnd.choice(self.agents)
        priority = self.rnd.choice(PRIORITIES)
        ticket = tickets.create_ticket(
            agent,
            TicketCreate(
                external_ref=f"PL-{at:%Y}-{n:05d}",
                subject=topic["subject"],
                channel=self.rnd.choice(CHANNELS),
                priority=priority,
                opened_at=at,
            ),
        )
        if not resolve:
            return
        slug = self.slug_for(topic)
        if slug and self.rnd.random() < LINK_WHEN_KNOWN:
            how = ResolveInput(document=slug)
        elif topic["subject"] in self.request_for:
            how = ResolveInput(request_id=self.request_for[topic["subject"]])
        else:
            title = topic["article"][0] if topic.get("article") else topic["subject"]
            how = ResolveInput.model_validate({"request": {"title": title}})
        answered = at + timedelta(minutes=self.rnd.choice([20, 45, 90, 180, 600, 1800]))
        before_request = last_id(ArticleRequest)
        tickets.resolve(ticket, agent, how)
        db.session.execute(
            sa.update(Ticket)
            .where(Ticket.id == ticket.id)
            .values(first_response_at=answered, resolved_at=answered, updated_at=answered)
        )
        backdate(ArticleRequest, "created_at", answered, before_request)
        if ticket.request_id and topic["subject"] not in self.request_for:
            if slug:  # a request for what exists: the editors will reject it
                requests.reject_request(
                    requests.get_request(ticket.request_id),
                    self.editor,
                    RequestRejection(reason=f"Staat al in {slug}."),
                )
                self.counts["rejected"] += 1
            else:
                self.request_for[topic["subject"]] = ticket.request_id

    def improve(self, slug: str, tip: str) -> None:
        doc = doc_by_slug(slug)
        body = f"{doc.current.body}\n\n{tip}"
        documents.save_revision(doc, self.editor, doc.current_number, DocumentUpdate(body=body))
        documents.publish(doc, self.editor)

    def publish_missing(self, topic: dict, at: datetime) -> None:
        title, body = topic["article"]
        doc = documents.create_document(
            self.editor,
            DocumentCreate.model_validate(
                {
                    "kind": "article",
                    "audience": "public",
                    "category": "tv-en-mobiel",
                    "title": title,
                    "body": body,
                }
            ),
        )
        documents.publish(doc, self.editor)
        self.published[topic["subject"]] = doc.slug
        request_id = self.request_for.pop(topic["subject"], None)
        if request_id is not None:
            found = requests.get_request(request_id)
            requests.fulfil_request(found, self.editor, RequestDecision(document=doc.slug))
            db.session.execute(
                sa.update(ArticleRequest)
                .where(ArticleRequest.id == request_id)
                .values(fulfilled_at=at, decided_at=at, updated_at=at)
            )
            db.session.commit()


def play(run: Run, n_tickets: int) -> None:
    """Events in time order: per working day tickets and customer searches; editors publish."""
    rnd = run.rnd
    weights = [t["share"] for t in TOPICS]
    days = run.weeks * 7
    day_weight = [
        0.3 if (run.start + timedelta(days=d)).weekday() >= 5 else 1.0 for d in range(days)
    ]
    per_weight = n_tickets / sum(day_weight)
    n, owed = 0, 0.0
    for day in range(days):
        date = run.start + timedelta(days=day)
        for topic in TOPICS:
            if topic.get("article") and topic.get("publish_week") == day // 7 and day % 7 == 2:
                run.publish_missing(topic, date + timedelta(hours=11))
        if day == days // 2:  # an editor improves the most used article halfway
            run.improve("wifi-traag-of-valt-weg", "Tip: zet de Thuisbox niet in een kast.")
        owed += per_weight * day_weight[day]
        while owed >= 1 and n < n_tickets:
            owed -= 1
            topic = rnd.choices(TOPICS, weights)[0]
            at = date + timedelta(hours=rnd.uniform(8, 20))
            if at > utcnow():
                at = utcnow() - timedelta(minutes=30)
            run.ticket(n, topic, at, resolve=True)
            n += 1
            for _ in range(rnd.choice([1, 2, 3, 4])):
                run.customer_search(rnd.choices(TOPICS, weights)[0], at)
    now = utcnow()
    while n < n_tickets:  # rounding
        run.ticket(n, rnd.choices(TOPICS, weights)[0], now - timedelta(hours=2), resolve=True)
        n += 1
    for i, hours in enumerate((2, 5, 30, 40, 60)):  # still open; some past their answer time
        run.ticket(n_tickets + i, rnd.choice(TOPICS), now - timedelta(hours=hours), False)


def pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def report(m, elapsed: float) -> None:
    r = m.resolutions
    print(
        f"\n## Last {m.days} days ({m.since:%Y-%m-%d} to {m.until:%Y-%m-%d}), computed in "
        f"{elapsed * 1000:.0f} ms"
    )
    print(
        f"resolved {r.resolved} · linked to a document {r.linked} · via a request {r.via_request}"
    )
    print(
        f"link rate {pct(r.link_rate)} (KCS band {pct(r.band_low)}-{pct(r.band_high)}) · "
        f"request rate {pct(r.request_rate)}"
    )
    print(f"known {r.known} · new {r.new} · still without a document {r.waiting}")
    print(
        "weeks (start, days in the period: resolved / link rate / searches without results / "
        "requests filed):"
    )
    for w in m.weeks:
        print(
            f"  {w.start} {w.days}d  {w.resolved:3d}  {pct(w.link_rate):>6}  "
            f"{w.searches_without_results:3d}  {w.requests_filed:2d}"
        )
    print("reuse (document: tickets, by revision):")
    for d in m.reuse[:6]:
        revisions = ", ".join(f"r{u.revision}: {u.tickets}" for u in d.revisions)
        print(f"  {d.slug}: {d.tickets} ({revisions})")
    print("open requests by demand (tickets + searches + 'nee' + suggestions):")
    for q in m.open_requests:
        print(
            f"  #{q.id} {q.title!r}: {q.demand} = {q.tickets} + {q.searches} + "
            f"{q.not_helpful} + {q.suggestions}"
        )
    print("searches without results:")
    for s in m.searches_without_results[:8]:
        note = " (finds something now)" if s.finds_now else ""
        print(f"  {s.query!r}: {s.searches} ({s.customers} by customers){note}")
    print("helpfulness (document: ja / nee / 'wat zocht u' / share):")
    for h in m.helpfulness[:6]:
        print(f"  {h.slug}: {h.helpful} / {h.not_helpful} / {h.answers} / {pct(h.share)}")
    p = m.publication
    median = "–" if p.median_hours is None else f"{p.median_hours} h"
    print(f"request to publication: median {median} over {p.fulfilled} fulfilled")
    t = m.timeliness
    print(
        f"open tickets past their answer time now: {t.overdue} · first responses in time "
        f"{t.in_time}/{t.first_responses} ({pct(t.in_time_rate)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=200)
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--keep", action="store_true", help="keep the scratch data folder")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="kb-loop-"))
    shutil.copy(ROOT / "content" / "synoniemen.txt", scratch / "synoniemen.txt")
    app = create_app(
        {"KB_DATA_DIR": str(scratch), "KB_SYNONYMS_FILE": str(scratch / "synoniemen.txt")}
    )
    try:
        with app.app_context():
            from flask_migrate import upgrade

            started = time.perf_counter()
            upgrade()
            import_files([parse_file(p) for p in find_files(ROOT / "content")])
            search_service.rebuild()
            print(
                f"scratch {scratch}: migrated, content/ imported and indexed in "
                f"{time.perf_counter() - started:.1f} s"
            )
            run = Run(random.Random(args.seed), utcnow() - timedelta(weeks=args.weeks), args.weeks)
            run.agents = [
                accounts.create_user(SYSTEM, f"agent{i}@loop.example", "agent", "loop-wachtwoord-1")
                for i in range(6)
            ]
            run.editor = accounts.create_user(
                SYSTEM, "redactie@loop.example", "editor", "loop-wachtwoord-1"
            )
            started = time.perf_counter()
            play(run, args.tickets)
            print(
                f"played {args.weeks} weeks in {time.perf_counter() - started:.1f} s: "
                f"{args.tickets + 5} tickets, {run.counts['searches']} customer searches, "
                f"{run.counts['clicks']} results opened, {run.counts['votes']} votes "
                f"({run.counts['answers']} said what they looked for), "
                f"{run.counts['rejected']} duplicate requests rejected"
            )
            # An editor maps a search that helped nobody (no results, or none opened) of a
            # subject that has an article to that article; the search then finds it first.
            answers = {
                searches.normalise(q): t["slug"] for t in TOPICS if t["slug"] for q in t["queries"]
            }
            groups = searches.grouped(run.start)
            print("searches that found something but of which nobody opened a result:")
            for group in searches.unopened(groups, 6):
                print(f"  {group.query!r}: {group.unopened} of {group.with_results}")
            helped_nobody = searches.without_results(groups) + searches.unopened(groups)
            for group in helped_nobody:
                if group.query in answers:
                    slug = answers[group.query]
                    before = searching.search(Anonymous(), group.query, record=False)
                    proposal = synonyms.apply(run.editor, group.query, slug)
                    after = searching.search(Anonymous(), group.query, record=False)
                    rank = [r.slug for r in after.results].index(slug) + 1
                    was = [r.slug for r in before.results]
                    print(
                        f"synonym added: {proposal.line!r}; {group.query!r} found "
                        f"{before.total} ({slug} at {was.index(slug) + 1 if slug in was else '-'})"
                        f", now {after.total} ({slug} at {rank})"
                    )
                    break
            for days in (30, 90):
                started = time.perf_counter()
                figures = service.metrics(run.editor, days)
                report(figures, time.perf_counter() - started)
    finally:
        if args.keep:
            print(f"\nkept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
