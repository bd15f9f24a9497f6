"""Reports: amounts in Chinese capitals, QR codes and HTML → PDF rendering.

``charity.reports.pdf`` is not imported here: it pulls in WeasyPrint (about a
second of import time, and native libraries), which the web process does not
need just to write an amount in capitals or draw a QR code.
"""

from charity.reports.capitals import amount_in_capitals
from charity.reports.qr import qr_data_uri, qr_svg

__all__ = ["amount_in_capitals", "qr_data_uri", "qr_svg"]
