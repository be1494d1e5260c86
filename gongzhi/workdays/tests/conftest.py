import pytest

from gongzhi.workdays.calendar import forget_calendar


@pytest.fixture(autouse=True)
def _fresh_calendar():
    forget_calendar()
    yield
    forget_calendar()
