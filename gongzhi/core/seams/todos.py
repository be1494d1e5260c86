"""Home-page to-dos: each app says what is waiting for the user in its part of the platform.

A provider answers `provider(user) -> list[Todo]` with a count per to-do, at the cost of one or two
COUNT queries (the home page is the most visited page: it runs every provider on each view). A
to-do carries a text *code* and parameters, not a sentence: the sentence is looked up and
rendered in the reader's language when the page is drawn, so a to-do computed elsewhere (a task,
a cache) never freezes the language of whoever computed it.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from django.utils.functional import Promise

TodoProvider = Callable[[object], list["Todo"]]


@dataclass(frozen=True)
class Todo:
    code: str  # a registered text, e.g. "cases.to_register"
    count: int
    url: str
    # Lower first: what is late before what is merely waiting.
    priority: int = 50
    params: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class ShownTodo:
    text: str
    count: int
    url: str
    priority: int
    code: str


_texts: dict[str, Promise | str] = {}
_providers: dict[str, TodoProvider] = {}


def register_todo_text(code: str, text: Promise | str) -> None:
    """`text` is formatted with `count` and the to-do's params: use ngettext_lazy with "count" as
    the number argument so the plural form follows the count."""
    _texts[code] = text


def register_todo_provider(key: str, provider: TodoProvider) -> None:
    _providers[key] = provider


def unregister_todo_provider(key: str) -> None:
    _providers.pop(key, None)


def render_todo(todo: Todo) -> str:
    template = _texts.get(todo.code)
    if template is None:
        raise LookupError(f"to-do text {todo.code!r} is not registered")
    return str(template % {"count": todo.count, **todo.params})


def todos_for(user) -> list[ShownTodo]:
    """Every registered provider's to-dos with something waiting, most urgent first."""
    found = [t for provider in _providers.values() for t in provider(user) if t.count > 0]
    found.sort(key=lambda t: (t.priority, t.code))
    return [ShownTodo(render_todo(t), t.count, t.url, t.priority, t.code) for t in found]
