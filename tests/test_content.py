"""Seed content on disk: import is idempotent, export then import reproduces every document."""

from pathlib import Path

import pytest
import yaml

from kb import ROOT
from kb.documents.models import Document, Revision
from kb.extensions import db

CONTENT = ROOT / "content"


def _snapshot(app):
    with app.app_context():
        docs = db.session.scalars(db.select(Document).order_by(Document.slug)).all()
        return {
            d.slug: (
                d.kind,
                d.audience,
                d.channel,
                d.category,
                tuple(d.tags),
                d.min_edit_role,
                d.status,
                d.language,
                d.current.title,
                d.current.body,
            )
            for d in docs
        }


def _revisions(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(Revision.id)))


def test_seed_content_is_big_enough_and_dutch(app, runner):
    result = runner.invoke(args=["content", "import"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        docs = db.session.scalars(db.select(Document)).all()
    public = [d for d in docs if d.audience == "public" and d.status == "published"]
    internal = [d for d in docs if d.audience == "internal" and d.status == "published"]
    assert len(public) >= 30 and len(internal) >= 10
    assert {d.category for d in internal} >= {"beleid"}
    assert all(d.min_edit_role == "supervisor" for d in internal if d.category == "beleid")
    categories = {d.category for d in public}
    assert {
        "account-en-wachtwoord",
        "facturen-en-betalen",
        "storingen",
        "verhuizen",
        "privacy",
        "klachten",
        "contact",
    } <= categories


def test_seed_wiki_links_all_resolve(app, runner, client):
    runner.invoke(args=["content", "import"])
    from kb.documents.markdown import wikilink_slugs

    with app.app_context():
        docs = db.session.scalars(db.select(Document)).all()
        slugs = {d.slug for d in docs}
        broken = {
            (d.slug, s) for d in docs for s in wikilink_slugs(d.current.html) if s not in slugs
        }
    assert broken == set()


def test_import_twice_changes_nothing_then_one_edit_makes_one_revision(app, runner, tmp_path):
    src = tmp_path / "content"
    (src / "articles").mkdir(parents=True)
    for name in ("wachtwoord-vergeten.md", "contract-opzeggen.md"):
        (src / "articles" / name).write_text((CONTENT / "articles" / name).read_text())
    assert runner.invoke(args=["content", "import", str(src)]).exit_code == 0
    before = _revisions(app)
    result = runner.invoke(args=["content", "import", str(src)])
    assert "0 new, 0 updated, 2 unchanged" in result.output
    assert _revisions(app) == before
    path = src / "articles" / "contract-opzeggen.md"
    path.write_text(path.read_text() + "\nExtra alinea.\n")
    result = runner.invoke(args=["content", "import", str(src)])
    assert "0 new, 1 updated, 1 unchanged" in result.output
    assert _revisions(app) == before + 1
    with app.app_context():
        doc = db.session.scalar(db.select(Document).where(Document.slug == "contract-opzeggen"))
        assert doc.published_number == doc.current_number == 2
        assert "Extra alinea." in doc.published.body


def test_export_then_import_into_empty_database_reproduces_everything(
    app, runner, tmp_path, backend, request
):
    runner.invoke(args=["content", "import"])
    # Make the export interesting: a draft, an archived document and a non-default role.
    from kb.auth.models import SYSTEM
    from kb.documents import service
    from kb.documents.schemas import DocumentCreate, DocumentUpdate

    with app.test_request_context():
        draft = service.create_document(
            SYSTEM,
            DocumentCreate(
                kind="script",
                title="Begroeting",
                channel="phone",
                body="Goedemorgen, {{klantnaam}}.",
            ),
        )
        archived = db.session.scalar(
            db.select(Document).where(Document.slug == "modem-retourneren")
        )
        service.archive(archived, SYSTEM)
        strict = db.session.scalar(
            db.select(Document).where(Document.slug == "wachtwoord-vergeten")
        )
        service.save_revision(
            strict, SYSTEM, strict.current_number, DocumentUpdate(min_edit_role="admin")
        )
        assert draft.status == "draft"
    out = tmp_path / "export"
    result = runner.invoke(args=["content", "export", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "scripts" / "phone" / "begroeting.md").exists()
    assert (out / "articles" / "intern" / "compensatiebeleid.md").exists()
    expected = _snapshot(app)

    from kb import create_app

    fresh = create_app(
        {
            "TESTING": True,
            "KB_DATA_DIR": str(tmp_path / "fresh"),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.sqlite'}",
        }
    )
    with fresh.app_context():
        db.create_all()
    result = fresh.test_cli_runner().invoke(args=["content", "import", str(out)])
    assert result.exit_code == 0, result.output
    assert _snapshot(fresh) == expected
    with fresh.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(
    "front, message",
    [
        ("title: X\nslug: Bad Slug\nkind: article\n", ":3: field 'slug'"),
        ("title: X\nslug: x\nkind: brochure\n", ":4: field 'kind'"),
        ("title: X\nslug: x\nkind: article\ncolour: red\n", ":5: unknown field 'colour'"),
        ("title: X\nslug: x\nkind: article\ntags: [a\n", "invalid YAML"),
        ("title: X\nkind: article\n", "missing field 'slug'"),
        ("title: X\nslug: x\nkind: article\ntags: factuur\n", ":5: field 'tags' must be a list"),
    ],
)
def test_bad_front_matter_names_file_and_line(app, runner, tmp_path, front, message):
    (tmp_path / "good.md").write_text("---\ntitle: Goed\nslug: goed\nkind: article\n---\nTekst\n")
    (tmp_path / "bad.md").write_text(f"---\n{front}---\nTekst\n")
    result = runner.invoke(args=["content", "import", str(tmp_path)])
    assert result.exit_code != 0
    assert "bad.md" in result.output and message in result.output
    with app.app_context():  # nothing was imported, not even the good file
        assert db.session.scalar(db.select(db.func.count(Document.id))) == 0


def test_missing_directory_is_a_clear_error(runner, tmp_path):
    result = runner.invoke(args=["content", "import", str(tmp_path / "nergens")])
    assert result.exit_code != 0 and "no such directory" in result.output


def test_content_files_have_valid_front_matter():
    files = [p for p in CONTENT.rglob("*.md") if p.name != "README.md"]
    assert len(files) >= 40
    for path in files:
        text = path.read_text(encoding="utf-8")
        meta = yaml.safe_load(text.split("---\n")[1])
        assert meta["slug"] == Path(path).stem, path


def test_an_import_leaves_the_planner_statistics_to_find_documents_by_slug(app, runner):
    """Without statistics SQLite read every published document through the status index to
    find a linked script's title (19 ms at 100 000 documents, kb.db.refresh_statistics); after
    an import it goes straight to the slug."""
    import sqlalchemy as sa

    from kb.documents.models import Document, Status

    if db_dialect(app) != "sqlite":
        pytest.skip("SQLite's planner: PostgreSQL keeps statistics with autovacuum")
    assert runner.invoke(args=["content", "import"]).exit_code == 0
    query = sa.select(Document.title).where(
        Document.status == Status.PUBLISHED, Document.slug.in_(["a", "b", "c"])
    )
    with app.app_context():
        sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
        plan = " ".join(row[3] for row in db.session.execute(sa.text(f"EXPLAIN QUERY PLAN {sql}")))
    assert "sqlite_autoindex_documents_1 (slug=?)" in plan, plan


def db_dialect(app) -> str:
    with app.app_context():
        return db.engine.dialect.name


SAME_AS_ONE_BY_ONE = {
    "published script": (
        "title: Terugbellen na storing\nkind: script\nchannel: phone\ncategory: storingen\n"
        "tags: [terugbellen, storing, storing]\n",
        "## Opening\n\nGoedemorgen, u spreekt met [[wachtwoord-vergeten]].\n\n- [ ] check\n",
    ),
    "draft article": (
        "title: Factuur kwijt\nkind: article\naudience: public\ncategory: facturen-en-betalen\n"
        "tags: [factuur]\nstatus: draft\n",
        "Vraag een **kopie** aan via Mijn omgeving.\n",
    ),
    "policy article": (
        "title: Compensatie bij storingen\nkind: article\naudience: internal\n"
        "category: beleid\ntags: []\n",
        "!!! note\n    Alleen na overleg.\n",
    ),
}


@pytest.mark.parametrize("name", SAME_AS_ONE_BY_ONE)
def test_a_new_file_is_written_exactly_as_create_and_publish_would(app, tmp_path, name):
    """New files are written a batch at a time (kb.documents.bulk): every row, tag, audit
    event and index entry must be what create_document and publish leave behind."""
    from kb.audit.models import AuditEvent
    from kb.db import unit_of_work
    from kb.documents import io
    from kb.documents.models import DocumentTag
    from kb.search.models import SearchOutbox

    front, body = SAME_AS_ONE_BY_ONE[name]
    for slug in ("one-by-one", "in-bulk"):
        (tmp_path / slug).mkdir()
        (tmp_path / slug / "doc.md").write_text(f"---\nslug: {slug}\n{front}---\n{body}")
    with app.app_context():
        one = io.parse_file(tmp_path / "one-by-one" / "doc.md")
        with unit_of_work():
            io._import_one(one, io.ImportResult(), exists=False)
        result = io.import_files([io.parse_file(tmp_path / "in-bulk" / "doc.md")])
        assert result.created == ["in-bulk"]

        def written(slug: str) -> dict:
            doc = db.session.scalar(db.select(Document).where(Document.slug == slug))
            skip = {"id", "slug", "created_at", "updated_at", "published_at", "document_id"}
            return {
                "document": {c.key: getattr(doc, c.key) for c in Document.__table__.columns}
                | {key: None for key in skip},
                "published": doc.published_at is not None,
                "revisions": [
                    {c.key: getattr(r, c.key) for c in Revision.__table__.columns}
                    | {key: None for key in skip}
                    for r in doc.revisions
                ],
                "tags": sorted(
                    db.session.scalars(
                        db.select(DocumentTag.tag).where(DocumentTag.document_id == doc.id)
                    )
                ),
                "audit": [
                    (e.action, e.actor_id, e.detail)
                    for e in db.session.scalars(
                        db.select(AuditEvent)
                        .where(AuditEvent.target_id == slug)
                        .order_by(AuditEvent.id)
                    )
                ],
                # queued for the index: once is enough (one by one queues it twice)
                "queued": db.session.scalar(
                    db.select(db.func.count())
                    .select_from(SearchOutbox)
                    .where(SearchOutbox.document_id == doc.id)
                )
                > 0,
            }

        one_by_one, in_bulk = written("one-by-one"), written("in-bulk")
    assert in_bulk == one_by_one
    assert in_bulk["audit"][0][0] == "document.create" and in_bulk["queued"]
    assert in_bulk["published"] == ("status: draft" not in front)
