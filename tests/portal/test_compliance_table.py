"""The public compliance table: per organisation, obligations published on time, late,
overdue now and due soon — from the obligations' dates, in one grouped query — and the
list of overdue obligations with their days overdue."""
import datetime as dt
import re

import pytest
import sqlalchemy as sa

from charity.core.clock import today_in
from charity.disclosure.models import Obligation
from charity.portal.queries.disclosures import OrgCompliance, compliance_table

DAY = dt.timedelta(days=1)


def _add(db, org, subject, seq, due, published_on=None, status="upcoming"):
    db.add(Obligation(organization_id=org.id, subject_type="campaign", subject_id=subject.id,
                      kind="periodic", seq=seq, period_start=due - 120 * DAY,
                      period_end=due - 31 * DAY, due=due, status=status,
                      published_on=published_on))


@pytest.fixture
def world(db, fundraising_org, make_org, make_campaign):
    """Org A: 2 on time, 1 late, 2 overdue (3 and 10 days), 2 due soon (today and in 2 days),
    1 upcoming. Org B: 1 on time. Org C: nothing overdue, 1 late. Dates relative to `today`.
    The stored status is deliberately stale ("upcoming"): counts come from the dates."""
    today = today_in(None)
    org_a, org_b, org_c = fundraising_org, make_org(name="乙慈善会"), make_org(name="丙慈善会")
    a = make_campaign(name="冬衣募捐")
    for seq, due, published in [
            (1, today - 200 * DAY, today - 200 * DAY),  # on the deadline day: on time
            (2, today - 100 * DAY, today - 105 * DAY),  # early: on time
            (3, today - 50 * DAY, today - 40 * DAY),  # late
            (4, today - 10 * DAY, None),  # overdue 10 days
            (5, today - 3 * DAY, None),  # overdue 3 days
            (6, today, None),  # due today: not yet overdue
            (7, today + 2 * DAY, None),  # due soon
            (8, today + 30 * DAY, None)]:  # upcoming
        _add(db, org_a, a, seq, due, published)
    db.add(Obligation(organization_id=org_b.id, subject_type="organization",
                      subject_id=org_b.id, kind="annual", seq=2025,
                      period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 12, 31),
                      due=today - 5 * DAY, status="published_on_time",
                      published_on=today - 6 * DAY))
    db.add(Obligation(organization_id=org_c.id, subject_type="organization",
                      subject_id=org_c.id, kind="annual", seq=2025,
                      period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 12, 31),
                      due=today - 5 * DAY, status="published_late",
                      published_on=today - 1 * DAY))
    db.commit()
    return {"today": today, "a": org_a, "b": org_b, "c": org_c, "campaign": a}


def _mine(rows, world):
    ids = {world[k].id for k in "abc"}
    return [r for r in rows if r.organization_id in ids]


def test_counts_per_organisation_worst_first(db, world):
    a, b, c = world["a"], world["b"], world["c"]
    assert _mine(compliance_table(db, world["today"]), world) == [
        OrgCompliance(a.id, a.name, on_time=2, late=1, overdue=2, due_soon=2),
        OrgCompliance(c.id, "丙慈善会", on_time=0, late=1, overdue=0, due_soon=0),
        OrgCompliance(b.id, "乙慈善会", on_time=1, late=0, overdue=0, due_soon=0),
    ]


def test_counts_move_with_the_day(db, world):
    """Three days later the one due today and the one due in 2 days are overdue too."""
    a = world["a"]
    [row] = [r for r in compliance_table(db, world["today"] + 3 * DAY)
             if r.organization_id == a.id]
    assert (row.on_time, row.late, row.overdue, row.due_soon) == (2, 1, 4, 0)


def test_the_table_is_one_query(db, world):
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = db.get_bind().engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        compliance_table(db, world["today"])
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert [s for s in statements if "SAVEPOINT" not in s.upper()] == statements[-1:]
    assert "GROUP BY" in statements[-1]


def _cells(html, org_id):
    row = re.search(rf'<tr[^>]*>\s*<th scope="row"[^>]*><a href="/disclosures/\?org={org_id}">'
                    r'[^<]*</a></th>(.*?)</tr>', html, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_page_shows_the_counts_and_links_the_overdue(client, world):
    r = client.get("/disclosures/compliance")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    a, b = world["a"], world["b"]
    assert _cells(html, a.id) == ["2", "1", "2", "2"]
    assert _cells(html, b.id) == ["1", "0", "0", "0"]
    assert f'href="/disclosures/compliance/overdue?org={a.id}"' in html
    assert f'href="/disclosures/compliance/overdue?org={b.id}"' not in html


def test_overdue_list_names_subject_kind_due_and_days(client, world):
    today, a = world["today"], world["a"]
    r = client.get(f"/disclosures/compliance/overdue?org={a.id}&lang=en")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<td[^>]*>([^<]*)</td>\s*<td[^>]*>([^<]*)</td>\s*"
                      r"<td[^>]*>([^<]*)<br>.*?</td>\s*<td[^>]*>([^<]*)</td>\s*"
                      r'<td[^>]*><span class="badge badge-off">(\d+)</span>', html, re.S)
    from babel.dates import format_date

    assert [tuple(c.strip() for c in row) for row in rows] == [
        (a.name, "Campaign · 冬衣募捐", "Periodic disclosure #4",
         format_date(today - 10 * DAY, "long", locale="en"), "10"),
        (a.name, "Campaign · 冬衣募捐", "Periodic disclosure #5",
         format_date(today - 3 * DAY, "long", locale="en"), "3"),
    ]


def test_overdue_list_of_all_and_of_a_clean_organisation(client, world):
    html = client.get("/disclosures/compliance/overdue").get_data(as_text=True)
    assert html.count('<span class="badge badge-off">') >= 2
    html = client.get(f"/disclosures/compliance/overdue?org={world['b'].id}").get_data(
        as_text=True)
    assert '<span class="badge badge-off">' not in html


@pytest.mark.parametrize("query, status", [("org=x", 400), ("org=0", 400),
                                           ("org=99999999", 404)])
def test_overdue_list_bad_org(client, db, query, status):
    assert client.get("/disclosures/compliance/overdue?" + query).status_code == status
