"""The monitor against a live server: it accepts an honest log as it grows, and exits 1
naming the report when an insider rewrites a publication (the attack `charity verify`
misses), even one who rewrites the log too and signs with the stolen key. Also: key
rotation, the `charity monitor` command, and tools/monitor.py as a stand-alone file."""
from __future__ import annotations

import ast
import datetime as dt
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from charity import PROJECT_ROOT
from charity.core.extensions import db
from charity.core.system import system_actor
from charity.disclosure.models import Publication
from charity.disclosure.publishing import publish_correction, verify_publications
from charity.log import keys, services, standalone_monitor
from charity.log.models import LogHead, LogLeaf, LogNode
from tests.demo_site import demo_app, live_server  # noqa: F401  (fixtures)
from tests.log.world import make_campaigns, new_org, rewrite_publication

FORGED = b"%PDF-1.4\n% the figures an insider prefers\n%%EOF\n"


class Site:
    def __init__(self, app, url):
        self.app, self.url = app, url

    def monitor(self, tmp_path, **kwargs):
        lines = []
        status = standalone_monitor.run(self.url, str(tmp_path / kwargs.pop("state", "state.json")),
                                        str(tmp_path / "witness.jsonl"), say=lines.append,
                                        **kwargs)
        return status, "\n".join(lines)

    def correct(self, chain_seq: int, on=dt.date(2026, 4, 20)):
        with self.app.app_context():
            original = db.session.scalar(sa.select(Publication).where(
                Publication.chain_seq == chain_seq))
            publish_correction(system_actor(), db.session, original, "数字更正", on)
            db.session.commit()
            db.session.remove()


@pytest.fixture
def site(committed_app, fast_pdfs):
    """Four publications behind a real threaded HTTP server."""
    from charity.ops.scheduler import tick

    # As in production: links are built from the request's host, not a configured name.
    committed_app.config["SERVER_NAME"] = None
    with committed_app.app_context():
        org = new_org(db.session, "监督测试慈善会", "51620102MJ0000703")
        make_campaigns(db.session, org, 3)
        tick(db.session, dt.date(2026, 4, 1))
        db.session.remove()
    s = Site(committed_app, "")
    s.correct(1)
    server = make_server("127.0.0.1", 0, committed_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="log-site", daemon=True)
    thread.start()
    s.url = f"http://127.0.0.1:{server.server_port}"
    yield s
    server.shutdown()
    thread.join(timeout=10)


def _witnessed(tmp_path) -> list[dict]:
    path = tmp_path / "witness.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_the_insider_rewrite_is_named_by_the_monitor(site, tmp_path):
    status, said = site.monitor(tmp_path)
    assert status == 0, said
    assert "OK: 4 entries (4 new)" in said and "4 PDFs rehashed" in said
    state_before = (tmp_path / "state.json").read_text()
    with site.app.app_context():
        target = db.session.scalar(sa.select(Publication).where(Publication.chain_seq == 2))
        rewrite_publication(db.session, target.id, FORGED)
        assert verify_publications(db.session) == []  # the hash chain cannot tell
        db.session.remove()
    status, said = site.monitor(tmp_path)
    assert status == 1, said
    assert said.startswith("INCONSISTENT: GK-000002: the PDF served at ")
    assert (tmp_path / "state.json").read_text() == state_before  # nothing learnt from a lie
    assert len(_witnessed(tmp_path)) == 1


def test_a_legitimate_publication_is_accepted(site, tmp_path):
    assert site.monitor(tmp_path)[0] == 0
    site.correct(2)
    status, said = site.monitor(tmp_path)
    assert status == 0, said
    assert "OK: 5 entries (1 new)" in said
    heads = _witnessed(tmp_path)
    assert [h["tree_size"] for h in heads] == [4, 5]
    assert heads[0]["url"] == site.url and heads[1]["signature"] != heads[0]["signature"]
    state = json.loads((tmp_path / "state.json").read_text())
    assert [leaf["report_no"] for leaf in state["leaves"]] == [
        "GK-000001", "GK-000002", "GK-000003", "GK-000004", "GK-000005"]
    # Nothing new: verified again, but the same head is not witnessed twice.
    status, said = site.monitor(tmp_path, new_pdfs_only=True)
    assert status == 0 and "0 PDFs rehashed" in said
    assert len(_witnessed(tmp_path)) == 2


def _drop_guards(session) -> None:
    for table in ("log_leaf", "log_node", "log_head"):
        if session.get_bind().dialect.name == "postgresql":
            session.execute(sa.text(f"DROP TRIGGER {table}_no_change ON {table}"))
        else:
            session.execute(sa.text(f"DROP TRIGGER {table}_no_update"))
            session.execute(sa.text(f"DROP TRIGGER {table}_no_delete"))


def test_a_rewritten_log_signed_with_the_stolen_key_is_caught(site, tmp_path):
    """The insider who holds the database and the key rebuilds the whole log around the
    forged report. A monitor that saw an earlier head names the report; one that never did
    cannot tell (the decision record says so)."""
    assert site.monitor(tmp_path)[0] == 0
    with site.app.app_context():
        session = db.session
        target = session.scalar(sa.select(Publication).where(Publication.chain_seq == 2))
        _drop_guards(session)
        for model in (LogNode, LogLeaf, LogHead):
            session.execute(sa.delete(model))
        session.commit()
        rewrite_publication(session, target.id, FORGED)
        services.append_pending(session, site.app.instance_path)
        session.commit()
        assert services.verify_log(session, site.app.instance_path) == []
        session.remove()
    status, said = site.monitor(tmp_path)
    assert status == 1, said
    assert said.startswith("INCONSISTENT: GK-000002: entry 1 of the log changed since it "
                           "was seen")
    newcomer = tmp_path / "newcomer"
    newcomer.mkdir()
    assert site.monitor(newcomer)[0] == 0


def test_a_new_key_is_refused_until_it_is_announced(site, tmp_path):
    assert site.monitor(tmp_path)[0] == 0
    old = json.loads((tmp_path / "state.json").read_text())["key"]["key_id"]
    keys.key_path(site.app.instance_path).unlink()  # lost; a new key is made
    with site.app.app_context():
        head = services.sign_head(db.session, site.app.instance_path)
        db.session.commit()
        new = head.key_id
        db.session.remove()
    assert new != old
    status, said = site.monitor(tmp_path)
    assert status == 1 and f"the signing key changed from {old} to {new}" in said
    status, said = site.monitor(tmp_path, key_id=new)
    assert status == 0, said
    assert f"key changed from {old} to {new} (accepted with --key-id)" in said
    state = json.loads((tmp_path / "state.json").read_text())
    assert state["key"]["key_id"] == new and state["retired_keys"][0]["key_id"] == old


def test_the_first_run_can_insist_on_a_key_got_elsewhere(site, tmp_path):
    status, said = site.monitor(tmp_path, key_id="ab" * 32)
    assert status == 1 and "not the expected" in said
    assert not (tmp_path / "state.json").exists()


def test_the_command_and_the_single_file(site, tmp_path):
    runner = site.app.test_cli_runner()
    result = runner.invoke(args=["monitor", site.url, "--state", str(tmp_path / "cli.json"),
                                 "--witness", str(tmp_path / "cli-witness.jsonl")])
    assert result.exit_code == 0, result.output
    assert "OK: 4 entries" in result.output
    tool = [sys.executable, "-I", str(PROJECT_ROOT / "tools" / "monitor.py"), site.url,
            "--state", str(tmp_path / "tool.json")]
    done = subprocess.run(tool, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    with site.app.app_context():
        target = db.session.scalar(sa.select(Publication).where(Publication.chain_seq == 3))
        rewrite_publication(db.session, target.id, FORGED)
        db.session.remove()
    done = subprocess.run(tool, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "GK-000003" in done.stdout, done.stdout + done.stderr
    result = runner.invoke(args=["monitor", site.url, "--state", str(tmp_path / "cli.json")])
    assert result.exit_code == 1 and "INCONSISTENT: GK-000003" in result.output


def test_an_unreachable_log_is_not_a_verdict(tmp_path):
    server = make_server("127.0.0.1", 0, lambda env, start: [])
    port = server.server_port
    server.server_close()  # nothing listens there any more
    lines = []
    status = standalone_monitor.run(f"http://127.0.0.1:{port}", str(tmp_path / "s.json"),
                                    say=lines.append)
    assert status == 2 and lines[0].startswith("NOT CHECKED:")
    assert not (tmp_path / "s.json").exists()


def test_tools_monitor_is_the_same_file_and_needs_only_the_standard_library():
    source = PROJECT_ROOT / "charity" / "log" / "standalone_monitor.py"
    tool = PROJECT_ROOT / "tools" / "monitor.py"
    assert tool.read_bytes() == source.read_bytes(), \
        "tools/monitor.py must be a copy of charity/log/standalone_monitor.py"
    imported = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            imported.add(node.module.split(".")[0])
    assert imported - set(sys.stdlib_module_names) == {"cryptography"}


def test_the_demo_site_passes_its_own_monitor(live_server, tmp_path):  # noqa: F811
    """The demo's real reports (WeasyPrint PDFs), published by the scheduler as in production."""
    lines = []
    status = standalone_monitor.run(live_server, str(tmp_path / "demo.json"), say=lines.append)
    assert status == 0, lines
    assert Path(tmp_path / "demo.json").exists()
