"""Shared fixtures: the fixed test city with its personas, and clients logged in as each."""

import os

os.environ.setdefault("GONGZHI_TASKS_IMMEDIATE", "1")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AXES_ENABLED = True
    from django.core.cache import cache

    cache.clear()


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
