"""Migration 0010 enters existing publications in chain order, byte for byte as the
publisher would have, and leaves the first head to be signed lazily."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from charity.core.extensions import db
from charity.core.system import system_actor
from charity.log import queries, services
from charity.log.models import LogHead, LogLeaf, LogNode
from tests.log.world import make_campaigns, new_org


def _log(session):
    leaves = [(r.leaf_index, r.publication_id, r.leaf_hash, r.leaf)
              for r in session.scalars(sa.select(LogLeaf).order_by(LogLeaf.leaf_index))]
    nodes = {(n.level, n.node_index): n.node_hash for n in session.scalars(sa.select(LogNode))}
    return leaves, nodes


def test_back_fill_gives_the_leaves_the_publisher_gives(committed_app, fast_pdfs):
    from flask_migrate import downgrade, upgrade

    from charity.disclosure.models import Publication
    from charity.disclosure.publishing import publish_correction
    from charity.ops.scheduler import tick

    with committed_app.app_context():
        org = new_org(db.session, "回填测试慈善会", "51620102MJ0000702")
        make_campaigns(db.session, org, 3)
        tick(db.session, dt.date(2026, 4, 1))
        first = db.session.scalars(sa.select(Publication).order_by(Publication.chain_seq)).first()
        publish_correction(system_actor(), db.session, first, "更正", dt.date(2026, 4, 3))
        db.session.commit()
        tick(db.session, dt.date(2026, 7, 1))
        before = _log(db.session)
        assert len(before[0]) == 7 and before[1]
        db.session.remove()
        downgrade(revision="0009")
        assert "log_leaf" not in sa.inspect(db.engine).get_table_names()
        upgrade()
        after = _log(db.session)
        assert after == before
        # No head yet: the API says so, and the daily head (or the next publication) signs.
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LogHead)) == 0
        client = committed_app.test_client()
        answer = client.get("/api/v1/log/head")
        assert answer.status_code == 404
        assert answer.json == {"error": {"code": 404,
                                         "message": "The log has no signed head yet."}}
        head = services.sign_head_if_stale(db.session, committed_app.instance_path,
                                           dt.datetime.now(dt.timezone.utc))
        db.session.commit()
        assert head.tree_size == 7 and head.root_hash == queries.root(db.session, 7).hex()
        assert client.get("/api/v1/log/head").json["tree_size"] == 7
        assert services.verify_log(db.session, committed_app.instance_path) == []
        db.session.remove()
