"""Every change a user makes through a service is in the audit log.

Two halves: a scan of the service layer (every public `(actor, session, ...)` function that
writes must reach `audit.services.record`, directly or through a helper), and runs of the
services that lacked an entry before issue 7 (volunteer shifts, exports)."""
from __future__ import annotations

import ast
import datetime as dt
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from charity import PROJECT_ROOT
from charity.audit.models import AuditLog
from tests.conftest import PASSWORD

PACKAGE = Path(PROJECT_ROOT) / "charity"
WRITES = ("session.add(", "session.add_all(", "session.delete(", "sa.update(", "sa.delete(",
          "sa.insert(", ".flush(")
RECORDERS = {"record", "record_export"}
# Writes that are deliberately not audit entries of their own, and why.
EXEMPT = {
    # The count sheet's lines: the view records "stocktake.count" with the counted values
    # (charity/goods/services/stocktakes.py record_counts), after the service has run.
    "charity/goods/services/stocktakes.py:set_counts",
    # Enrolment is not a change until confirmed ("user.2fa_enable" is logged then).
    "charity/auth/totp.py:begin_enrolment",
}


def _functions():
    for path in sorted(PACKAGE.rglob("*.py")):
        if "translations" in path.parts or path.name.startswith("demo"):
            continue
        rel = path.relative_to(PROJECT_ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef):
                yield rel, node


def _called_names(node) -> set[str]:
    names = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            f = sub.func
            names.add(f.id if isinstance(f, ast.Name) else getattr(f, "attr", ""))
    return names


def _writes(node) -> bool:
    text = ast.unparse(node)
    if any(w in text for w in WRITES):
        return True
    # `obj.field = value` on an argument: a change to a loaded row.
    args = {a.arg for a in node.args.args}
    for sub in ast.walk(node):
        if isinstance(sub, (ast.Assign, ast.AugAssign)):
            targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target]
            for t in targets:
                if (isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name)
                        and t.value.id in args and t.value.id not in ("self", "session")):
                    return True
    return False


def unaudited_services() -> list[str]:
    functions = list(_functions())
    calls = {}
    for rel, node in functions:
        calls.setdefault(node.name, set()).update(_called_names(node))
    # Which function names reach a recorder (through any chain of calls)?
    reaching = set(RECORDERS)
    changed = True
    while changed:
        changed = False
        for name, called in calls.items():
            if name not in reaching and called & reaching:
                reaching.add(name)
                changed = True
    missing = []
    for rel, node in functions:
        args = [a.arg for a in node.args.args]
        if node.name.startswith("_") or args[:2] != ["actor", "session"]:
            continue
        if rel.endswith("views.py") or f"{rel}:{node.name}" in EXEMPT:
            continue
        if _writes(node) and not (_called_names(node) & reaching):
            missing.append(f"{rel}:{node.name}")
    return missing


def test_every_writing_service_reaches_the_audit_log():
    assert unaudited_services() == []


def test_the_scan_can_fail(tmp_path, monkeypatch):
    """A service that writes without recording is reported (the scan is not vacuous)."""
    from tests.audit import test_coverage as me

    fake_root = tmp_path / "proj"
    (fake_root / "charity").mkdir(parents=True)
    (fake_root / "charity" / "svc.py").write_text(
        "def quiet_change(actor, session, thing):\n    thing.name = 'x'\n    session.flush()\n"
        "def loud_change(actor, session, thing):\n    thing.name = 'x'\n    _log(session)\n"
        "def _log(session):\n    record(session, None, 'a', None)\n"
        "def reader(actor, session, thing):\n    return thing.name\n", encoding="utf-8")
    monkeypatch.setattr(me, "PROJECT_ROOT", fake_root)
    monkeypatch.setattr(me, "PACKAGE", fake_root / "charity")
    assert me.unaudited_services() == ["charity/svc.py:quiet_change"]


# --- the services that lacked entries ---------------------------------------------------------

def test_volunteer_shift_sign_in_and_out_are_logged(db, make_org, make_point, make_user):
    from charity.people import volunteers

    org = make_org()
    point = make_point(org)
    worker = make_user("volunteer", org=org, points=[point])
    manager = make_user("manager", org=org)
    v = volunteers.create_volunteer(manager, db, org, {"name": "值班人", "phone": "13700001234",
                                                       "service_types": []})
    start = dt.datetime(2026, 11, 20, 1, 0, tzinfo=dt.timezone.utc)
    shift = volunteers.sign_in(worker, db, v, point, "supermarket", at=start)
    volunteers.sign_out(worker, db, shift, at=start + dt.timedelta(hours=3))
    entries = list(db.scalars(sa.select(AuditLog).where(
        AuditLog.object_type == "Shift", AuditLog.object_id == str(shift.id))
        .order_by(AuditLog.id)))
    assert [e.action for e in entries] == ["shift.sign_in", "shift.sign_out"]
    assert [e.user_id for e in entries] == [worker.id, worker.id]
    assert [e.organization_id for e in entries] == [org.id, org.id]
    assert entries[0].summary == {"volunteer_id": v.id, "point_id": point.id,
                                  "service_type": "supermarket"}
    assert entries[1].summary == {"volunteer_id": v.id, "point_id": point.id}


def _login(app, user, addr="198.51.100.7"):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = addr
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_ledger_export_is_logged_with_filters_and_rows(app, db, make_org, make_user):
    from charity.funds.services import ledger

    org = make_org()
    manager = make_user("manager", org=org)
    auditor = make_user("auditor", org=org)
    for n, amount in enumerate(("10.00", "20.00", "30.00")):
        ledger.post_entry(manager, db, org, {
            "kind": "donation", "amount": Decimal(amount), "entry_date": dt.date(2026, 11, 1 + n),
            "counterparty": f"捐赠人{n}", "channel": "cash", "purpose": "测试"})
    db.commit()
    client = _login(app, auditor)
    mark = db.scalar(sa.select(sa.func.max(AuditLog.id)))
    response = client.get("/staff/funds/export.csv?from=2026-11-02")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "捐赠人1" in body and "捐赠人0" not in body
    (entry,) = db.scalars(sa.select(AuditLog).where(AuditLog.id > mark))
    assert entry.action == "export.ledger" and entry.object_type == "Export"
    assert entry.user_id == auditor.id and entry.organization_id == org.id
    from charity.audit.services import address_hash

    assert entry.remote_addr == address_hash("198.51.100.7", app.config["CHARITY_ID_HASH_KEY"])
    assert entry.summary == {"format": "csv", "filters": {"from": "2026-11-02"}, "rows": 2}


def test_stock_export_is_logged(app, db, make_org, make_point, make_user):
    org = make_org()
    make_point(org)
    auditor = make_user("auditor", org=org)
    client = _login(app, auditor)
    mark = db.scalar(sa.select(sa.func.max(AuditLog.id)))
    assert client.get("/staff/stock/export.xlsx").status_code == 200
    (entry,) = db.scalars(sa.select(AuditLog).where(AuditLog.id > mark))
    assert (entry.action, entry.user_id, entry.organization_id) == (
        "export.stock", auditor.id, org.id)
    assert entry.summary == {"format": "xlsx", "filters": {}, "rows": 0}


def test_refused_export_writes_nothing(app, db, make_org, make_point, make_user):
    org = make_org()
    point = make_point(org)
    volunteer = make_user("volunteer", org=org, points=[point])
    client = _login(app, volunteer)
    mark = db.scalar(sa.select(sa.func.max(AuditLog.id)))
    assert client.get("/staff/funds/export.csv").status_code == 403
    assert client.get("/staff/stock/export.csv").status_code == 403
    assert db.scalar(sa.select(sa.func.count(AuditLog.id)).where(AuditLog.id > mark)) == 0
