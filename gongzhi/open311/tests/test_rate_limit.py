"""A per-key rate limit: N requests a minute for each api_key, then 429 with the spec's error body
(JSON and XML) and Retry-After; the next minute the key works again; other keys and keyless reads
are not held back; an administrator sets a key's own limit (audited)."""

import datetime as dt

import pytest

from gongzhi.core.errors import DomainError
from gongzhi.core.models import AuditEntry
from gongzhi.open311.models import Open311Request
from gongzhi.open311.services import issue_key, set_rate_limit

from .conftest import DEMO_KEY, IN_GRID_A, parse

pytestmark = pytest.mark.django_db


def post_request(api, fmt="json", key=DEMO_KEY):
    return api.post(f"requests.{fmt}", {"api_key": key, "service_code": "litter", "long": IN_GRID_A[0],
                                         "lat": IN_GRID_A[1], "description": "路边有一堆垃圾",
                                         "attribute[amount]": "bags"})


def test_a_key_over_its_limit_gets_429_in_json_and_xml(api, o311, settings, clock):
    settings.GONGZHI_OPEN311_RATE_PER_MINUTE = 3
    assert [post_request(api).status_code for _ in range(3)] == [201, 201, 201]
    refused = post_request(api)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) == 60  # the clock stands at the start of a minute
    body = parse(refused)
    assert len(body) == 1 and body[0]["code"] == 429
    assert "at most 3 a minute" in body[0]["description"]
    assert Open311Request.objects.count() == 3  # the refused one saved nothing

    xml = parse(post_request(api, "xml"))
    assert xml.tag == "errors" and xml.find("error/code").text == "429"
    assert "Too many requests" in xml.find("error/description").text
    # A GET with the key counts too; one without a key is a public read.
    assert api.get("requests.json", api_key=DEMO_KEY).status_code == 429
    assert api.get("requests.json").status_code == 200

    clock.shift(dt.timedelta(seconds=61))
    assert post_request(api).status_code == 201


def test_each_key_counts_alone_and_may_have_its_own_limit(api, o311, settings, clock):
    settings.GONGZHI_OPEN311_RATE_PER_MINUTE = 1
    other = issue_key(actor=None, name="市民热线App", rate_limit_per_minute=2)
    assert post_request(api).status_code == 201
    assert post_request(api).status_code == 429
    assert [post_request(api, key=other.raw_key).status_code for _ in range(3)] == [201, 201, 429]

    admin = o311.users["city_admin"]
    set_rate_limit(actor=admin, client=o311.partner, per_minute=0, reason="联调")  # no limit
    assert [post_request(api).status_code for _ in range(3)] == [201] * 3
    entry = AuditEntry.objects.get(action="open311.key_rate_limit")
    assert entry.actor == admin and entry.after == {"rate_limit_per_minute": 0}
    with pytest.raises(DomainError):
        set_rate_limit(actor=o311.users["street_officer_a"], client=o311.partner, per_minute=5)
    with pytest.raises(DomainError):
        set_rate_limit(actor=admin, client=o311.partner, per_minute=-1)


def test_an_unknown_key_is_403_not_counted(api, o311, settings):
    settings.GONGZHI_OPEN311_RATE_PER_MINUTE = 1
    for _ in range(3):
        assert post_request(api, key="no-such-key-at-all-here").status_code == 403
    assert post_request(api).status_code == 201
