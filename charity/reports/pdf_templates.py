"""The Jinja environment of the PDF templates, usable without a request or an app.

PDFs are rendered by the scheduler, CLI commands and worker processes, not in a request
(``charity.reports.pdf``): their templates are statutory Chinese documents that use
Jinja's built-in filters and `figures` (amounts with thousands separators, the same filter
as the app's) only — no translations, no URLs, no locale formatting — so they need none of
Flask's globals. The environment is Flask's in every other respect: the
project's ``templates/`` folder (``{% include "disclosure/_report_body.html" %}`` works)
and autoescaping for the same file types, so the HTML is the same as Flask would render.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2

from charity.core.money import figures

__all__ = ["TEMPLATES_DIR", "pdf_environment", "render_pdf_template"]

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
_AUTOESCAPED = (".html", ".htm", ".xml", ".xhtml", ".svg")  # as Flask's select_jinja_autoescape


def _autoescape(name: str | None) -> bool:
    return name is not None and name.endswith(_AUTOESCAPED)


@cache
def pdf_environment() -> jinja2.Environment:
    """One environment per process over the project's templates."""
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
                                     autoescape=_autoescape)
    environment.filters["figures"] = figures
    return environment


def render_pdf_template(name: str, **context) -> str:
    """The HTML of template `name` (e.g. "pdf/disclosure.html") with `context`."""
    return pdf_environment().get_template(name).render(**context)
