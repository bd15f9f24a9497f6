"""Every CSV answer names its character set once (issue 15: the answers said
`text/csv; charset=utf-8; charset=utf-8`, which strict clients refuse)."""
from __future__ import annotations

from charity.web.access import access_rule


def csv_paths(app) -> list[str]:
    """Every route that answers CSV: the open-data files and the staff exports."""
    paths = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.rule.endswith(".csv"):
                paths.append(rule.rule)
            elif "<any(csv, xlsx):fmt>" in rule.rule and access_rule(rule.endpoint):
                paths.append(rule.rule.replace("<any(csv, xlsx):fmt>", "csv"))
    return sorted(paths)


def test_every_csv_answer_says_utf_8_once(app, client, db, make_org, make_user, login):
    login(make_user("manager", org=make_org()))
    paths = csv_paths(app)
    assert len(paths) >= 8, paths  # six open-data files, the ledger's and the stock's
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8", path
        response.get_data()  # a streamed body runs to its end inside the request
