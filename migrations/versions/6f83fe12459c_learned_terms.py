"""learned terms: customers' phrases (masked ticket subjects) per document (kb.search.learned)

A phrase is searched, at the lowest weight, once it has been seen twice for a document and until
an editor removes it. Nothing to reindex: the Whoosh index is rebuilt on its own (its text
field's analyzer changed), the PostgreSQL tables keep their columns.

Revision ID: 6f83fe12459c
Revises: 2f99f335b7ce
Create Date: 2026-12-01 15:49:30.819487

"""
from alembic import op
import sqlalchemy as sa

import kb.db


# revision identifiers, used by Alembic.
revision = '6f83fe12459c'
down_revision = '2f99f335b7ce'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('learned_terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('phrase', sa.String(length=200), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('is_removed', sa.Boolean(), nullable=False),
    sa.Column('created_at', kb.db.UTCDateTime(), nullable=False),
    sa.Column('seen_at', kb.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_learned_terms_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learned_terms')),
    sa.UniqueConstraint('document_id', 'phrase', name=op.f('uq_learned_terms_document_id_phrase'))
    )
    with op.batch_alter_table('learned_terms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_learned_terms_document_id'), ['document_id'], unique=False)


def downgrade():
    with op.batch_alter_table('learned_terms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_learned_terms_document_id'))

    op.drop_table('learned_terms')
