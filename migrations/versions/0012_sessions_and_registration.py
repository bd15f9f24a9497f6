"""sessions_and_registration: server-side sessions; registration facts with their history

Revision ID: 0012_sessions_and_registration
Revises: 0010
Create Date: 2026-12-06 10:00:00

Issue 16, items 1 and 2.

- user_session: one row per signed-in browser (charity.auth.sessions). Existing sign-ins
  carry cookies of the earlier "id:token" form, which no longer name a session: everybody
  signs in again once after the upgrade.
- organization.org_type (nullable: unknown until an administrator records it) and
  organization.fundraising_cert_valid_until (nullable: no end date). Both are added in place
  (no table rebuild on SQLite: organization is referenced by most tables).
- registration_change: the history of changes of an organisation's registration facts, each
  with its reason and evidence file.
"""
from alembic import op
import sqlalchemy as sa
import charity.core.db  # noqa: F401  (column types of the app)


# revision identifiers, used by Alembic.
revision = '0012_sessions_and_registration'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'user_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('remember', sa.Boolean(), nullable=False),
        sa.Column('created_at', charity.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', charity.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('ended_at', charity.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('end_reason', sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_user_session_user_id_user_account'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session')),
        sa.UniqueConstraint('key_hash', name=op.f('uq_user_session_key_hash')),
    )
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_session_user_id'), ['user_id'], unique=False)

    op.add_column('organization', sa.Column('org_type', sa.Enum(
        'foundation', 'social_group', 'social_service_agency', name='org_type',
        native_enum=False, length=32, create_constraint=False), nullable=True))
    op.add_column('organization', sa.Column('fundraising_cert_valid_until', sa.Date(),
                                            nullable=True))

    op.create_table(
        'registration_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('changed_at', charity.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('changed_by_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('changes', sa.JSON(), nullable=False),
        sa.Column('evidence_stored_name', sa.String(length=64), nullable=False),
        sa.Column('evidence_name', sa.String(length=255), nullable=False),
        sa.Column('evidence_mime', sa.String(length=64), nullable=False),
        sa.Column('evidence_size', sa.Integer(), nullable=False),
        sa.Column('evidence_sha256', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['changed_by_id'], ['user_account.id'],
                                name=op.f('fk_registration_change_changed_by_id_user_account')),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id'],
                                name=op.f('fk_registration_change_organization_id_organization')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_change')),
        sa.UniqueConstraint('evidence_stored_name',
                            name=op.f('uq_registration_change_evidence_stored_name')),
    )
    with op.batch_alter_table('registration_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_change_organization_id'),
                              ['organization_id'], unique=False)


def downgrade():
    with op.batch_alter_table('registration_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_change_organization_id'))
    op.drop_table('registration_change')
    # Plain DROP COLUMN (SQLite ≥ 3.35, PostgreSQL): no rebuild of the organization table.
    op.drop_column('organization', 'fundraising_cert_valid_until')
    op.drop_column('organization', 'org_type')
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_session_user_id'))
    op.drop_table('user_session')
