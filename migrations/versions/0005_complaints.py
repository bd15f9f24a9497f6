"""complaints: categories and complaints (work orders)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 11:50:00

"""
from alembic import op
import sqlalchemy as sa
import charity.core.db  # noqa: F401  (column types of the app)


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('complaint_category',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('channel', sa.Enum('online', 'work_order', 'hotline', name='complaint_channel', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('created_at', charity.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_complaint_category_organization_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_category')),
    sa.UniqueConstraint('organization_id', 'name', name=op.f('uq_complaint_category_organization_id_name'))
    )
    with op.batch_alter_table('complaint_category', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_category_organization_id'), ['organization_id'], unique=False)

    op.create_table('complaint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('tracking_no', sa.String(length=16), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('contact_name', sa.String(length=100), nullable=False),
    sa.Column('contact_phone', sa.String(length=50), nullable=False),
    sa.Column('contact_email', sa.String(length=200), nullable=False),
    sa.Column('attachment_stored_name', sa.String(length=64), nullable=True),
    sa.Column('attachment_name', sa.String(length=255), nullable=False),
    sa.Column('attachment_mime', sa.String(length=64), nullable=False),
    sa.Column('attachment_size', sa.Integer(), nullable=True),
    sa.Column('attachment_sha256', sa.String(length=64), nullable=False),
    sa.Column('address_hash', sa.String(length=64), nullable=True),
    sa.Column('status', sa.Enum('submitted', 'accepted', 'dispatched', 'handled', 'answered', 'closed', name='complaint_status', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('submitted_at', charity.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.Column('accept_due', sa.Date(), nullable=False),
    sa.Column('dispatch_due', sa.Date(), nullable=False),
    sa.Column('handle_due', sa.Date(), nullable=False),
    sa.Column('answer_due', sa.Date(), nullable=False),
    sa.Column('close_due', sa.Date(), nullable=False),
    sa.Column('accepted_at', charity.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.Column('dispatched_at', charity.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('dispatched_by_id', sa.Integer(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('point_id', sa.Integer(), nullable=True),
    sa.Column('dispatch_note', sa.Text(), nullable=False),
    sa.Column('handled_at', charity.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('handled_by_id', sa.Integer(), nullable=True),
    sa.Column('handling_note', sa.Text(), nullable=False),
    sa.Column('answered_at', charity.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('closed_at', charity.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('assignee_id IS NULL OR point_id IS NULL', name=op.f('ck_complaint_one_dispatch_target')),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['user_account.id'], name=op.f('fk_complaint_accepted_by_id_user_account')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user_account.id'], name=op.f('fk_complaint_answered_by_id_user_account')),
    sa.ForeignKeyConstraint(['assignee_id'], ['user_account.id'], name=op.f('fk_complaint_assignee_id_user_account')),
    sa.ForeignKeyConstraint(['category_id'], ['complaint_category.id'], name=op.f('fk_complaint_category_id_complaint_category')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['user_account.id'], name=op.f('fk_complaint_closed_by_id_user_account')),
    sa.ForeignKeyConstraint(['dispatched_by_id'], ['user_account.id'], name=op.f('fk_complaint_dispatched_by_id_user_account')),
    sa.ForeignKeyConstraint(['handled_by_id'], ['user_account.id'], name=op.f('fk_complaint_handled_by_id_user_account')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_complaint_organization_id_organization')),
    sa.ForeignKeyConstraint(['point_id'], ['charity_point.id'], name=op.f('fk_complaint_point_id_charity_point')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint')),
    sa.UniqueConstraint('tracking_no', name=op.f('uq_complaint_tracking_no'))
    )
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.create_index('ix_complaint_address_recent', ['address_hash', 'submitted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_point_id'), ['point_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_submitted_on'), ['submitted_on'], unique=False)


def downgrade():
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_submitted_on'))
        batch_op.drop_index(batch_op.f('ix_complaint_status'))
        batch_op.drop_index(batch_op.f('ix_complaint_point_id'))
        batch_op.drop_index(batch_op.f('ix_complaint_organization_id'))
        batch_op.drop_index(batch_op.f('ix_complaint_category_id'))
        batch_op.drop_index(batch_op.f('ix_complaint_assignee_id'))
        batch_op.drop_index('ix_complaint_address_recent')

    op.drop_table('complaint')
    with op.batch_alter_table('complaint_category', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_category_organization_id'))

    op.drop_table('complaint_category')
