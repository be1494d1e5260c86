"""The layers hold: import contracts (import-linter, .importlinter) and no page or API handler
querying a scoped model directly — they read through selectors and the access kernel, so a list,
a detail and a form choice cannot forget the user's scope (the habit of Zulip's semgrep rules)."""

import ast
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

from django.db.models import Model

import gongzhi
from gongzhi.core import scope

FACES = ("api", "views", "api_admin", "views_admin", "api_grids", "audit_views")


def face_modules():
    """Every module that answers a request: api/views modules and the modules of api/views packages."""
    for info in pkgutil.walk_packages(gongzhi.__path__, "gongzhi."):
        parts = info.name.split(".")
        if "tests" in parts or "migrations" in parts:
            continue
        if any(part in FACES for part in parts[2:]):
            yield info.name


# Calls that narrow what they are given to the user's scope: a queryset written inside one of them
# is read through the kernel.
NARROWING = {"restrict", "get_in_scope", "check_id", "check_ids", "restrict_cases", "access_case"}
# A handler may look up an id it hands to a service that checks it against the page's own
# selector (gongzhi.cases.services.workflow.chosen_unit); each such place is named here.
CHECKED_BY_SERVICE = {"gongzhi.cases.api.transitions Division.objects"}


def _narrowed(tree) -> set[int]:
    inside = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in NARROWING:
                for arg in [*node.args, *(k.value for k in node.keywords)]:
                    inside.update(id(n) for n in ast.walk(arg))
    return inside


def direct_queries(module_name: str) -> list[str]:
    module = importlib.import_module(module_name)
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    narrowed = _narrowed(tree)
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr in ("objects", "_default_manager")
                and isinstance(node.value, ast.Name) and id(node) not in narrowed
                and f"{module_name} {node.value.id}.{node.attr}" not in CHECKED_BY_SERVICE):
            model = getattr(module, node.value.id, None)
            if isinstance(model, type) and issubclass(model, Model) and scope.has_territory(model):
                found.append(f"{module_name}:{node.lineno} {node.value.id}.{node.attr}")
    return found


def test_the_faces_are_found():
    modules = set(face_modules())
    assert {"gongzhi.cases.views.panel", "gongzhi.registry.api.people", "gongzhi.divisions.views"} <= modules


def test_pages_and_api_handlers_never_query_a_scoped_model_directly():
    offenders = [hit for name in face_modules() for hit in direct_queries(name)]
    assert offenders == [], "read through a selector or gongzhi.core.scope instead:\n" + "\n".join(offenders)


def test_the_check_catches_a_direct_query(tmp_path, monkeypatch):
    package = tmp_path / "probe_views.py"
    package.write_text("from gongzhi.cases.models import Case\nfrom gongzhi.core import scope\n\n"
                       "def page(request):\n    return Case.objects.all()\n\n"
                       "def scoped(request):\n"
                       "    return scope.restrict(Case.objects.all(), request.user, 'case.view')\n")
    monkeypatch.syspath_prepend(tmp_path)
    assert direct_queries("probe_views") == ["probe_views:5 Case.objects"]


def test_the_import_contracts_hold():
    linter = Path(sys.executable).with_name("lint-imports")  # installed from requirements.lock
    assert linter.exists(), "import-linter is missing: run scripts/install"
    result = subprocess.run([str(linter), "--no-cache"], capture_output=True, text=True,
                            cwd=Path(gongzhi.__file__).parents[1], timeout=300)
    assert result.returncode == 0, result.stdout[-4000:]


def test_the_import_contracts_name_every_app():
    """.importlinter is what scripts/layers.py writes from the apps that exist: a new app, or a new
    page or API module of one, is held by the contracts from its first commit."""
    script = Path(gongzhi.__file__).parents[1] / "scripts" / "layers.py"
    result = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, "run `python scripts/layers.py` and commit .importlinter"
