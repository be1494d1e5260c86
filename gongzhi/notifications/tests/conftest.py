import pytest


@pytest.fixture(autouse=True)
def _tasks_run_at_once():
    """Run enqueued tasks in the test itself. (The root conftest's GONGZHI_TASKS_IMMEDIATE comes too
    late: pytest-django has read the settings by then, so tasks would land in var/tasks.sqlite3.)"""
    from huey.contrib.djhuey import HUEY

    before = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = before
