import pytest


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    """Visit photos and import files go to a temporary directory in tests."""
    settings.GONGZHI_PRIVATE_ROOT = tmp_path / "private"


@pytest.fixture
def reg(city):
    """A small registry on the fixture city (see factories.build_registry)."""
    from .factories import build_registry

    return build_registry(city)


@pytest.fixture(autouse=True)
def _tasks_run_at_once():
    """Run enqueued tasks in the test itself (see gongzhi/notifications/tests/conftest.py)."""
    from huey.contrib.djhuey import HUEY

    before = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = before
