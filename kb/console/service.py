"""Console use cases: find documents while typing, record an open, the team's most used.

Results come from the search service (what the user may read, nothing more) and are put in
the order an agent needs them mid-call: scripts, then internal articles, then public ones.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.exc import IntegrityError

from kb.console.models import DocumentUse
from kb.db import unit_of_work, utcnow
from kb.documents.models import Audience, Channel, Document, Kind, Status
from kb.documents.policy import visible_documents
from kb.extensions import db
from kb.search import searching

MAX_RESULTS = 12
MOST_USED_DAYS = 30
# Below this many characters a full-text search finds noise; titles by prefix are enough.
FULL_TEXT_FROM = 3
# A hit scoring at least this share of the best one counts as a strong answer: strong hits
# come scripts first; weaker ones follow, so a stray script never buries the right article.
STRONG = 0.8


@dataclass
class Found:
    slug: str
    kind: str
    channel: str | None
    audience: str
    title: str
    snippet: str
    strong: bool = True

    @property
    def group(self) -> tuple[int, int]:
        """Strong answers first; within each, scripts, internal articles, public articles."""
        order = (Kind.SCRIPT, Audience.INTERNAL, Audience.PUBLIC)
        kind = order.index(Kind.SCRIPT if self.kind == Kind.SCRIPT else Audience(self.audience))
        return (0 if self.strong else 1, kind)


def find(user, text: str, channel: str | None = None, limit: int = MAX_RESULTS) -> list[Found]:
    """Documents ``user`` may read for ``text``: title matches while typing, then full-text
    matches, grouped scripts first. A ``channel`` keeps only scripts of that channel.

    Raises Unavailable while a missing big search index is rebuilt.
    """
    text = text.strip()[:100]
    if not text:
        return []
    filters = {"channel": channel} if channel in tuple(Channel) else {}
    # slug -> (title, snippet, strong), in rank order; a title match is always strong.
    hits: dict[str, tuple[str, str, bool]] = {}
    for hit in searching.suggest(user, text, limit=limit):
        if not filters or hit.channel == channel:
            hits.setdefault(hit.slug, (hit.title, "", True))
    if len(text) >= FULL_TEXT_FROM:
        found = searching.search(user, text, filters=filters, limit=limit, record=False)
        best = max((r.score for r in found.results), default=0.0)
        for result in found.results:
            strong = result.score >= STRONG * best
            title, snippet, titled = hits.get(result.slug, (result.title, "", False))
            hits[result.slug] = (title, snippet or str(result.snippet), titled or strong)
    if not hits:
        return []
    rows = db.session.execute(
        visible_documents(user)
        .where(Document.slug.in_(hits))
        .with_only_columns(Document.slug, Document.kind, Document.channel, Document.audience)
    ).all()
    meta = {slug: (kind, chan, audience) for slug, kind, chan, audience in rows}
    results = [
        Found(slug, *meta[slug], title=title, snippet=snippet, strong=strong)
        for slug, (title, snippet, strong) in hits.items()
        if slug in meta  # the gate again: the index may lag the database
    ]
    results.sort(key=lambda f: f.group)  # stable: rank order within each group
    return results[:limit]


def record_open(doc: Document) -> None:
    """Count one open of ``doc`` today, for the team's most used list."""
    today = utcnow().date()
    try:
        with unit_of_work():
            _count_open(doc.id, today)
    except IntegrityError:  # another worker made today's row first: count on that one
        with unit_of_work():
            _count_open(doc.id, today)


def _count_open(document_id: int, day: date) -> None:
    counted = cast(
        CursorResult,
        db.session.execute(
            update(DocumentUse)
            .where(DocumentUse.document_id == document_id, DocumentUse.day == day)
            .values(opens=DocumentUse.opens + 1)
        ),
    ).rowcount
    if not counted:
        db.session.add(DocumentUse(document_id=document_id, day=day, opens=1))
        db.session.flush()


def most_used(user, kind: Kind = Kind.SCRIPT, limit: int = 8) -> list[tuple[Document, int]]:
    """The published documents of ``kind`` the team opened most in the last 30 days."""
    since = utcnow().date() - timedelta(days=MOST_USED_DAYS)
    opens = (
        select(DocumentUse.document_id, func.sum(DocumentUse.opens).label("opens"))
        .where(DocumentUse.day >= since)
        .group_by(DocumentUse.document_id)
        .subquery()
    )
    rows = db.session.execute(
        visible_documents(user)
        .where(Document.kind == kind, Document.status == Status.PUBLISHED)
        .join(opens, opens.c.document_id == Document.id)
        .add_columns(opens.c.opens)
        .order_by(opens.c.opens.desc(), Document.published_title)
        .limit(limit)
    ).all()
    return [(doc, int(n)) for doc, n in rows]
