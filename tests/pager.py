"""Following a list's pager links (keyset pagination, charity/web/keyset.py) in tests."""
from __future__ import annotations

import html as html_lib
import re


def rel_link(page_html: str, rel: str) -> str | None:
    """The href of the pager link `rel` (first, prev, next, last) in the page, or None."""
    m = re.search(r'<a href="([^"]+)" rel="%s">' % re.escape(rel), page_html)
    return html_lib.unescape(m.group(1)) if m else None
