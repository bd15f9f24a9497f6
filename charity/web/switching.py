"""The activate/deactivate switches behind a confirm button (organisations, charity points,
households, accounts): one flow for the four list screens that offer one.

The button (`ConfirmForm`, a CSRF-protected empty form) posts `active=1` to switch on and
`active=0` to switch off; the service does the switching and auditing, `post_form` commits.
"""
from __future__ import annotations

from typing import Callable

from flask import redirect, request

from charity.web.forms import ConfirmForm
from charity.web.posting import post_form


def post_switch(switch: Callable[[bool], object], *, on: str, off: str, back: str):
    """Call `switch(activate)` for a confirmed post and say `on` or `off`; a refusal is
    flashed. Always back to `back`."""
    if not ConfirmForm().validate_on_submit():
        return redirect(back)
    activate = request.form.get("active") == "1"
    return post_form(None, lambda: switch(activate),
                     success=lambda _obj: (on if activate else off, back), fallback=back)
