"""The access policy, written out by hand, one module per feature.

Each module defines POLICY (endpoint → PUBLIC or the set of roles allowed) and may define
url_args(world, db) -> dict, returning values for the URL arguments its routes need
(e.g. {"campaign_id": ...}), creating the objects in `world["org"]` as needed.
"""
import importlib
import pkgutil


def load():
    policy, builders = {}, []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name == "common":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        overlap = policy.keys() & module.POLICY.keys()
        assert not overlap, f"endpoints listed twice: {overlap}"
        policy.update(module.POLICY)
        if hasattr(module, "url_args"):
            builders.append(module.url_args)
    return policy, builders
