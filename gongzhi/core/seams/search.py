"""Site search: each app answers for its own rows; core only gathers the answers.

A provider `(user, query, limit) -> list[SearchResult]` MUST return only rows the user may see: it
reads through its app's scoped selectors, exactly as that app's own pages do, and shows no more of
a row than those pages would (a resident's phone masked, say).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise

MAX_QUERY_CHARS = 40


@dataclass(frozen=True)
class SearchResult:
    label: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class SearchProvider:
    key: str
    label: str | Promise  # the heading of its section
    search: Callable[[object, str, int], list[SearchResult]]
    order: int = 100


@dataclass(frozen=True)
class SearchSection:
    key: str
    label: str | Promise
    results: list[SearchResult]
    limit: int


_providers: dict[str, SearchProvider] = {}


def register_search_provider(provider: SearchProvider) -> SearchProvider:
    _providers[provider.key] = provider
    return provider


def unregister_search_provider(key: str) -> None:
    _providers.pop(key, None)


def clean_query(text: str | None) -> str:
    return " ".join((text or "").split())[:MAX_QUERY_CHARS]


def search(user, query: str, *, limit: int = 10) -> list[SearchSection]:
    """Every provider's results for the query, sections with nothing found left out."""
    query = clean_query(query)
    if not query or not getattr(user, "is_authenticated", False):
        return []
    sections = []
    for p in sorted(_providers.values(), key=lambda p: (p.order, p.key)):
        results = p.search(user, query, limit)[:limit]
        if results:
            sections.append(SearchSection(p.key, p.label, results, limit))
    return sections
