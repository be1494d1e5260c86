"""Shared fixtures: the fixed test city with its personas, and clients logged in as each."""

import pytest

pytest_plugins = ["tests.browser.plugin"]


def pytest_configure(config):
    # pytest-django has read the settings by now, so the environment switch comes too late:
    # run every task in the test's own thread, against the test database, never the queue file.
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    from django.utils import translation

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AXES_ENABLED = True
    # Tests read messages in English (the source language); Chinese, the product's default, has
    # tests of its own that set it back (gongzhi/core/tests/test_health.py, test_translations.py).
    settings.LANGUAGE_CODE = "en"
    from django.core.cache import cache

    from gongzhi.divisions.geo.index import reset_grid_index

    cache.clear()
    # The spatial index lives in the process and outlives each test's rolled-back database.
    reset_grid_index()
    with translation.override("en"):
        yield


@pytest.fixture
def city(db):
    """The fixture city (two streets of 孝南区) and the nine personas; see gongzhi/demo/fixture_city.py."""
    from gongzhi.demo.fixture_city import build_fixture_city

    return build_fixture_city()


@pytest.fixture
def client_as(client, city):
    """`client_as("street_officer_a")` → a test client logged in as that persona."""
    from django.test import Client

    def login(username: str | None) -> Client:
        c = Client()
        if username:
            c.force_login(city.users[username], backend="gongzhi.accounts.backends.UsernameOrPhoneBackend")
        return c

    return login
