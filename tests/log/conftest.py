"""The log tests publish for real (snapshot, hashes, chain, log) with a stand-in for the slow
PDF renderer: the log only needs the PDF's bytes and digest."""
from __future__ import annotations

import pytest


@pytest.fixture
def fast_pdfs(monkeypatch):
    import charity.disclosure.publishing as publishing
    from tests.log.world import fake_render

    monkeypatch.setattr(publishing, "render", fake_render)
