"""search_words: the trigram index answers similarity only, equality goes to the primary key

Revision ID: a7c3e91f0b52
Revises: d6af4906cc2f
Create Date: 2026-12-02 05:00:00

pg_trgm's GIN operator class also supports `=` (PostgreSQL 14 and later), and once
search_words is analysed the planner prices it below the primary key (level, word): every
"is this a known word" look-up then scanned trigram posting lists, about 1.7 ms a word
instead of a few microseconds, and a search that asks about a compound's heads and tails
took seconds. Indexing lower(word) instead (the words are stored folded, so it is the same
text) leaves `word = ...` to the primary key; kb.search.postgres.reads.corrections asks
`lower(word) % :w`, which this index serves.

Only on PostgreSQL; other databases have no trigram index.
"""
from alembic import op

revision = 'a7c3e91f0b52'
down_revision = 'd6af4906cc2f'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_search_words_trgm")
    op.execute(
        "CREATE INDEX ix_search_words_trgm ON search_words USING gin (lower(word) gin_trgm_ops)"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_search_words_trgm")
    op.execute("CREATE INDEX ix_search_words_trgm ON search_words USING gin (word gin_trgm_ops)")
