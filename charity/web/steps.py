"""The steps of a document with a life (a wish, a delivery): one POST route per step, each
posting its own small form through `post_form` and showing a refusal on the document's page.

    add_step_routes(bp, STEPS, "delivery.work", "delivery_id", "delivery_{}", step_view)

registers POST /<int:delivery_id>/<name> as endpoint delivery_<name> for each step name,
calling `step_view(delivery_id, name)`."""
from __future__ import annotations

from collections.abc import Callable, Iterable

from charity.web.access import access
from charity.web.posting import post_form


def add_step_routes(bp, names: Iterable[str], rule: str, id_arg: str, endpoint: str,
                    step_view: Callable) -> None:
    """One POST route per step name, each declaring `rule` (see `access`)."""
    for name in names:
        def view(_name=name, **kwargs):
            return step_view(kwargs[id_arg], _name)

        bp.add_url_rule(f"/<int:{id_arg}>/{name}", endpoint.format(name), access(rule)(view),
                        methods=["POST"])


def post_step(form, work: Callable, *, done: str, target: str | Callable[[int], str],
              first: Callable[[int], str], kind: str, refused: Callable, fallback: str = ""):
    """Post `form` (`work()` calls the service) and go to `target` (a URL, or a function of
    the posted object's id) with `done`; when the form or the service refuses, `refused()`
    renders the page with the errors."""
    if form.validate_on_submit():
        def success(obj):
            return done, target(obj.id) if callable(target) else target

        response = post_form(form, work, kind=kind, first=first,
                             fallback=fallback or (target if isinstance(target, str) else ""),
                             success=success)
        if response:
            return response
    return refused()
