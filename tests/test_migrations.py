"""The migrations build exactly the schema the models describe."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from kb import create_app
from kb.extensions import db


def _check(url: str, tmp_path) -> None:
    app = create_app(
        {"TESTING": True, "KB_DATA_DIR": str(tmp_path), "SQLALCHEMY_DATABASE_URI": url}
    )
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_object": _not_pg_only})
            diff = compare_metadata(context, db.metadata)
            if conn.dialect.name == "postgresql":
                # The Dutch configuration: accents gone, Dutch stems, no stop-word list.
                vector = conn.scalar(
                    sa.text("SELECT to_tsvector('kb_dutch', 'Café betalingen ander')")
                )
                assert vector == "'ander':3 'betal':2 'caf':1"
        assert diff == []
        db.engine.dispose()


# Generated tsvector columns and GIN/trigram indexes exist only on PostgreSQL, made by the
# search migration, not by the models.
PG_ONLY = {
    "tsv",
    "title_tsv",
    "ix_search_entries_tsv",
    "ix_search_entries_title_tsv",
    "ix_search_words_trgm",
}


def _not_pg_only(obj, name, type_, reflected, compare_to) -> bool:
    return name not in PG_ONLY


def test_migrations_match_models_sqlite(tmp_path):
    _check(f"sqlite:///{tmp_path / 'migrated.sqlite'}", tmp_path)


def test_migrations_match_models_postgres(pg_url, tmp_path):
    import os

    from tests.helpers import drop_pg_schema, pg_url_for_schema, reset_pg_schema

    schema = f"kb_migrate_{os.getpid()}"
    reset_pg_schema(schema)
    try:
        _check(pg_url_for_schema(schema), tmp_path)
    finally:
        drop_pg_schema(schema)


def test_document_tags_are_filled_from_existing_documents(tmp_path):
    """An existing knowledge base keeps its related articles and tag filter after the upgrade
    that moved tags into their own rows."""
    app = create_app(
        {
            "TESTING": True,
            "KB_DATA_DIR": str(tmp_path),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite'}",
        }
    )
    with app.app_context():
        upgrade(revision="c4d2b8e6f1a3")
        with db.engine.begin() as conn:
            for id_, slug, tags in ((1, "a", '["wifi", "router", "wifi"]'), (2, "b", "[]")):
                conn.execute(
                    sa.text(
                        "INSERT INTO documents (id, slug, kind, audience, category, tags, "
                        "language, min_edit_role, status, title, current_number, created_at, "
                        "updated_at) VALUES (:id, :slug, 'article', 'public', 'internet', "
                        ":tags, 'nl', 'editor', 'published', :slug, 1, '2026-01-01', "
                        "'2026-01-01')"
                    ),
                    {"id": id_, "slug": slug, "tags": tags},
                )
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT document_id, tag FROM document_tags ORDER BY tag")
            ).all()
        assert [tuple(r) for r in rows] == [(1, "router"), (1, "wifi")]
        db.engine.dispose()
