"""search clicks (results opened from the search page) and the answer to a "Nee" vote

search_clicks: masked, normalised query, document, role, time; no person (kb.dashboard).
votes.wanted: "Wat zocht u?" after a "Nee", masked; votes.created_at indexed for the
dashboard's periods.

Revision ID: 2f99f335b7ce
Revises: 49129a21f3be
Create Date: 2026-12-01 15:36:40.150404

"""
from alembic import op
import sqlalchemy as sa

import kb.db


# revision identifiers, used by Alembic.
revision = '2f99f335b7ce'
down_revision = '49129a21f3be'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('search_clicks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('query', sa.String(length=200), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('audience', sa.String(length=16), nullable=False),
    sa.Column('created_at', kb.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_search_clicks_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_clicks'))
    )
    with op.batch_alter_table('search_clicks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_clicks_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_clicks_document_id'), ['document_id'], unique=False)

    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wanted', sa.String(length=300), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_votes_created_at'), ['created_at'], unique=False)



def downgrade():
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_votes_created_at'))
        batch_op.drop_column('wanted')

    with op.batch_alter_table('search_clicks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_clicks_document_id'))
        batch_op.drop_index(batch_op.f('ix_search_clicks_created_at'))

    op.drop_table('search_clicks')
