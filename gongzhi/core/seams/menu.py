"""Menu entries of the site header, registered by the app that owns each page."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from django.urls import ResolverMatch, reverse
from django.utils.functional import Promise

Audience = Literal["members", "visitors", "everyone"]
Slot = Literal["links", "bell"]


@dataclass(frozen=True)
class MenuEntry:
    key: str
    label: str | Promise
    url_name: str
    order: int
    # True when the page being shown belongs to this entry (aria-current). A string is a URL
    # namespace: every page of it.
    active: str | Callable[[ResolverMatch], bool]
    # Whether a member (signed in) or a visitor (signed out) is offered the link. Members also
    # have to pass `visible`; a visitor sees an entry of theirs unconditionally.
    audience: Audience = "members"
    visible: Callable[[object], bool] = lambda user: True
    # Another label for some users ("My grid" for a grid worker instead of "Grid registry").
    variant: Callable[[object], str | Promise | None] | None = None
    # A number shown on the entry (unread notifications); called at most once per page.
    count: Callable[[object], int] | None = None
    slot: Slot = "links"

    def shown_to(self, user) -> bool:
        if getattr(user, "is_authenticated", False):
            return self.audience != "visitors" and self.visible(user)
        return self.audience != "members"

    def is_active(self, match: ResolverMatch | None) -> bool:
        if match is None:
            return False
        if isinstance(self.active, str):
            return match.namespace == self.active
        return self.active(match)


class NavLink:
    """One entry as one user sees it on one page."""

    def __init__(self, entry: MenuEntry, user, match: ResolverMatch | None):
        self.entry, self._user = entry, user
        self.key = entry.key
        self.url = reverse(entry.url_name)
        self.current = entry.is_active(match)
        variant = entry.variant(user) if entry.variant else None
        self.label = variant or entry.label

    @cached_property
    def count(self) -> int:
        # Counted only when the template shows it, and then once (the header shows the bell twice).
        return self.entry.count(self._user) if self.entry.count else 0


_entries: dict[str, MenuEntry] = {}


def register_menu_entry(entry: MenuEntry) -> MenuEntry:
    _entries[entry.key] = entry
    return entry


def unregister_menu_entry(key: str) -> None:
    _entries.pop(key, None)


def menu_entries() -> list[MenuEntry]:
    return sorted(_entries.values(), key=lambda e: (e.order, e.key))


def menu_for(user, match: ResolverMatch | None, slot: Slot = "links") -> list[NavLink]:
    return [NavLink(e, user, match) for e in menu_entries() if e.slot == slot and e.shown_to(user)]
