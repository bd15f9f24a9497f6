"""transparency_log: a public Merkle log of every publication, with signed tree heads

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 10:00:00

Creates log_leaf, log_node and log_head, makes the database refuse UPDATE and DELETE on them
(as 0008 does for the audit log), and enters every existing publication in chain order:
its leaf (canonical JSON of its public facts) and the stored subtree hashes.

No head is signed here (a migration has no business creating keys): the first head is
signed lazily, by the next publication (charity.log.services.append_publication) or by the
daily head (charity.log.services.sign_head_if_stale), whichever comes first. Until then
GET /api/v1/log/head answers 404.

The leaf format is frozen below on purpose: it must give the bytes
charity.log.services.leaf_facts gives today (tests/log/test_migration.py checks it),
whatever that module becomes later.
"""
import datetime as dt
import hashlib
import json

from alembic import op
import sqlalchemy as sa
import charity.core.db  # noqa: F401  (column types of the app)


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

TABLES = ("log_leaf", "log_node", "log_head")
BATCH = 200


def upgrade():
    op.create_table(
        'log_head',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tree_size', sa.Integer(), nullable=False),
        sa.Column('root_hash', sa.String(length=64), nullable=False),
        sa.Column('signed_at', charity.core.db.UTCDateTime(), nullable=False),
        sa.Column('signature', sa.String(length=128), nullable=False),
        sa.Column('key_id', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_log_head')),
    )
    op.create_table(
        'log_node',
        sa.Column('level', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('node_index', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('node_hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('level', 'node_index', name=op.f('pk_log_node')),
    )
    op.create_table(
        'log_leaf',
        sa.Column('leaf_index', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('publication_id', sa.Integer(), nullable=False),
        sa.Column('leaf_hash', sa.String(length=64), nullable=False),
        sa.Column('leaf', sa.Text(), nullable=False),
        sa.Column('logged_at', charity.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['publication_id'], ['publication.id'],
                                name=op.f('fk_log_leaf_publication_id_publication')),
        sa.PrimaryKeyConstraint('leaf_index', name=op.f('pk_log_leaf')),
        sa.UniqueConstraint('publication_id', name=op.f('uq_log_leaf_publication_id')),
    )
    _backfill()
    _append_only()


def downgrade():
    bind = op.get_bind()
    for table in TABLES:
        if bind.dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    if bind.dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS transparency_log_append_only()")
    op.drop_table('log_leaf')
    op.drop_table('log_node')
    op.drop_table('log_head')


def _append_only():
    message = "the transparency log is append-only"
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION transparency_log_append_only() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{message}' USING ERRCODE = 'insufficient_privilege';
            END
            $$""")
        for table in TABLES:
            op.execute(f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION transparency_log_append_only()")
            op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION transparency_log_append_only()")
    else:
        for table in TABLES:
            for verb in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, '{message}'); END")


# --- the back-fill: leaf format version 1, frozen --------------------------------------------

publication = sa.table(
    'publication', sa.column('id', sa.Integer), sa.column('organization_id', sa.Integer),
    sa.column('subject_type', sa.String), sa.column('subject_id', sa.Integer),
    sa.column('kind', sa.String), sa.column('seq', sa.Integer), sa.column('title', sa.String),
    sa.column('period_start', sa.Date), sa.column('period_end', sa.Date),
    sa.column('due', sa.Date), sa.column('published_on', sa.Date),
    sa.column('pdf_sha256', sa.String), sa.column('snapshot_sha256', sa.String),
    sa.column('snapshot', sa.Text), sa.column('chain_seq', sa.Integer),
    sa.column('corrects_id', sa.Integer))
organization = sa.table('organization', sa.column('id', sa.Integer), sa.column('name', sa.String))
log_leaf = sa.table('log_leaf', sa.column('leaf_index', sa.Integer),
                    sa.column('publication_id', sa.Integer), sa.column('leaf_hash', sa.String),
                    sa.column('leaf', sa.Text),
                    sa.column('logged_at', charity.core.db.UTCDateTime()))
log_node = sa.table('log_node', sa.column('level', sa.Integer),
                    sa.column('node_index', sa.Integer), sa.column('node_hash', sa.String))


def _canonical(data):
    return json.dumps(data, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def _name(snapshot, fallback):
    try:
        return json.loads(snapshot)["organization"]["name"]
    except (TypeError, ValueError, KeyError):
        return fallback


def leaf_bytes(row, corrects_seq):
    """A publication row's leaf (format version 1)."""
    return _canonical({
        "v": 1, "report_no": f"GK-{row.chain_seq:06d}", "publication_id": row.id,
        "organization_id": row.organization_id,
        "organization_name": _name(row.snapshot, row.organization_name),
        "subject_type": row.subject_type, "subject_id": row.subject_id, "kind": row.kind,
        "seq": row.seq, "title": row.title, "period_start": row.period_start.isoformat(),
        "period_end": row.period_end.isoformat(),
        "due": row.due.isoformat() if row.due else None,
        "published_on": row.published_on.isoformat(), "pdf_sha256": row.pdf_sha256,
        "snapshot_sha256": row.snapshot_sha256,
        "corrects": f"GK-{corrects_seq:06d}" if corrects_seq is not None else None,
    })


def _sha(data):
    return hashlib.sha256(data).digest()


def _backfill():
    conn = op.get_bind()
    p = publication
    ids = conn.execute(sa.select(p.c.id, p.c.chain_seq).order_by(p.c.chain_seq)).all()
    seq_of = {pub_id: chain_seq for pub_id, chain_seq in ids}
    now = dt.datetime.now(dt.timezone.utc)
    hashes = []
    for start in range(0, len(ids), BATCH):
        batch = [pub_id for pub_id, _seq in ids[start:start + BATCH]]
        rows = conn.execute(
            sa.select(*(c for c in p.c), organization.c.name.label("organization_name"))
            .join(organization, organization.c.id == p.c.organization_id)
            .where(p.c.id.in_(batch)).order_by(p.c.chain_seq)).all()
        leaves = []
        for row in rows:
            data = leaf_bytes(row, seq_of.get(row.corrects_id))
            digest = _sha(b"\x00" + data)
            leaves.append({"leaf_index": len(hashes), "publication_id": row.id,
                           "leaf_hash": digest.hex(), "leaf": data.decode("utf-8"),
                           "logged_at": now})
            hashes.append(digest)
        if leaves:
            conn.execute(log_leaf.insert(), leaves)
    nodes, level, row = [], 0, hashes
    while len(row) > 1:
        row = [_sha(b"\x01" + row[i] + row[i + 1]) for i in range(0, len(row) - 1, 2)]
        level += 1
        nodes.extend({"level": level, "node_index": i, "node_hash": h.hex()}
                     for i, h in enumerate(row))
    for start in range(0, len(nodes), 1000):
        conn.execute(log_node.insert(), nodes[start:start + 1000])
