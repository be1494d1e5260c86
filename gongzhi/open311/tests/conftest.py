"""Open311 fixtures on the fixed test city: the seeded catalogue with its Open311 attributes, the
demo partner's key, a stopped clock, and helpers to call the endpoints as a partner would."""

import datetime as dt
import xml.etree.ElementTree as ET
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine

from gongzhi.demo.fixture_city import X0, Y0
from gongzhi.divisions.geo.index import reset_grid_index
from gongzhi.workdays.calendar import forget_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 3, 9, 9, 0, tzinfo=SHANGHAI)
IN_GRID_A = (X0 + 0.005, Y0 + 0.005)  # (long, lat) in 书院社区第一网格
IN_GRID_B = (X0 + 0.05, Y0 + 0.005)
OUTSIDE = (X0 - 0.5, Y0 - 0.5)
DEMO_KEY = "gongzhi-demo-open311"
BASE = "/open311/v2/"


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    forget_calendar()
    reset_grid_index()
    yield
    forget_calendar()
    reset_grid_index()


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def o311(city, clock):
    """The city, the catalogue (by code), and the demo partner with its attributes."""
    from gongzhi.cases.models import Category
    from gongzhi.cases.services.catalogue import seed_catalogue
    from gongzhi.open311.services import ensure_demo_key
    from gongzhi.workdays.services import load_official_calendar

    load_official_calendar(years=[2026])
    seed_catalogue()
    partner = ensure_demo_key()
    return SimpleNamespace(city=city, users=city.users, partner=partner,
                           catalogue={c.code: c for c in Category.objects.all()})


def parse(response):
    """The body of a GeoReport answer: JSON data, or the XML root element."""
    if response["Content-Type"].startswith("application/json"):
        return response.json()
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return xml_root(response.content)


def xml_root(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 - our own answer, not untrusted input


@pytest.fixture
def api(client, o311):
    """`api.get("requests.json", status="open")`, `api.post("requests.json", service_code=…)`;
    `api.report(...)` posts a request in grid A with the demo key and returns its id."""

    def get(path, **params):
        return client.get(BASE + path, params)

    def post(path, data=None, **fields):
        return client.post(BASE + path, {**(data or {}), **fields})

    def report(service_code="litter", point=IN_GRID_A, key=DEMO_KEY, **fields):
        data = {"api_key": key, "service_code": service_code, "long": point[0], "lat": point[1],
                "description": "路边有一堆垃圾", **fields}
        if service_code == "litter":
            data.setdefault("attribute[amount]", "bags")
        if service_code == "noise":
            data.setdefault("attribute[time_of_day]", "night")
        response = post("requests.json", data)
        assert response.status_code == 201, response.content.decode()
        return response.json()[0]["service_request_id"]

    return SimpleNamespace(get=get, post=post, report=report, client=client)
