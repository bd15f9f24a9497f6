"""receipt_allocation: finance-bureau receipt allocations, receipt review, honest receipts

Revision ID: 0016_receipt_allocation
Revises: 0017_report_content
Create Date: 2026-12-06 13:10:00

财综〔2024〕1号: a 公益事业捐赠票据 is numbered from a 票据代码 and number range that a
finance department allocates; without one an organisation issues a 捐赠收据 (issue 17 item 8).

- receipt_allocation: the allocated ranges (票据代码, numbers, 监制单位, validity, 项目编码).
- receipt_policy: per organisation, whether a second person reviews each receipt (复核人).
- receipt: the allocation and 票据代码/号码 a receipt was numbered from, the finance
  platform's electronic receipt number, 备注, and who reviewed it. Plain ADD COLUMNs (with
  their REFERENCES inline, which SQLite and PostgreSQL both accept): `receipt` is referenced
  by the ledgers and must not be rebuilt by a batch copy on SQLite.
"""
from alembic import op
import sqlalchemy as sa
import charity.core.db  # noqa: F401  (column types of the app)


# revision identifiers, used by Alembic.
revision = '0016_receipt_allocation'
down_revision = '0017_report_content'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'receipt_allocation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('bill_code', sa.String(length=32), nullable=False),
        sa.Column('first_number', sa.Integer(), nullable=False),
        sa.Column('last_number', sa.Integer(), nullable=False),
        sa.Column('next_number', sa.Integer(), nullable=False),
        sa.Column('number_width', sa.Integer(), nullable=False),
        sa.Column('authority', sa.String(length=200), nullable=False),
        sa.Column('project_code', sa.String(length=32), nullable=False),
        sa.Column('valid_from', sa.Date(), nullable=False),
        sa.Column('valid_until', sa.Date(), nullable=True),
        sa.Column('created_at', charity.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint('first_number >= 0 AND last_number >= first_number',
                           name=op.f('ck_receipt_allocation_range_ordered')),
        sa.CheckConstraint('next_number >= first_number AND next_number <= last_number + 1',
                           name=op.f('ck_receipt_allocation_next_in_range')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                                name=op.f('fk_receipt_allocation_created_by_id_user_account')),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id'],
                                name=op.f('fk_receipt_allocation_organization_id_organization')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_receipt_allocation')),
        sa.UniqueConstraint('bill_code', 'first_number',
                            name=op.f('uq_receipt_allocation_bill_code_first_number')),
    )
    op.create_index(op.f('ix_receipt_allocation_organization_id'), 'receipt_allocation',
                    ['organization_id'], unique=False)
    op.create_table(
        'receipt_policy',
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('review_required', sa.Boolean(), nullable=False),
        sa.Column('updated_at', charity.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id'],
                                name=op.f('fk_receipt_policy_organization_id_organization')),
        sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'],
                                name=op.f('fk_receipt_policy_updated_by_id_user_account')),
        sa.PrimaryKeyConstraint('organization_id', name=op.f('pk_receipt_policy')),
    )
    timestamp = "TIMESTAMP WITH TIME ZONE" if op.get_bind().dialect.name == "postgresql" \
        else "DATETIME"
    for ddl in (
        "allocation_id INTEGER CONSTRAINT fk_receipt_allocation_id_receipt_allocation "
        "REFERENCES receipt_allocation (id)",
        "bill_code VARCHAR(32) DEFAULT '' NOT NULL",
        "bill_number VARCHAR(32)",
        "platform_number VARCHAR(64) DEFAULT '' NOT NULL",
        "remark VARCHAR(500) DEFAULT '' NOT NULL",
        "reviewed_by_id INTEGER CONSTRAINT fk_receipt_reviewed_by_id_user_account "
        "REFERENCES user_account (id)",
        f"reviewed_at {timestamp}",
    ):
        op.execute(f"ALTER TABLE receipt ADD COLUMN {ddl}")
    op.create_index(op.f('ix_receipt_allocation_id'), 'receipt', ['allocation_id'],
                    unique=False)
    op.create_index('ix_receipt_allocation_bill_number', 'receipt',
                    ['allocation_id', 'bill_number'], unique=True)


def downgrade():
    op.drop_index('ix_receipt_allocation_bill_number', table_name='receipt')
    op.drop_index(op.f('ix_receipt_allocation_id'), table_name='receipt')
    # SQLite cannot DROP a column with REFERENCES: one batch copy, on the way down only.
    with op.batch_alter_table('receipt', schema=None) as batch_op:
        for column in ('reviewed_at', 'reviewed_by_id', 'remark', 'platform_number',
                       'bill_number', 'bill_code', 'allocation_id'):
            batch_op.drop_column(column)
    op.drop_table('receipt_policy')
    op.drop_index(op.f('ix_receipt_allocation_organization_id'),
                  table_name='receipt_allocation')
    op.drop_table('receipt_allocation')
