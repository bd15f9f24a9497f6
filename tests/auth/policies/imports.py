"""Access policy of the spreadsheet import screens (charity/imports/views/imports.py):
managers of the organisation and administrators only (they hold personal data in bulk)."""
from tests.auth.policies.common import MANAGERS

POLICY = {
    "imports.start": MANAGERS,
    "imports.preview": MANAGERS,
    "imports.template": MANAGERS,
    "imports.export": MANAGERS,
}


def url_args(world, db):
    """A template kind; a token no upload has (the preview answers 404 to anyone allowed)."""
    return {"kind": "donors", "token": "no-such-upload"}
