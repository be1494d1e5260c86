"""What other apps keep on some grids, counted: the households and people of the registry, the cases
still being handled… The grid services ask before a change that would retire many grids at once, so
the refusal can say what would be left on them, without the divisions app importing those apps.

A provider answers `provider(grid_ids) -> list[Holding]`, one COUNT per kind, and leaves out the
kinds with nothing on those grids. Its `text` is already a sentence part in the current language
("311 households"), since only the app knows how to name and pluralise what it keeps.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Holding:
    key: str  # e.g. "registry.households"
    count: int
    text: str  # "311 households", translated


HoldingsProvider = Callable[[list[int]], list[Holding]]

_providers: dict[str, HoldingsProvider] = {}


def register_holdings_provider(key: str, provider: HoldingsProvider) -> None:
    _providers[key] = provider


def unregister_holdings_provider(key: str) -> None:
    _providers.pop(key, None)


def holdings_on(grid_ids: list[int]) -> list[Holding]:
    """What every installed app keeps on these grids (kinds with nothing left out), app by app in
    the order of their keys, each app's kinds in its own order."""
    if not grid_ids:
        return []
    return [h for _key, provider in sorted(_providers.items()) for h in provider(list(grid_ids)) if h.count]
