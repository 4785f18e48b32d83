"""postgres search: the kb_dutch text search configuration (unaccent + Dutch stemmer)

Revision ID: 3c5e8a1d9b27
Revises: 1df02a5540f8
Create Date: 2026-11-25 12:45:00

The search terms are analysed in Python first (kb.search.analysis: the same stems,
compounds and folding as Whoosh). PostgreSQL then normalises them once more with its own
Dutch configuration: unaccent, and the Snowball Dutch stemmer without a stop-word list
(stop words were dropped already, and a stem such as "ander" must not vanish). Documents
and queries go through the same configuration, so they always agree.

Only on PostgreSQL; other databases have nothing to change.
"""
import sqlalchemy as sa
from alembic import op


revision = '3c5e8a1d9b27'
down_revision = '1df02a5540f8'
branch_labels = None
depends_on = None

TOKENS = "asciiword, asciihword, hword_asciipart, word, hword, hword_part"


def _tsv(config: str) -> None:
    op.execute("DROP INDEX IF EXISTS ix_search_entries_tsv")
    op.execute("ALTER TABLE search_entries DROP COLUMN IF EXISTS tsv")
    op.execute(
        "ALTER TABLE search_entries ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
        f"setweight(to_tsvector('{config}', title_terms), 'A') || "
        f"setweight(to_tsvector('{config}', tag_terms), 'B') || "
        f"setweight(to_tsvector('{config}', body_terms), 'C') || "
        f"setweight(to_tsvector('{config}', part_terms), 'D')) STORED"
    )
    op.execute("CREATE INDEX ix_search_entries_tsv ON search_entries USING gin (tsv)")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public")
    # The extension may live in any schema (one per database): name its dictionary fully.
    schema = op.get_bind().scalar(
        sa.text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'unaccent'"
        )
    )
    op.execute(
        "CREATE TEXT SEARCH DICTIONARY kb_dutch_stem (TEMPLATE = snowball, Language = dutch)"
    )
    op.execute("CREATE TEXT SEARCH CONFIGURATION kb_dutch (COPY = pg_catalog.dutch)")
    op.execute(
        f"ALTER TEXT SEARCH CONFIGURATION kb_dutch ALTER MAPPING FOR {TOKENS} "
        f'WITH "{schema}".unaccent, kb_dutch_stem'
    )
    _tsv("kb_dutch")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    _tsv("simple")
    op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS kb_dutch")
    op.execute("DROP TEXT SEARCH DICTIONARY IF EXISTS kb_dutch_stem")
