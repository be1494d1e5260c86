"""Every response and request schema of the API has a name of its own: the OpenAPI document keys its
components by class name, so two classes of one name silently share one description and one of the
two answers no longer matches its documentation."""

from collections import defaultdict

from ninja import Schema


def _subclasses(klass):
    for sub in klass.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_no_two_api_schemas_share_a_name():
    import gongzhi.api  # noqa: F401 — mounts every router, importing every schema

    by_name = defaultdict(set)
    for klass in _subclasses(Schema):
        if klass.__module__.startswith("gongzhi.") and ".tests" not in klass.__module__:
            by_name[klass.__name__].add(f"{klass.__module__}.{klass.__qualname__}")
    shared = {name: sorted(places) for name, places in by_name.items() if len(places) > 1}
    assert not shared, f"API schemas sharing a name: {shared}"
