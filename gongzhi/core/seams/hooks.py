"""Announcements one app makes and others act on, without the announcer importing them.

`announce` calls every handler synchronously, in registration order, in the caller's transaction.
That is deliberate for the hooks we have: when the divisions app retires grids, the rows other apps
keep on those grids must move in the same transaction, so no commit ever shows a retired grid that
still holds registry rows, and a handler that fails rolls the grid change back with it instead of
leaving half a re-gridding behind. A handler with slow or external work should register it with
`transaction.on_commit` itself.
"""

from collections.abc import Callable

Handler = Callable[..., object]

_handlers: dict[str, dict[str, Handler]] = {}


def connect(hook: str, handler: Handler, *, key: str | None = None) -> None:
    """Run `handler(**payload)` whenever `hook` is announced. `key` (default: the handler's dotted
    name) keeps one registration per handler however often an app loads."""
    key = key or f"{handler.__module__}.{handler.__qualname__}"
    _handlers.setdefault(hook, {})[key] = handler


def disconnect(hook: str, key: str) -> None:
    _handlers.get(hook, {}).pop(key, None)


def handlers(hook: str) -> list[Handler]:
    return list(_handlers.get(hook, {}).values())


def announce(hook: str, **payload) -> list[object]:
    return [handler(**payload) for handler in handlers(hook)]
