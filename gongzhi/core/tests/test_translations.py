"""The Chinese catalogue: complete, faithful to its placeholders, and covering the code.

Chinese (zh-Hans) is the default language of every page, message and export, so a msgid without a
msgstr shows English to every user. These tests need no GNU gettext: the coverage check scans the
source with Python (the `ast` module for .py files, Django's own `templatize` for templates). Where
xgettext is installed, `makemessages` is additionally run on a copy of the covered source.
"""

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.utils.translation.template import templatize

PACKAGE = Path(__file__).resolve().parents[2]  # …/gongzhi
CATALOGUE = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

# The source whose strings must all be in the catalogue, relative to the gongzhi package: every app
# (directories, with their own templates) and the top-level modules. `test_every_app_is_covered`
# fails when an app or a module is added without being listed here.
COVERED_PATHS = (
    "__init__.py",
    "api.py",
    "cli.py",
    "settings.py",
    "urls.py",
    "wsgi.py",
    "accounts",
    "assessment",
    "cases",
    "core",
    "demo",
    "departments",
    "divisions",
    "notifications",
    "lovebank",
    "open311",
    "party",
    "points",
    "registry",
    "service",
    "squads",
    "templates",
    "volunteering",
    "workdays",
)
# Directories of the package that hold no translatable source.
NOT_SOURCE_DIRS = {"locale", "static", "__pycache__", "node_modules"}
# Never scanned, as for `makemessages --ignore`.
SKIPPED_DIRS = {"tests", "__pycache__", "node_modules"}

TRANSLATION_MODULE = "django.utils.translation"
# Django's functions, by the positions of (context, singular, plural) among their arguments.
FUNCTIONS = {
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}

# %(name)s / %(n).1f / %d / %s, {name}, and HTML tags; "%%" is a literal percent sign.
PLACEHOLDER_RE = re.compile(
    r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]"
    r"|%[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]"
    r"|\{\w*\}"
    r"|</?[A-Za-z][^<>]*>"
)
# What `templatize` writes for each translatable string of a template.
_LITERAL = r"""u?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
TEMPLATE_CALL_RE = re.compile(
    rf" (?:(?P<g>gettext)\((?P<g1>{_LITERAL})\)"
    rf"|(?P<n>ngettext)\((?P<n1>{_LITERAL}), (?P<n2>{_LITERAL}), count\)"
    rf"|(?P<p>pgettext)\((?P<p0>{_LITERAL}), (?P<p1>{_LITERAL})\)"
    rf"|(?P<np>npgettext)\((?P<np0>{_LITERAL}), (?P<np1>{_LITERAL}), (?P<np2>{_LITERAL}),count\)"
    rf"|_\((?P<u1>{_LITERAL})\)) "
)


def load_catalogue() -> polib.POFile:
    return polib.pofile(str(CATALOGUE))


def live_entries(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete]


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER_RE.findall(text.replace("%%", "")))


def label(entry: polib.POEntry) -> str:
    where = ", ".join(f"{path}:{line}" for path, line in entry.occurrences[:2])
    return f"{entry.msgid!r} ({where})"


# --- (a) complete -------------------------------------------------------------------------------


def test_catalogue_header():
    po = load_catalogue()
    assert po.metadata["Language"] == "zh_Hans"
    assert po.metadata["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    assert "charset=UTF-8" in po.metadata["Content-Type"]
    assert not po.metadata_is_fuzzy


def test_every_entry_is_translated_and_not_fuzzy():
    entries = live_entries(load_catalogue())
    assert len(entries) > 100
    untranslated = [label(e) for e in entries if not e.translated() and "fuzzy" not in e.flags]
    fuzzy = [label(e) for e in entries if "fuzzy" in e.flags]
    assert not untranslated, f"{len(untranslated)} untranslated: " + "; ".join(untranslated)
    assert not fuzzy, f"{len(fuzzy)} fuzzy: " + "; ".join(fuzzy)


def test_plural_entries_have_the_one_chinese_form():
    for entry in live_entries(load_catalogue()):
        if entry.msgid_plural:
            assert set(entry.msgstr_plural) == {0}, label(entry)
            assert entry.msgstr_plural[0].strip(), label(entry)


# --- (b) placeholders ---------------------------------------------------------------------------


def test_placeholders_match():
    wrong = []
    for entry in live_entries(load_catalogue()):
        if entry.msgid_plural:
            # One Chinese form serves every count: it needs what the plural needs.
            expected = placeholders(entry.msgid_plural) | placeholders(entry.msgid)
            got = placeholders(entry.msgstr_plural.get(0, ""))
        else:
            expected, got = placeholders(entry.msgid), placeholders(entry.msgstr)
        if expected != got:
            wrong.append(f"{label(entry)}: expected {sorted(expected)}, got {sorted(got)}")
    assert not wrong, "\n".join(wrong)


def test_placeholder_pattern():
    assert placeholders("%(n)d of %(total)s, %(s).1f s, %s%% {name} <strong>x</strong>") == {
        "%(n)d", "%(total)s", "%(s).1f", "%s", "{name}", "<strong>", "</strong>"}
    assert placeholders("100%% done") == set()


# --- (c) the catalogue covers the code ----------------------------------------------------------


def covered_files(suffix: str) -> list[Path]:
    files = []
    for name in COVERED_PATHS:
        path = PACKAGE / name
        if path.is_file():
            files += [path] if path.suffix == suffix else []
        elif path.is_dir():
            files += [p for p in path.rglob(f"*{suffix}")
                      if not SKIPPED_DIRS.intersection(p.relative_to(PACKAGE).parts)]
    return sorted(files)


def _translation_names(tree: ast.Module) -> tuple[dict[str, str], set[str]]:
    """Names bound to Django's translation functions in a module (aliases included), and the names
    the translation module itself is bound to."""
    functions, modules = {}, set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == TRANSLATION_MODULE:
            for alias in node.names:
                if alias.name in FUNCTIONS:
                    functions[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module == "django.utils":
            modules |= {alias.asname or alias.name for alias in node.names if alias.name == "translation"}
        elif isinstance(node, ast.Import):
            modules |= {alias.asname for alias in node.names if alias.name == TRANSLATION_MODULE and alias.asname}
    return functions, modules


def _string(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def python_messages(path: Path) -> set[tuple]:
    """(context, singular, plural) of each literal passed to a translation function."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    functions, modules = _translation_names(tree)
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in functions:
            name = functions[func.id]
        elif (isinstance(func, ast.Attribute) and func.attr in FUNCTIONS and isinstance(func.value, ast.Name)
              and func.value.id in modules):
            name = func.attr
        else:
            continue
        positions = FUNCTIONS[name]
        args = [_string(node.args[i]) if i is not None and i < len(node.args) else None for i in positions]
        if args[1] is not None:
            found.add(tuple(args))
    return found


def template_messages(path: Path) -> set[tuple]:
    """(context, singular, plural) of each string of a template, as Django extracts them."""
    found = set()
    for m in TEMPLATE_CALL_RE.finditer(templatize(path.read_text(encoding="utf-8"), origin=str(path))):
        def text(group, m=m):
            return ast.literal_eval(m[group]) if m[group] else None
        if m["g"]:
            found.add((None, text("g1"), None))
        elif m["n"]:
            found.add((None, text("n1"), text("n2")))
        elif m["p"]:
            found.add((text("p0"), text("p1"), None))
        elif m["np"]:
            found.add((text("np0"), text("np1"), text("np2")))
        else:
            found.add((None, text("u1"), None))
    return found


def code_messages() -> dict[tuple, str]:
    """Every message of the covered source, with a file it comes from."""
    found = {}
    for path in covered_files(".py"):
        for message in python_messages(path):
            found.setdefault(message, str(path.relative_to(PACKAGE)))
    for suffix in (".html", ".txt"):
        for path in covered_files(suffix):
            for message in template_messages(path):
                found.setdefault(message, str(path.relative_to(PACKAGE)))
    return found


def test_scanner_finds_aliases_templates_and_plurals(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        "from django.utils import translation\n"
        "from django.utils.translation import gettext_lazy as _lazy, ngettext, pgettext\n"
        "A = _lazy('one ' 'piece')\nB = ngettext('%(n)s grid', '%(n)s grids', 2)\n"
        "C = pgettext('month', 'May')\nD = translation.gettext('plain')\nE = print('not this')\n",
        encoding="utf-8",
    )
    assert python_messages(module) == {(None, "one piece", None), (None, "%(n)s grid", "%(n)s grids"),
                                       ("month", "May", None), (None, "plain", None)}
    page = tmp_path / "p.html"
    page.write_text(
        "{% load i18n %}<h1>{% translate \"It's here\" %}</h1>{% translate 'x' as y %}"
        "{% blocktranslate count n=k %}{{ n }} item, 5%{% plural %}{{ n }} items{% endblocktranslate %}"
        "{{ v|default:_(\"None yet\") }}",
        encoding="utf-8",
    )
    assert template_messages(page) == {(None, "It's here", None), (None, "x", None),
                                       (None, "%(n)s item, 5%%", "%(n)s items"), (None, "None yet", None)}


def test_every_app_is_covered():
    """Each directory and top-level module of the package is in COVERED_PATHS."""
    present = {p.name for p in PACKAGE.iterdir()
               if (p.is_dir() and p.name not in NOT_SOURCE_DIRS and not p.name.startswith("."))
               or (p.is_file() and p.suffix == ".py")}
    assert not present - set(COVERED_PATHS), f"add to COVERED_PATHS: {sorted(present - set(COVERED_PATHS))}"


def test_catalogue_covers_the_code():
    po = load_catalogue()
    translated = {(e.msgctxt, e.msgid, e.msgid_plural or None) for e in live_entries(po)
                  if e.translated() and "fuzzy" not in e.flags}
    messages = code_messages()
    assert len(messages) > 100
    missing = sorted(f"{msgid!r} ({where})" for (ctx, msgid, plural), where in messages.items()
                     if (ctx, msgid, plural) not in translated)
    assert not missing, (
        f"{len(missing)} messages of the code have no Chinese translation; run `django-admin makemessages "
        "-l zh_Hans` in gongzhi/ and translate them:\n" + "\n".join(missing))


GETTEXT_TOOLS = ("xgettext", "msgmerge", "msguniq", "msgattrib")


@pytest.mark.skipif(not all(shutil.which(tool) for tool in GETTEXT_TOOLS), reason="GNU gettext is not installed")
def test_makemessages_finds_nothing_untranslated(tmp_path):
    """What xgettext extracts from the covered source is all translated in the committed catalogue."""
    copy = tmp_path / "gongzhi"
    ignore = shutil.ignore_patterns(*SKIPPED_DIRS, "*.pyc", "*.mo")
    for name in (*COVERED_PATHS, "locale"):
        source = PACKAGE / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=ignore)
        elif source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    # Without settings, makemessages writes only to ./locale, i.e. into the copy.
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "--no-obsolete",
         "--ignore", "tests/*", "--ignore", "*/tests/*"],
        cwd=copy, env=env, capture_output=True, text=True, timeout=600, check=False,
    )
    assert result.returncode == 0, result.stderr
    merged = polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    entries = live_entries(merged)
    assert len(entries) > 100
    bad = [label(e) for e in entries if not e.translated() or "fuzzy" in e.flags]
    assert not bad, f"{len(bad)} messages are new or changed in the code and lack a translation:\n" + "\n".join(bad)
