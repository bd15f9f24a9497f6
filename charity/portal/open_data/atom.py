"""The Atom 1.0 feed of publications (/feed.atom), built with ElementTree so every piece of
text is escaped by the XML writer, never by hand.

The newest signed heads of the transparency log are entries too (category `log-head`), so
that feed readers and archives keep a copy of each head outside the installation: a
rewritten history cannot be consistent with a head someone archived
(docs/decisions/0008-transparency-log.md)."""
from __future__ import annotations

import datetime as dt
import json
import uuid
import xml.etree.ElementTree as ET

from flask_babel import gettext as _

from charity.core.i18n import current_locale_code
from charity.log.queries import head_json
from charity.portal.open_data.serialise import instant

ATOM = "http://www.w3.org/2005/Atom"
# Entry ids must never change: derived from the publication's hash-chain entry, which is
# unique and immutable, rather than from a URL that moves with the host name.
ID_NAMESPACE = uuid.UUID("6f1d2a8e-3c0b-4d8f-9a55-2f0e5b7c9d11")
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)

ET.register_namespace("", ATOM)


def entry_id(pub) -> str:
    return f"urn:uuid:{uuid.uuid5(ID_NAMESPACE, pub.entry_hash)}"


def head_entry_id(head: dict) -> str:
    """A head's entry id: derived from everything it signs and its key, so it never
    changes and two different heads never share one."""
    name = "log-head:{key_id}:{tree_size}:{root_hash}:{timestamp}".format(**head)
    return f"urn:uuid:{uuid.uuid5(ID_NAMESPACE, name)}"


def _kind_label(kind: str) -> str:
    return {"periodic": _("Periodic disclosure"), "final": _("Final disclosure"),
            "annual": _("Annual report"), "correction": _("Correction note")}.get(kind, kind)


def _summary(pub) -> str:
    parts = [_("Report %(no)s", no=pub.report_no), _kind_label(pub.kind),
             _("Period %(start)s to %(end)s", start=pub.period_start.isoformat(),
               end=pub.period_end.isoformat()),
             _("Published %(day)s", day=pub.published_on.isoformat())]
    if pub.due is not None:
        parts.append(_("Deadline %(day)s", day=pub.due.isoformat()))
        parts.append(_("late") if pub.late else _("on time"))
    if pub.correction_reason:
        parts.append(_("Correction: %(reason)s", reason=pub.correction_reason))
    parts.append(_("SHA-256 of the PDF: %(digest)s", digest=pub.pdf_sha256))
    return " · ".join(parts)


def _sub(parent, tag: str, text: str | None = None, **attrs) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", {k: v for k, v in attrs.items()})
    if text is not None:
        element.text = text
    return element


def _head_entry(root: ET.Element, head, key_url: str | None) -> None:
    data = head_json(head)
    entry = _sub(root, "entry")
    _sub(entry, "id", head_entry_id(data))
    _sub(entry, "title", _("Signed head of the transparency log: %(size)s entries",
                           size=data["tree_size"]))
    _sub(entry, "updated", data["timestamp"])
    _sub(entry, "published", data["timestamp"])
    if key_url:
        _sub(entry, "link", rel="related", type="application/json", href=key_url,
             title=_("The public key that signs the heads"))
    _sub(entry, "category", term="log-head", label=_("Transparency log head"))
    _sub(entry, "summary", " · ".join([
        _("Tree size %(size)s", size=data["tree_size"]),
        _("Root hash %(hash)s", hash=data["root_hash"]),
        _("Signed %(time)s", time=data["timestamp"]),
        _("Key id %(key)s", key=data["key_id"]),
        _("Signature %(signature)s", signature=data["signature"])]), type="text")
    # The head exactly as GET /api/v1/log/head answered it, for a monitor or an archive.
    _sub(entry, "content", json.dumps(data, sort_keys=True, separators=(",", ":")),
         type="text")


def build(publications, *, urls, self_url: str, list_url: str, heads=(),
          key_url: str | None = None) -> bytes:
    """The feed document for `publications` (newest first) and the log's signed `heads`
    (LogHead rows, newest first; they follow the publications), as UTF-8 bytes.

    `urls(pub)` gives the publication's HTML page and PDF addresses (absolute); `key_url`
    the log's public key (GET /api/v1/log/key)."""
    root = ET.Element(f"{{{ATOM}}}feed")
    root.set("{http://www.w3.org/XML/1998/namespace}lang",
             current_locale_code().replace("_", "-"))
    _sub(root, "id", self_url)
    _sub(root, "title", _("Charity disclosures"))
    _sub(root, "subtitle", _("Every disclosure published by the charity organisations, "
                             "newest first."))
    newest = max([p.published_at for p in publications] + [h.signed_at for h in heads],
                 default=EPOCH)
    _sub(root, "updated", instant(newest))
    _sub(root, "link", rel="self", type="application/atom+xml", href=self_url)
    _sub(root, "link", rel="alternate", type="text/html", href=list_url)
    author = _sub(root, "author")
    _sub(author, "name", _("Charity Supermarket"))
    _sub(root, "generator", "charity-supermarket")
    for pub in publications:
        html_url, pdf_url = urls(pub)
        entry = _sub(root, "entry")
        _sub(entry, "id", entry_id(pub))
        _sub(entry, "title", pub.title)
        _sub(entry, "updated", instant(pub.published_at))
        _sub(entry, "published", instant(pub.published_at))
        _sub(_sub(entry, "author"), "name", pub.organization.name)
        _sub(entry, "link", rel="alternate", type="text/html", href=html_url)
        _sub(entry, "link", rel="enclosure", type="application/pdf", href=pdf_url,
             title=pub.report_no + ".pdf")
        _sub(entry, "category", term=pub.kind, label=_kind_label(pub.kind))
        _sub(entry, "summary", _summary(pub), type="text")
    for head in heads:
        _head_entry(root, head, key_url)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
