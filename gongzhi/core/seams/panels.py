"""Panels that other apps add to a page they do not own (the registry's figures on a division's
page). The page names itself and the object it shows; each panel decides whether this user sees
it and is drawn by including its template with the page's context."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    page: str  # e.g. "divisions.detail"
    key: str
    template: str
    visible: Callable[[object, object], bool]  # (user, obj)
    order: int = 100
    # What the panel's template needs beyond the page's context: (user, obj) -> dict, given to the
    # template as `panel`.
    context: Callable[[object, object], dict] | None = None


_panels: dict[tuple[str, str], Panel] = {}


def register_panel(panel: Panel) -> Panel:
    _panels[(panel.page, panel.key)] = panel
    return panel


def unregister_panel(page: str, key: str) -> None:
    _panels.pop((page, key), None)


def panels_for(page: str, user, obj) -> list[Panel]:
    found = [p for p in _panels.values() if p.page == page and p.visible(user, obj)]
    return sorted(found, key=lambda p: (p.order, p.key))


def drawn_panels(page: str, user, obj) -> list[tuple[Panel, dict]]:
    """The visible panels of a page with what each draws (its own context)."""
    return [(p, p.context(user, obj) if p.context else {}) for p in panels_for(page, user, obj)]
