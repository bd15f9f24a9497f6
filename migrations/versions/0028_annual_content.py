"""annual_content: the management-cost ledger kind and the managers' parts of the annual report

Revision ID: 0028_annual_content
Revises: 0015_annual_report
Create Date: 2026-12-06 15:30:00

Issue 17 item 2:

- fund_entry.kind accepts 'management_cost' (管理费用). The kind is a VARCHAR with a CHECK
  constraint. PostgreSQL replaces the constraint. SQLite cannot alter a CHECK, and
  `fund_entry` is referenced by foreign keys, so it is not copied: the constraint's text is
  rewritten in the schema as SQLite's documentation allows for a change that existing rows
  already satisfy (PRAGMA writable_schema, then a new schema_version so every connection
  reloads it). The downgrade refuses while management costs are posted.
- annual_statement: a new table (staff pay, overseas cooperation, asset changes,
  related-party transactions, the audit report file), one row per organisation and year.
"""
from alembic import op
import sqlalchemy as sa
import charity.core.db  # noqa: F401  (column types of the app)


# revision identifiers, used by Alembic.
revision = '0028_annual_content'
down_revision = '0029_staff_speed'
branch_labels = None
depends_on = None

OLD_KINDS = ('donation', 'activity_income', 'sale_income', 'project_spending',
             'other_spending', 'fundraising_cost', 'transfer_out', 'transfer_in')
NEW_KINDS = OLD_KINDS + ('management_cost',)
CHECK = 'ck_fund_entry_entry_kind'


def _check_sql(kinds):
    return "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


def _set_kinds(old, new):
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.drop_constraint(op.f(CHECK), 'fund_entry', type_='check')
        op.create_check_constraint(op.f(CHECK), 'fund_entry', _check_sql(new))
        return
    table_sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'fund_entry'").scalar()
    before = f"CONSTRAINT {CHECK} CHECK ({_check_sql(old)})"
    if before not in table_sql:
        raise RuntimeError(f"fund_entry: constraint {CHECK} not as expected")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'fund_entry'",
        (table_sql.replace(before, f"CONSTRAINT {CHECK} CHECK ({_check_sql(new)})"),))
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade():
    _set_kinds(OLD_KINDS, NEW_KINDS)
    op.create_table(
        'annual_statement',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('staff_pay', sa.Text(), nullable=False),
        sa.Column('overseas_cooperation', sa.Text(), nullable=False),
        sa.Column('asset_changes', sa.Text(), nullable=False),
        sa.Column('related_parties', sa.Text(), nullable=False),
        sa.Column('audit_stored_name', sa.String(length=64), nullable=True),
        sa.Column('audit_name', sa.String(length=255), nullable=False),
        sa.Column('audit_size', sa.Integer(), nullable=True),
        sa.Column('audit_sha256', sa.String(length=64), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', charity.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('year BETWEEN 2000 AND 2200',
                           name=op.f('ck_annual_statement_year_range')),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id'],
                                name=op.f('fk_annual_statement_organization_id_organization')),
        sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'],
                                name=op.f('fk_annual_statement_updated_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_annual_statement')),
        sa.UniqueConstraint('organization_id', 'year',
                            name=op.f('uq_annual_statement_organization_id_year')),
    )
    op.create_index(op.f('ix_annual_statement_organization_id'), 'annual_statement',
                    ['organization_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_annual_statement_organization_id'), table_name='annual_statement')
    op.drop_table('annual_statement')
    posted = op.get_bind().exec_driver_sql(
        "SELECT count(*) FROM fund_entry WHERE kind = 'management_cost'").scalar()
    if posted:
        raise RuntimeError("management costs are posted: the downgrade would lose their kind")
    _set_kinds(NEW_KINDS, OLD_KINDS)
