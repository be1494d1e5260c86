"""Every route the project serves has a row in the matrix, and every row names a route: a new
page or API operation without one fails here, naming it."""

import re

from .routes import API, api_operations, django_routes
from .spec import ENTRIES, EXEMPT


def api_template(django_path: str) -> str:
    """A ninja URL pattern as the schema writes its path: <conv:name> → {name}."""
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", django_path)


def test_every_route_and_operation_has_a_matrix_entry():
    operations = set(api_operations())
    operation_paths = {op.split(" ", 1)[1] for op in operations}
    pages = {key.split(" ", 1)[1] for key in ENTRIES if not key.split(" ", 1)[1].startswith("/")}
    missing = []
    for name, template in django_routes():
        if name in pages or name in EXEMPT:
            continue
        if template.startswith(API + "/") and api_template(template) in operation_paths:
            continue  # a ninja pattern: its operations are checked one by one below
        missing.append(f"page {name} ({template})")
    missing += [f"API {op}" for op in sorted(operations) if op not in ENTRIES]
    assert not missing, "routes with no row in tests/matrix/spec.py:\n" + "\n".join(missing)


def test_every_matrix_entry_names_a_route():
    operations = set(api_operations())
    names = {name for name, _ in django_routes()}
    stale = [key for key, entry in ENTRIES.items()
             if (entry.api and key not in operations) or (not entry.api and entry.route not in names)]
    stale += [name for name in EXEMPT if name not in names]
    assert not stale, "rows in tests/matrix/spec.py that match no route:\n" + "\n".join(stale)
