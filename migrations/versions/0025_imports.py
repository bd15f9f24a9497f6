"""imports: the uploaded spreadsheet kept between preview and confirmation

Revision ID: 0025_imports
Revises: 0015_annual_report
Create Date: 2026-12-06 15:20:00

A new table only (issue 20 §1): `import_upload` keeps an uploaded XLSX by a random token so
the confirmation imports the file the preview showed, without a second upload.
"""
from alembic import op
import sqlalchemy as sa
import charity.core.db  # noqa: F401  (column types of the app)


# revision identifiers, used by Alembic.
revision = '0025_imports'
down_revision = '0015_annual_report'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'import_upload',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('point_id', sa.Integer(), nullable=True),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', charity.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('imported_at', charity.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id'],
                                name=op.f('fk_import_upload_organization_id_organization')),
        sa.ForeignKeyConstraint(['point_id'], ['charity_point.id'],
                                name=op.f('fk_import_upload_point_id_charity_point')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                                name=op.f('fk_import_upload_created_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_import_upload')),
        sa.UniqueConstraint('token', name=op.f('uq_import_upload_token')),
    )
    for column in ('organization_id', 'point_id', 'created_by_id', 'created_at'):
        op.create_index(op.f(f'ix_import_upload_{column}'), 'import_upload', [column],
                        unique=False)


def downgrade():
    for column in ('organization_id', 'point_id', 'created_by_id', 'created_at'):
        op.drop_index(op.f(f'ix_import_upload_{column}'), table_name='import_upload')
    op.drop_table('import_upload')
