"""The transparency log on a phone (390×844, Chromium): a disclosure page's inclusion proof
and the open-data page's key fingerprint wrap their long hashes instead of scrolling
sideways."""
from __future__ import annotations

from tests.e2e.conftest import no_horizontal_scroll, shot


def test_a_disclosure_page_shows_its_proof_on_a_phone(phone):
    entries = phone.request.get("/api/v1/log/entries?start=0").json()["entries"]
    assert entries, "the demo has publications in its log"
    last = entries[-1]  # the longest proof of the first page of entries
    phone.goto(last["publication_url"])
    proof = phone.locator("section.log-proof")
    proof.locator("xpath=ancestor::details").locator("summary").click()
    assert proof.is_visible()
    body = proof.inner_text()
    assert last["leaf_hash"] in body.replace("\n", "")
    assert proof.locator("code").count() >= 3
    hashes = phone.locator("main code")
    for i in range(hashes.count()):  # every hash on the page fits the 390-px screen
        box = hashes.nth(i).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 391, (
            hashes.nth(i).inner_text(), box)
    # A phone widens its layout to content that overflows: measure against 390 px itself.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 391
    assert no_horizontal_scroll(phone), "the disclosure page scrolls sideways on a phone"
    shot(phone, "disclosure-log-proof-phone")


def test_the_open_data_page_shows_the_key_fingerprint_on_a_phone(phone):
    key = phone.request.get("/api/v1/log/key").json()
    phone.goto("/open-data")
    check = phone.locator("#check-us")
    assert key["fingerprint"] in phone.locator("main").inner_text()
    assert check.is_visible()
    for code in check.locator("code").all():
        box = code.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 391, (code.inner_text(), box)
    assert no_horizontal_scroll(phone), "the open-data page scrolls sideways on a phone"
    shot(phone, "open-data-check-us-phone")
