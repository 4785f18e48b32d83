"""planner statistics: ANALYZE once, so an existing knowledge base gets them at the upgrade

Revision ID: f1b9d3e5a7c2
Revises: e2f7a9c41d06
Create Date: 2026-12-02 08:40:00

SQLite keeps no statistics unless ANALYZE runs, and without them its planner guesses: at
100 000 documents it read every published document through ix_documents_status to find a
few slugs. `kb content import` and `kb search reindex` run it from now on
(kb.db.refresh_statistics); this gives an existing database its first statistics.
"""

from alembic import op

revision = 'f1b9d3e5a7c2'
down_revision = 'e2f7a9c41d06'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ANALYZE")


def downgrade():
    pass  # statistics only guide the planner; the older schema reads them just as well
