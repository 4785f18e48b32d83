"""search GIN indexes: a small pending list, so searches never read a long one

Revision ID: c4d2b8e6f1a3
Revises: a7c3e91f0b52
Create Date: 2026-12-02 05:40:00

A GIN index gathers new entries in an unsorted pending list (fastupdate) of up to
gin_pending_list_limit (4 MB by default) until a vacuum merges them, and every search reads
all of it: at 10 000 documents a search took 218 ms instead of 93 ms with the list merged,
and the planner, pricing the index by it, chose sequential scans. With 64 kB a publish that
fills the list merges it at once (a few milliseconds); `kb search reindex` merges it at the
end (kb.search.postgres.backend).

Only on PostgreSQL; other databases have no GIN indexes.
"""

from alembic import op

revision = 'c4d2b8e6f1a3'
down_revision = 'a7c3e91f0b52'
branch_labels = None
depends_on = None

INDEXES = ("ix_search_entries_tsv", "ix_search_entries_title_tsv", "ix_search_words_trgm")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.execute(f"ALTER INDEX {name} SET (gin_pending_list_limit = 64)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.execute(f"ALTER INDEX {name} RESET (gin_pending_list_limit)")
