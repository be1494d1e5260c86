"""The matrix's world is built once per test module inside a transaction that is rolled back at
the module's end; each test runs in a savepoint inside it (pytest-django's own), so a write one
test makes is gone before the next. The clock stands still at a working Monday in 2026."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings

MONDAY = dt.datetime(2026, 3, 9, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
BACKEND = "gongzhi.accounts.backends.UsernameOrPhoneBackend"


def _forget_process_caches():
    from gongzhi.cases.catalogue_cache import forget_catalogue
    from gongzhi.divisions.geo.index import reset_grid_index
    from gongzhi.workdays.calendar import forget_calendar

    forget_calendar()
    reset_grid_index()
    forget_catalogue()


@pytest.fixture(scope="module")
def _module_files(tmp_path_factory):
    root = tmp_path_factory.mktemp("matrix")
    return {"MEDIA_ROOT": root / "media", "GONGZHI_PRIVATE_ROOT": root / "private"}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, _module_files):
    from huey.contrib.djhuey import HUEY

    from .world import build_world

    before = HUEY.immediate
    HUEY.immediate = True
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=fast, LANGUAGE_CODE="en",
                                                          **_module_files),
          time_machine.travel(MONDAY, tick=False)):
        _forget_process_caches()
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = build_world()
            _log_in(world)
            yield world
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            _forget_process_caches()
            HUEY.immediate = before


def _log_in(world):
    """One client per persona, logged in inside the module's transaction so the sessions last the
    module. A client is reused throughout: each new one would load the middleware again, and
    whitenoise reads every static file when it does — most of a request's cost in a test."""
    world.clients = {None: Client(), "api": Client()}
    world.sessions = {}
    for name, user in world.users.items():
        c = Client()
        c.force_login(user, backend=BACKEND)
        world.clients[name] = c
        world.sessions[name] = c.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture(autouse=True)
def _matrix_settings(settings, _module_files):
    """The files the world wrote live under the module's directory, not each test's."""
    for name, value in _module_files.items():
        setattr(settings, name, value)
    # The rate limits would start refusing a persona half-way through the module.
    settings.AXES_ENABLED = False


@pytest.fixture
def as_persona(world, db):
    """`as_persona("grid_worker")` → the client logged in as that persona; None → anonymous; "api"
    → a client with no session, for bearer tokens. Cookies a previous test left (a logout's
    expired session, a language) are put back as they were."""

    def client(name):
        c = world.clients[name]
        c.cookies.clear()
        if name in world.sessions:
            c.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[name]
        return c

    return client
