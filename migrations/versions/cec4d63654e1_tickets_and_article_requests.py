"""tickets, their notes and history, and article requests (the knowledge loop)

Revision ID: cec4d63654e1
Revises: 4ead5ef6db1c
Create Date: 2026-12-01 14:58:07.791784

"""
from alembic import op
import sqlalchemy as sa

import kb.db


# revision identifiers, used by Alembic.
revision = 'cec4d63654e1'
down_revision = '4ead5ef6db1c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('article_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', kb.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', kb.db.UTCDateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', kb.db.UTCDateTime(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('revision_number', sa.Integer(), nullable=True),
    sa.Column('fulfilled_at', kb.db.UTCDateTime(), nullable=True),
    sa.CheckConstraint("status != 'done' OR (document_id IS NOT NULL AND revision_number IS NOT NULL AND fulfilled_at IS NOT NULL)", name=op.f('ck_article_requests_done_has_document')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_article_requests_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_article_requests_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_article_requests_document_id_documents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_article_requests'))
    )
    with op.batch_alter_table('article_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_requests_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_article_requests_status'), ['status'], unique=False)

    op.create_table('tickets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_ref', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('priority', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('opened_at', kb.db.UTCDateTime(), nullable=False),
    sa.Column('first_response_at', kb.db.UTCDateTime(), nullable=True),
    sa.Column('resolved_at', kb.db.UTCDateTime(), nullable=True),
    sa.Column('updated_at', kb.db.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('revision_number', sa.Integer(), nullable=True),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('anonymised_at', kb.db.UTCDateTime(), nullable=True),
    sa.CheckConstraint("status = 'open' OR document_id IS NOT NULL OR request_id IS NOT NULL", name=op.f('ck_tickets_resolved_links_something')),
    sa.CheckConstraint("status = 'resolved' OR (document_id IS NULL AND request_id IS NULL)", name=op.f('ck_tickets_open_links_nothing')),
    sa.CheckConstraint('(document_id IS NULL) = (revision_number IS NULL)', name=op.f('ck_tickets_document_has_revision')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_tickets_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_tickets_document_id_documents')),
    sa.ForeignKeyConstraint(['request_id'], ['article_requests.id'], name=op.f('fk_tickets_request_id_article_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets')),
    sa.UniqueConstraint('external_ref', name=op.f('uq_tickets_external_ref'))
    )
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tickets_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_opened_at'), ['opened_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_resolved_at'), ['resolved_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_status'), ['status'], unique=False)

    op.create_table('ticket_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', kb.db.UTCDateTime(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('revision_number', sa.Integer(), nullable=True),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_ticket_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_ticket_events_document_id_documents')),
    sa.ForeignKeyConstraint(['request_id'], ['article_requests.id'], name=op.f('fk_ticket_events_request_id_article_requests')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_events_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_events'))
    )
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_events_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_events_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_events_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('ticket_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', kb.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_ticket_notes_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_notes_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_notes'))
    )
    with op.batch_alter_table('ticket_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_notes_ticket_id'), ['ticket_id'], unique=False)



def downgrade():
    with op.batch_alter_table('ticket_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_notes_ticket_id'))

    op.drop_table('ticket_notes')
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_events_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_ticket_events_request_id'))
        batch_op.drop_index(batch_op.f('ix_ticket_events_document_id'))

    op.drop_table('ticket_events')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tickets_status'))
        batch_op.drop_index(batch_op.f('ix_tickets_resolved_at'))
        batch_op.drop_index(batch_op.f('ix_tickets_request_id'))
        batch_op.drop_index(batch_op.f('ix_tickets_opened_at'))
        batch_op.drop_index(batch_op.f('ix_tickets_document_id'))

    op.drop_table('tickets')
    with op.batch_alter_table('article_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_requests_status'))
        batch_op.drop_index(batch_op.f('ix_article_requests_document_id'))

    op.drop_table('article_requests')
