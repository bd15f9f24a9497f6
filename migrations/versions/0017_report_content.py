"""report_content: charity points attached to ongoing projects, with dates

Revision ID: 0017_report_content
Revises: 0019_backup_runs
Create Date: 2026-12-06 13:10:00

Issue 17 item 5: a project report counts the households served and the goods handed out
from the distributions linked to the project; a point running an ongoing project (the
supermarket) is attached to it for a span of days so that its distributions, sales and
goods received count there. A new table only: nothing referenced is rebuilt.
"""
from alembic import op
import sqlalchemy as sa
import charity.core.db  # noqa: F401  (column types of the app)


# revision identifiers, used by Alembic.
revision = '0017_report_content'
down_revision = '0019_backup_runs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'project_point',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('point_id', sa.Integer(), nullable=False),
        sa.Column('start_on', sa.Date(), nullable=False),
        sa.Column('end_on', sa.Date(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', charity.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('end_on IS NULL OR end_on >= start_on',
                           name=op.f('ck_project_point_dates_in_order')),
        sa.ForeignKeyConstraint(['project_id'], ['project.id'],
                                name=op.f('fk_project_point_project_id_project')),
        sa.ForeignKeyConstraint(['point_id'], ['charity_point.id'],
                                name=op.f('fk_project_point_point_id_charity_point')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                                name=op.f('fk_project_point_created_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_project_point')),
    )
    with op.batch_alter_table('project_point', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_point_project_id'), ['project_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_project_point_point_id'), ['point_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('project_point', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_point_point_id'))
        batch_op.drop_index(batch_op.f('ix_project_point_project_id'))
    op.drop_table('project_point')
