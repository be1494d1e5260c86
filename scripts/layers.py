"""Write .importlinter from the apps that exist: core imports no domain; each domain app imports no
other app's pages or API (its api, views, urls, forms and templatetags modules).

    python scripts/layers.py          # rewrite .importlinter
    python scripts/layers.py --check  # exit 1 when .importlinter is not what this would write
"""

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "gongzhi"
FACES = ("api", "views", "urls", "forms", "templatetags")
HEADER = """\
# Layer contracts, checked in CI by `lint-imports` (import-linter); written by scripts/layers.py.
# core is the kernel and imports no domain; a domain may import another's models, services,
# selectors and permissions, never its pages or API (api, views, urls, forms, templatetags).
# Tests are exempt: they build the fixture city from every app (an app may have none yet).
[importlinter]
root_package = gongzhi
include_external_packages = False
"""


def apps() -> list[str]:
    return sorted(p.parent.name for p in PACKAGE.glob("*/apps.py") if p.parent.name != "core")


def faces(app: str) -> list[str]:
    found = []
    for path in sorted((PACKAGE / app).iterdir()):
        name = path.stem if path.suffix == ".py" else path.name
        if (path.suffix == ".py" or (path / "__init__.py").exists()) and name.split("_")[0] in FACES:
            found.append(f"gongzhi.{app}.{name}")
    return sorted(found, key=lambda m: (FACES.index(m.split(".")[2].split("_")[0]), m))


def contract(key: str, name: str, source: str, forbidden: list[str]) -> str:
    lines = [f"[importlinter:contract:{key}]", f"name = {name}", "type = forbidden", "source_modules =",
             f"    {source}", "forbidden_modules =", *(f"    {m}" for m in forbidden), "ignore_imports =",
             f"    {source}.tests.** -> gongzhi.**", "allow_indirect_imports = True",
             "unmatched_ignore_imports_alerting = none"]
    return "\n".join(lines) + "\n"


def render() -> str:
    names = apps()
    parts = [HEADER, contract("core-knows-no-domain", "core imports no domain", "gongzhi.core",
                              [f"gongzhi.{a}" for a in names])]
    for app in names:
        others = [m for other in names if other != app for m in faces(other)]
        parts.append(contract(f"{app}-uses-no-other-pages-or-api", f"{app} imports no other app's pages or API",
                              f"gongzhi.{app}", others))
    return "\n".join(parts)


if __name__ == "__main__":
    target = REPO / ".importlinter"
    text = render()
    if "--check" in sys.argv:
        sys.exit(0 if target.read_text(encoding="utf-8") == text else 1)
    target.write_text(text, encoding="utf-8")
