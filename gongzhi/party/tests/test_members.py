"""Party members: entering, correcting, transferring, ending, the reveal, scope and search — each
refusal leaving everything as it was."""

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from gongzhi.core import scope
from gongzhi.core.errors import DomainError
from gongzhi.core.models import AuditEntry
from gongzhi.demo.fixture_city import build_fixture_city
from gongzhi.party.choices import MemberState, MemberStatus
from gongzhi.party.models import Member, Transfer
from gongzhi.party.selectors import members as selectors
from gongzhi.party.services import members as services
from gongzhi.registry.tests.factories import build_registry
from gongzhi.registry.tests.factories import id_number as make_id

from .factories import build_party

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    city = build_fixture_city()
    reg = build_registry(city)
    party = build_party(city, reg)
    return city, reg, party


def state():
    return (list(Member.objects.order_by("pk").values()), Transfer.objects.count(),
            AuditEntry.objects.filter(action__startswith="party.member").count())


def names(members):
    return sorted(m.name for m in members)


# --- entering ------------------------------------------------------------------------------------------


def test_a_member_linked_to_a_resident_takes_the_residents_details(w):
    city, reg, p = w
    actor = city.users["community_secretary"]
    m = services.add_member(actor=actor, organisation=p.branch_a.pk, resident=reg.li.pk, category="mobile",
                            joined_on=dt.date(2015, 7, 1), confirmed_on=dt.date(2016, 7, 1))
    assert (m.name, m.name_initials, m.gender) == ("李娜", "ln", "female")
    assert m.masked_phone == "138****1111" and m.phone_last4 == "1111"
    assert m.home_community_id == city.community_a.pk and m.home_street_id == city.street_a.pk
    assert (m.street_id, m.organisation_id) == (city.street_a.pk, p.branch_a.pk)
    entry = AuditEntry.objects.get(action="party.member.add", object_id=str(m.pk))
    dumped = json.dumps(entry.after)
    assert "13800001111" not in dumped and entry.after["phone"] == "138****1111"


def test_entering_refuses_what_is_out_of_scope_or_wrong_and_changes_nothing(w):
    city, reg, p = w
    actor = city.users["community_secretary"]
    before = state()
    refusals = [
        ({"organisation": p.branch_b.pk, "name": "甲"}, "not_found"),  # street B's branch
        ({"organisation": 10**9, "name": "甲"}, "not_found"),
        ({"organisation": p.branch_a.pk, "name": "甲", "home_community": city.grid_a.pk}, "not_found"),
        ({"organisation": p.branch_a.pk, "resident": reg.zhao.pk}, "not_found"),  # a resident of street B
        ({"organisation": p.branch_a.pk, "name": "甲", "id_number": "420902198001011234"}, "invalid"),
        ({"organisation": p.branch_a.pk, "name": "甲", "status": "probationary",
          "confirmed_on": dt.date(2020, 1, 1)}, "invalid"),
        ({"organisation": p.branch_a.pk, "name": "甲", "account": "party_member_a"}, "duplicate"),
        ({"organisation": p.branch_a.pk, "name": "甲", "account": "nobody_here"}, "invalid"),
        ({"organisation": p.branch_a.pk, "name": "甲", "arrived_from": "外省某支部"}, "invalid"),
    ]
    for kwargs, code in refusals:
        with pytest.raises(DomainError) as caught:
            services.add_member(actor=actor, **kwargs)
        assert caught.value.code == code, kwargs
    assert state() == before


def test_an_id_number_is_recorded_once(w):
    city, _reg, p = w
    actor = city.users["street_officer_a"]
    number = make_id(dt.date(1970, 1, 2), 7)
    services.add_member(actor=actor, organisation=p.community_a2.pk, name="钱一", id_number=number)
    before = state()
    with pytest.raises(DomainError) as caught:
        services.add_member(actor=actor, organisation=p.branch_a.pk, name="钱二", id_number=number.lower())
    assert caught.value.code == "duplicate" and state() == before


def test_who_may_not_edit_members_may_not_add_one(w):
    city, _reg, p = w
    before = state()
    for user in (city.users["district_officer"], city.users["grid_worker"], p.unit_secretary):
        with pytest.raises(PermissionDenied):
            services.add_member(actor=user, organisation=p.branch_a.pk, name="甲")
    assert state() == before


def test_a_double_tap_enters_the_member_once(w):
    _city, _reg, p = w
    actor = p.branch_secretary
    first = services.add_member(actor=actor, organisation=p.branch_a.pk, name="冯十", idempotency_key="k-1")
    again = services.add_member(actor=actor, organisation=p.branch_a.pk, name="冯十", idempotency_key="k-1")
    assert again.pk == first.pk and again.repeated
    assert Member.objects.filter(name="冯十").count() == 1


def test_a_branch_secretary_may_not_link_a_registry_resident(w):
    _city, reg, p = w
    before = state()
    with pytest.raises(DomainError) as caught:
        services.add_member(actor=p.branch_secretary, organisation=p.branch_a.pk, resident=reg.li.pk)
    assert caught.value.code == "not_found" and state() == before


# --- correcting -----------------------------------------------------------------------------------------


def test_a_stale_correction_is_refused(w):
    city, _reg, p = w
    actor = city.users["community_secretary"]
    m = p.member_zhang
    services.update_member(actor=actor, member=m, expected_version=m.version, workplace="区医院")
    before = state()
    with pytest.raises(DomainError) as caught:
        services.update_member(actor=actor, member=m, expected_version=m.version, workplace="区教育局")
    assert caught.value.code == "stale" and state() == before
    assert Member.objects.get(pk=m.pk).workplace == "区医院"


def test_becoming_a_full_member_records_the_date(w):
    city, _reg, p = w
    actor = city.users["street_officer_a"]
    m = services.add_member(actor=actor, organisation=p.branch_a.pk, name="蒋预备", status="probationary",
                            joined_on=dt.date(2025, 7, 1))
    m = services.update_member(actor=actor, member=m, status=MemberStatus.FULL)
    assert m.status == "full" and m.confirmed_on is not None
    entry = AuditEntry.objects.filter(action="party.member.update", object_id=str(m.pk)).get()
    assert entry.before["status"] == "probationary" and entry.after["status"] == "full"


def test_only_those_who_edit_members_correct_them(w):
    city, _reg, p = w
    before = state()
    with pytest.raises(PermissionDenied):
        services.update_member(actor=city.users["district_officer"], member=p.member_zhang, workplace="x")
    with pytest.raises(PermissionDenied):  # the unit's secretary sees their members but keeps no record
        services.update_member(actor=p.unit_secretary, member=p.unit_member, workplace="x")
    assert state() == before


# --- transfers and endings -------------------------------------------------------------------------------


def test_a_transfer_within_moves_the_relation_and_keeps_the_history(w):
    city, _reg, p = w
    actor = city.users["street_officer_a"]
    t = services.transfer_member(actor=actor, member=p.member_zhang, kind="within", to_organisation=p.community_a2.pk,
                                 reason="搬家")
    m = Member.objects.get(pk=p.member_zhang.pk)
    assert (t.from_organisation_id, t.to_organisation_id) == (p.branch_a.pk, p.community_a2.pk)
    assert m.organisation_id == p.community_a2.pk and m.community_id == city.community_a2.pk and m.grid_id is None
    # The branch's secretary no longer sees them; the new organisation's community does.
    scope.forget_assignments(p.branch_secretary)
    assert "张伟" not in names(selectors.members_for(p.branch_secretary))
    assert [x.pk for x in selectors.member_transfers(m)] == [t.pk]


def test_a_transfer_to_an_organisation_out_of_reach_is_refused(w):
    city, _reg, p = w
    before = state()
    for target in (p.branch_b.pk, 10**9):
        with pytest.raises(DomainError) as caught:
            services.transfer_member(actor=city.users["street_officer_a"], member=p.member_zhang, kind="within",
                                     to_organisation=target)
        assert caught.value.code == "not_found"
    assert state() == before


def test_out_of_the_platform_and_back_in(w):
    city, _reg, p = w
    actor = city.users["community_secretary"]
    before = state()
    with pytest.raises(DomainError):  # the introduction letter is required
        services.transfer_member(actor=actor, member=p.member_zhang, kind="out", outside="武汉市某街道党工委")
    assert state() == before
    services.transfer_member(actor=actor, member=p.member_zhang, kind="out", outside="武汉市某街道党工委",
                             letter_number="鄂组转字001号")
    m = Member.objects.get(pk=p.member_zhang.pk)
    assert m.state == MemberState.TRANSFERRED_OUT
    with pytest.raises(DomainError) as caught:
        services.transfer_member(actor=actor, member=m, kind="within", to_organisation=p.community_a.pk)
    assert caught.value.code == "conflict"
    services.transfer_member(actor=actor, member=m, kind="in", to_organisation=p.community_a.pk,
                             outside="武汉市某街道党工委", letter_number="鄂组转字009号")
    m = Member.objects.get(pk=m.pk)
    assert (m.state, m.organisation_id) == (MemberState.ACTIVE, p.community_a.pk)
    kinds = [(t.from_organisation_id, t.to_organisation_id, t.letter_number) for t in selectors.member_transfers(m)]
    assert sorted(kinds, key=str) == sorted([(p.branch_a.pk, None, "鄂组转字001号"),
                                             (None, p.community_a.pk, "鄂组转字009号")], key=str)


def test_ending_a_membership_keeps_the_record(w):
    city, _reg, p = w
    actor = city.users["community_secretary"]
    before = state()
    with pytest.raises(DomainError):
        services.end_membership(actor=actor, member=p.member_zhang, state="deceased", reason="  ")
    with pytest.raises(PermissionDenied):
        services.end_membership(actor=city.users["district_officer"], member=p.member_zhang, state="deceased",
                                reason="病故")
    assert state() == before
    services.end_membership(actor=actor, member=p.member_zhang, state="deceased", reason="病故")
    m = Member.objects.get(pk=p.member_zhang.pk)
    assert (m.state, m.state_reason) == (MemberState.DECEASED, "病故")
    with pytest.raises(DomainError) as caught:
        services.end_membership(actor=actor, member=m, state="left", reason="x")
    assert caught.value.code == "conflict"
    # Gone from the active list, still there with everyone's.
    assert "张伟" not in names(selectors.members_for(actor))
    assert "张伟" in names(selectors.members_for(actor, state=None))


# --- the reveal -----------------------------------------------------------------------------------------


def test_the_reveal_is_for_secretaries_and_is_audited_without_the_number(w):
    city, _reg, p = w
    value = services.reveal_member(actor=city.users["community_secretary"], member=p.member_zhang, field="phone")
    assert value == "13912345678"
    entry = AuditEntry.objects.get(action="party.member.reveal")
    assert entry.actor == city.users["community_secretary"] and entry.after == {"field": "phone"}
    assert "13912345678" not in json.dumps([entry.before, entry.after, entry.reason, entry.object_repr])
    assert services.reveal_member(actor=p.branch_secretary, member=p.member_zhang, field="phone") == "13912345678"
    for user in (city.users["city_admin"], city.users["street_officer_a"], p.unit_secretary):
        with pytest.raises(PermissionDenied):
            services.reveal_member(actor=user, member=p.member_zhang, field="phone")
    assert AuditEntry.objects.filter(action="party.member.reveal").count() == 2


# --- scope and search -----------------------------------------------------------------------------------


def test_each_role_sees_its_own_members(w):
    city, _reg, p = w
    assert names(selectors.members_for(p.branch_secretary)) == ["孙丽", "张伟", "陈红"]
    assert names(selectors.members_for(p.unit_secretary)) == ["周平"]
    assert names(selectors.members_for(city.users["community_secretary"])) == ["周平", "孙丽", "张伟", "陈红"]
    assert names(selectors.members_for(city.users["street_officer_b"])) == ["赵强"]
    assert names(selectors.members_for(city.users["street_officer_a"], organisation=p.branch_a)) == [
        "孙丽", "张伟", "陈红"]
    assert names(selectors.members_for(city.users["city_admin"], category="retired")) == ["张伟"]
    with pytest.raises(Http404):
        selectors.access_member(city.users["street_officer_b"], p.member_zhang.pk)
    with pytest.raises(Http404):
        selectors.access_member(city.users["grid_worker"], p.member_zhang.pk)
    assert selectors.access_member(p.member_user, p.member_a.pk).name == "孙丽"  # their own record


def test_search_by_initials_phone_tail_name_and_whole_phone(w):
    city, _reg, _p = w
    user = city.users["street_officer_a"]
    assert names(selectors.search_members(user, "zw")) == ["张伟"]
    assert names(selectors.search_members(user, "5678")) == ["张伟"]
    assert names(selectors.search_members(user, "张")) == ["张伟"]
    assert names(selectors.search_members(user, "139 1234 5678")) == ["张伟"]
    # In the order of the initials' index: zm, zp, zw.
    assert [m.name for m in selectors.search_members(user, "z")] == ["郑敏", "周平", "张伟"]
    assert selectors.search_members(city.users["street_officer_b"], "zw") == []
    assert names(selectors.search_members(city.users["street_officer_b"], "zq")) == ["赵强"]
    assert selectors.search_members(user, "   ") == []


# --- the API --------------------------------------------------------------------------------------------


def api(user):
    from django.test import Client

    from gongzhi.accounts.services import issue_token

    _token, raw = issue_token(actor=user, name="test")
    client = Client()
    headers = {"Authorization": f"Bearer {raw}"}

    def call(method, path, body=None, key=None):
        kwargs = {"headers": {**headers, **({"Idempotency-Key": key} if key else {})}}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return getattr(client, method)(f"/api/v1/party{path}", **kwargs)

    return call


def test_the_api_lists_and_searches_in_scope_masked(w):
    city, _reg, p = w
    call = api(city.users["community_secretary"])
    r = call("get", "/members")
    assert r.status_code == 200
    items = r.json()["items"]
    assert sorted(x["name"] for x in items) == ["周平", "孙丽", "张伟", "陈红"]
    zhang = next(x for x in items if x["name"] == "张伟")
    assert zhang["phone"] == "139****5678" and "13912345678" not in r.content.decode()
    assert [x["name"] for x in call("get", "/members?q=5678").json()["items"]] == ["张伟"]
    assert [x["name"] for x in call("get", "/members?q=zw").json()["items"]] == ["张伟"]
    assert call("get", f"/members?organisation={p.branch_b.pk}").status_code == 404
    assert api(city.users["grid_worker"])("get", "/members").status_code == 403
    officer_b = api(city.users["street_officer_b"])
    missing, hidden = officer_b("get", f"/members/{10**9}"), officer_b("get", f"/members/{p.member_zhang.pk}")
    assert missing.status_code == hidden.status_code == 404 and missing.json() == hidden.json()


def test_the_api_refuses_an_organisation_out_of_scope_like_a_missing_one(w):
    city, _reg, p = w
    call = api(city.users["street_officer_b"])
    before = state()
    hidden = call("post", "/members", {"organisation_id": p.branch_a.pk, "name": "甲"})
    missing = call("post", "/members", {"organisation_id": 10**9, "name": "甲"})
    assert hidden.status_code == missing.status_code == 404 and hidden.json() == missing.json()
    moved = call("post", f"/members/{p.member_b.pk}/transfer",
                 {"kind": "within", "to_organisation_id": p.branch_a.pk})
    assert moved.status_code == 404
    assert state() == before
    created = call("post", "/members", {"organisation_id": p.branch_b.pk, "name": "卫东"}, key="x1")
    assert created.status_code == 201 and created.json()["organisation"]["id"] == p.branch_b.pk
    again = call("post", "/members", {"organisation_id": p.branch_b.pk, "name": "卫东"}, key="x1")
    assert again.status_code == 200 and again.json()["id"] == created.json()["id"]


def test_the_api_corrects_transfers_ends_and_reveals(w):
    city, _reg, p = w
    call = api(city.users["community_secretary"])
    m = p.member_zhang
    r = call("patch", f"/members/{m.pk}", {"expected_version": m.version, "workplace": "区医院"})
    assert r.status_code == 200 and r.json()["workplace"] == "区医院"
    stale = call("patch", f"/members/{m.pk}", {"expected_version": m.version, "workplace": "区教育局"})
    assert stale.status_code == 409 and stale.json()["code"] == "stale"
    bad = call("patch", f"/members/{m.pk}", {"phone": "12"})
    assert bad.status_code == 400 and "phone" in bad.json()["problems"]
    r = call("post", f"/members/{m.pk}/transfer", {"kind": "out", "outside": "武汉市某街道党工委",
                                                   "letter_number": "001"})
    assert r.status_code == 200 and r.json()["state"] == "transferred_out"
    assert call("post", f"/members/{m.pk}/end", {"state": "left", "reason": "x"}).status_code == 409
    transfers = call("get", f"/members/{m.pk}/transfers").json()
    assert [(t["outside"], t["letter_number"]) for t in transfers] == [("武汉市某街道党工委", "001")]
    assert api(city.users["street_officer_a"])("post", f"/members/{m.pk}/reveal",
                                                 {"field": "phone"}).status_code == 403
    r = call("post", f"/members/{m.pk}/reveal", {"field": "phone"})
    assert r.status_code == 200 and r.json() == {"field": "phone", "value": "13912345678"}
    assert AuditEntry.objects.filter(action="party.member.reveal").count() == 1
