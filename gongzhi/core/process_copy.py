"""A value nearly every request reads but that rarely changes (the case catalogue, the working
calendar), kept once per process instead of asked of the database each time.

The copy is rebuilt when its fingerprint — something cheap to read that changes whenever the data
do — differs from the one it was built with. The fingerprint is read at most once every
`RECHECK_SECONDS`, so another process's edit shows here within that time; the editing process
calls `forget()` when its edit commits and sees it at once. Copies are shared read-only: never
change an object taken from one."""

import threading
from collections.abc import Callable
from time import monotonic
from typing import Generic, TypeVar

RECHECK_SECONDS = 1.0

T = TypeVar("T")


class ProcessCopy(Generic[T]):
    def __init__(self, fingerprint: Callable[[], object], build: Callable[[], T]):
        self._fingerprint, self._build = fingerprint, build
        self._lock = threading.Lock()
        self._value: T | None = None
        self._token: object = None
        self._checked = 0.0

    def get(self) -> T:
        """This process's copy, rebuilt first if the data changed (checked at most once a second)."""
        now = monotonic()
        with self._lock:
            if self._value is not None and now - self._checked < RECHECK_SECONDS:
                return self._value
            token = self._fingerprint()
            if self._value is None or token != self._token:
                self._value, self._token = self._build(), token
            self._checked = now
            return self._value

    def forget(self) -> None:
        """Drop this process's copy; the next `get` reads the data again."""
        with self._lock:
            self._value, self._token, self._checked = None, None, 0.0
