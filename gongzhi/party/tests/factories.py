"""A small party tree on the fixture city (gongzhi.demo.fixture_city), for tests.

Street A: 书院街道党工委 → 书院社区党委 (a big committee) → 第一网格党支部 (covers grid A; grid A-2 has no
branch: a coverage gap) and 北外社区党委. Street B: 新华街道党工委 → 府前社区党委 → 第一网格党支部.
A unit's branch (区城管局机关党支部) outside the territorial line, registered with community A; its
employed member lives in community A. A branch secretary, a unit secretary and a member have
accounts; their roles come from their posts (gongzhi.party.access.posts_of)."""

import datetime as dt
import secrets
from types import SimpleNamespace

from gongzhi.demo.personas import ensure_user
from gongzhi.party.choices import Form, Kind, Line, MemberCategory, Position, Sector
from gongzhi.party.models import Member, Organisation, Seat, Term

FOUNDED = dt.date(2019, 7, 1)


def make_organisation(name, form, line, division, parent=None, *, kind=Kind.TERRITORIAL, sector=Sector.COMMUNITY,
                      covers=(), unit_name="") -> Organisation:
    org = Organisation(name=name, form=form, line=line, kind=kind, sector=sector, unit_name=unit_name,
                       founded_on=FOUNDED, code=secrets.token_hex(4), path="/")
    org.site_at(division)
    org.save()
    org.place_under(parent)
    org.save(update_fields=["parent", "depth", "path"])
    org.covers.set(covers or [division])
    return org


def make_term(org, *, big=False, number=1, elected=dt.date(2021, 10, 1)) -> Term:
    return Term.objects.create(organisation=org, number=number, elected_on=elected,
                               due_on=elected.replace(year=elected.year + 5), is_big=big)


def seat(term, name, position=Position.MEMBER, *, user=None, member=None, duty="", from_unit="", seat_based=False):
    return Seat.objects.create(term=term, position=position, duty=duty, name=name, user=user, member=member,
                               from_unit=from_unit, seat_based=seat_based, started_on=term.elected_on)


def make_member(name, org, *, home=None, user=None, resident=None, phone="", id_number="",
                category=MemberCategory.EMPLOYED, joined=dt.date(2005, 7, 1), initials="") -> Member:
    m = Member(name=name, name_initials=initials, user=user, resident=resident, category=category,
               joined_on=joined, confirmed_on=joined.replace(year=joined.year + 1))
    m.hold_at(org)
    m.live_in(home)
    m.set_phone(phone)
    m.set_id_number(id_number)
    m.save()
    return m


def build_party(city, reg=None) -> SimpleNamespace:
    p = SimpleNamespace()
    p.street_a = make_organisation("书院街道党工委", Form.WORKING_COMMITTEE, Line.STREET, city.street_a)
    p.community_a = make_organisation("书院社区党委", Form.COMMITTEE, Line.COMMUNITY, city.community_a, p.street_a)
    p.branch_a = make_organisation("书院社区第一网格党支部", Form.BRANCH, Line.GRID, city.grid_a, p.community_a)
    p.community_a2 = make_organisation("北外社区党委", Form.COMMITTEE, Line.COMMUNITY, city.community_a2, p.street_a)
    p.street_b = make_organisation("新华街道党工委", Form.WORKING_COMMITTEE, Line.STREET, city.street_b)
    p.community_b = make_organisation("府前社区党委", Form.COMMITTEE, Line.COMMUNITY, city.community_b, p.street_b)
    p.branch_b = make_organisation("府前社区第一网格党支部", Form.BRANCH, Line.GRID, city.grid_b, p.community_b)
    p.unit_a = make_organisation("孝南区城管局机关党支部", Form.BRANCH, Line.UNIT, city.grid_a, kind=Kind.UNIT,
                                 sector=Sector.ORGAN, unit_name="孝南区城市管理执法局")

    p.branch_secretary = ensure_user("branch_secretary_a", "支部书记 陈红", phone="13900000031")
    p.unit_secretary = ensure_user("unit_secretary_a", "机关党支部书记 吴刚", phone="13900000032")
    p.member_user = ensure_user("party_member_a", "党员 孙丽", phone="13900000033")

    p.term_community_a = make_term(p.community_a, big=True)
    p.secretary_seat = seat(p.term_community_a, "刘书记", Position.SECRETARY, user=city.users["community_secretary"])
    p.part_time_seat = seat(p.term_community_a, "区城管局副局长", Position.PART_TIME, from_unit="孝南区城市管理执法局",
                            seat_based=True)
    p.term_branch_a = make_term(p.branch_a)
    p.term_unit_a = make_term(p.unit_a)
    seat(p.term_unit_a, "吴刚", Position.SECRETARY, user=p.unit_secretary)
    p.term_branch_b = make_term(p.branch_b)

    zhang = getattr(reg, "zhang", None)
    p.member_a = make_member("孙丽", p.branch_a, home=city.community_a, user=p.member_user, phone="13900000033",
                             initials="sl", resident=None)
    p.secretary_member = make_member("陈红", p.branch_a, home=city.community_a, phone="13900000031", initials="ch")
    seat(p.term_branch_a, "陈红", Position.SECRETARY, user=p.branch_secretary, member=p.secretary_member)
    p.member_zhang = make_member("张伟", p.branch_a, home=city.community_a, resident=zhang, phone="13912345678",
                                 category=MemberCategory.RETIRED, initials="zw")
    p.unit_member = make_member("周平", p.unit_a, home=city.community_a, phone="13911112222", initials="zp")
    p.member_a2 = make_member("郑敏", p.community_a2, home=city.community_a2, phone="13922223333", initials="zm")
    p.member_b = make_member("赵强", p.branch_b, home=city.community_b, phone="13700002222", initials="zq")
    return p
