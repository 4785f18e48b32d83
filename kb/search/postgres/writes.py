"""Writing the PostgreSQL search tables: entries and the per-level word counts, each in a
few statements per batch (the writer lock is held meanwhile)."""

from collections import Counter

from sqlalchemy import text

from kb.extensions import db
from kb.search.backend import IndexDoc


def remove(ids: list[int]) -> None:
    if not ids:
        return
    old = db.session.execute(
        text("DELETE FROM search_entries WHERE document_id = ANY(:ids) RETURNING level, words"),
        {"ids": ids},
    ).all()
    counts = Counter((level, w) for level, words in old for w in words.split())
    if counts:
        keys, ns = list(counts), list(counts.values())
        db.session.execute(
            text(
                "UPDATE search_words s SET doc_count = s.doc_count - v.n "
                "FROM unnest(CAST(:levels AS text[]), CAST(:words AS text[]), "
                "CAST(:ns AS integer[])) AS v(level, word, n) "
                "WHERE s.level = v.level AND s.word = v.word"
            ),
            {"levels": [k[0] for k in keys], "words": [k[1] for k in keys], "ns": ns},
        )
    db.session.execute(text("DELETE FROM search_words WHERE doc_count <= 0"))


def insert(docs: list[IndexDoc]) -> None:
    if not docs:
        return
    db.session.execute(
        text(
            "INSERT INTO search_entries (document_id, slug, level, kind, channel, category, "
            "tags, revision, title, title_terms, tag_terms, body_terms, part_terms, "
            "title_words, words) VALUES (:id, :slug, :level, :kind, :channel, :category, "
            ":tags, :revision, :title, :title_terms, :tag_terms, :body_terms, :part_terms, "
            ":title_words, :words)"
        ),
        [
            {
                "id": d.id,
                "slug": d.slug,
                "level": d.level,
                "kind": d.kind,
                "channel": d.channel or "",
                "category": d.category or "",
                "tags": ",".join(d.tags),
                "revision": d.revision,
                "title": d.title,
                "title_terms": " ".join(d.title_terms),
                "tag_terms": " ".join(d.tag_terms),
                "body_terms": " ".join(d.body_terms),
                # Learned customer phrases go with the parts: D, the lowest weight.
                "part_terms": " ".join(d.part_terms + d.learned_terms),
                "title_words": " ".join(sorted(d.title_words)),
                "words": " ".join(sorted(w for w in d.words if len(w) <= 80)),
            }
            for d in docs
        ],
    )
    counts = Counter((d.level, w) for d in docs for w in d.words if len(w) <= 80)
    if not counts:
        return
    keys = sorted(counts)  # one order for every writer: no deadlocks between upserts
    db.session.execute(  # one statement, not one per word: the writer lock is short
        text(
            "INSERT INTO search_words (level, word, doc_count) "
            "SELECT * FROM unnest(CAST(:levels AS text[]), CAST(:words AS text[]), "
            "CAST(:ns AS integer[])) "
            "ON CONFLICT (level, word) DO UPDATE "
            "SET doc_count = search_words.doc_count + EXCLUDED.doc_count"
        ),
        {
            "levels": [k[0] for k in keys],
            "words": [k[1] for k in keys],
            "ns": [counts[k] for k in keys],
        },
    )
