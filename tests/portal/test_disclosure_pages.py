"""The public disclosure list: filters by organisation, subject, kind and year, 400 on a
malformed parameter, report numbers, hashes and correction notes in both directions."""
import datetime as dt
import re

import pytest
import sqlalchemy as sa

from charity.disclosure.models import Publication
from charity.disclosure.publishing import publish_correction
from charity.funds.services.campaigns import activate_project, close_project, create_project
from charity.ops.scheduler import tick
from charity.reports.pdf import ICC_RESOURCE_WARNING
from charity.core.system import system_actor

pytestmark = pytest.mark.filterwarnings(ICC_RESOURCE_WARNING)
REASON = "渠道分类有误，已更正"


@pytest.fixture
def pubs(db, fundraising_org, make_org, make_campaign, fast_pdfs):
    """Org A: a campaign's first periodic disclosure (2026-04-01) and a correction of it;
    org B: the final disclosure of a closed one-month project (2026-05-01)."""
    campaign = make_campaign(name="冬衣募捐", planned_start=dt.date(2026, 1, 1),
                             planned_end=dt.date(2026, 12, 31))
    org_b = make_org(name="乙慈善会")
    project = create_project(system_actor(), db, org_b, {
        "name": "助学一月", "planned_start": dt.date(2026, 1, 1),
        "planned_end": dt.date(2026, 1, 31)})
    activate_project(system_actor(), db, project)
    close_project(system_actor(), db, project, dt.date(2026, 1, 31), "无", "无",
                  today=dt.date(2026, 2, 1))
    db.commit()
    [periodic_id] = tick(db, dt.date(2026, 4, 1)).published
    periodic = db.get(Publication, periodic_id)
    correction = publish_correction(system_actor(), db, periodic, REASON, dt.date(2026, 4, 5))
    db.commit()
    [final_id] = tick(db, dt.date(2026, 5, 1)).published
    final = db.get(Publication, final_id)
    return {"org_a": fundraising_org, "org_b": org_b, "campaign": campaign,
            "project": project, "periodic": periodic, "correction": correction,
            "final": final}


def _ids(response) -> list[int]:
    """Publication ids linked as report titles on the list, in order."""
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    html = response.get_data(as_text=True)
    return [int(i) for i in re.findall(
        r'<tr>\s*<td data-label="[^"]+"><a href="/disclosures/(\d+)">', html)]


def test_list_shows_every_publication_newest_first_with_number_hash_and_files(client, pubs):
    r = client.get("/disclosures/")
    assert _ids(r) == [pubs["final"].id, pubs["correction"].id, pubs["periodic"].id]
    html = r.get_data(as_text=True)
    for p in ("periodic", "correction", "final"):
        pub = pubs[p]
        assert f"GK-{pub.chain_seq:06d}" in html
        assert f"<code>{pub.pdf_sha256}</code>" in html
        assert f'href="/disclosures/{pub.id}.pdf"' in html
    assert 'href="/disclosures/compliance"' in html  # the compliance table, prominently


def test_correction_notes_link_both_ways_with_the_reason(client, pubs):
    html = client.get("/disclosures/").get_data(as_text=True)
    periodic, correction = pubs["periodic"], pubs["correction"]
    notes = re.findall(r'<p class="correction-note">[^<]*<a href="/disclosures/(\d+)">'
                       r'(GK-\d{6})</a>: ([^<]*)</p>', html)
    assert notes == [  # on the correction's row, then on the original's row
        (str(periodic.id), f"GK-{periodic.chain_seq:06d}", REASON),
        (str(correction.id), f"GK-{correction.chain_seq:06d}", REASON),
    ]


@pytest.mark.parametrize("query, expected", [
    ("org={org_a}", ["correction", "periodic"]),
    ("org={org_b}", ["final"]),
    ("kind=final", ["final"]),
    ("kind=correction", ["correction"]),
    ("kind=periodic&org={org_a}", ["periodic"]),
    ("subject=campaign:{campaign}", ["correction", "periodic"]),
    ("subject_type=project&subject_id={project}", ["final"]),
    ("subject_type=campaign", ["correction", "periodic"]),
    ("year=2026", ["final", "correction", "periodic"]),
    ("year=2025", []),
    ("q=助学一月", ["final"]),
    ("org={org_b}&kind=periodic", []),
])
def test_filters(client, pubs, query, expected):
    ids = {k: getattr(v, "id", None) for k, v in pubs.items()}
    assert _ids(client.get("/disclosures/?" + query.format(**ids))) == \
        [pubs[name].id for name in expected]


def test_subject_select_offers_subjects_with_publications(client, pubs, make_campaign):
    make_campaign(name="尚无公开的募捐")
    html = client.get("/disclosures/").get_data(as_text=True)
    options = re.findall(r'<option value="((?:campaign|project):\d+)"\s*>([^<]*)</option>', html)
    assert [(v, label.split("·")[-1].strip()) for v, label in options] == [
        (f"campaign:{pubs['campaign'].id}", "冬衣募捐"),
        (f"project:{pubs['project'].id}", "助学一月")]
    html = client.get(f"/disclosures/?org={pubs['org_b'].id}").get_data(as_text=True)
    assert re.findall(r'<option value="((?:campaign|project):\d+)"', html) == \
        [f"project:{pubs['project'].id}"]


@pytest.mark.parametrize("query, name", [
    ("org=abc", "org"), ("org=0", "org"), ("org=99999999999", "org"),
    ("year=20x6", "year"), ("year=99999", "year"), ("kind=weekly", "kind"),
    ("subject=campaign", "subject"), ("subject=donor:3", "subject"),
    ("subject_type=donor", "subject_type"), ("subject_id=3", "subject_id"),
    ("subject_type=campaign&subject_id=-1", "subject_id"),
])
def test_malformed_parameters_are_a_400_that_names_the_parameter(client, db, query, name):
    r = client.get("/disclosures/?" + query)
    assert r.status_code == 400
    assert f"“{name}”" in r.get_data(as_text=True)


def test_view_of_a_corrected_report_lists_its_corrections_with_reason(client, pubs):
    periodic, correction = pubs["periodic"], pubs["correction"]
    html = client.get(f"/disclosures/{periodic.id}").get_data(as_text=True)
    assert (f'<li><a href="/disclosures/{correction.id}">GK-{correction.chain_seq:06d}</a>'
            f" (2026年4月5日): {REASON}</li>") in html
    assert periodic.pdf_sha256 in html and f"GK-{periodic.chain_seq:06d}" in html


def test_view_of_a_correction_links_the_original_with_reason(client, pubs):
    periodic, correction = pubs["periodic"], pubs["correction"]
    r = client.get(f"/disclosures/{correction.id}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert f'<a href="/disclosures/{periodic.id}">GK-{periodic.chain_seq:06d}</a>' in html
    assert REASON in html


def test_unknown_publication_is_a_404(client, db):
    top = db.scalar(sa.select(sa.func.max(Publication.id))) or 0
    for url in (f"/disclosures/{top + 1}", f"/disclosures/{top + 1}.pdf",
                "/disclosures/99999999999", "/disclosures/0"):
        assert client.get(url).status_code == 404, url
