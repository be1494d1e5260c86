"""A small fixed city for tests: the real codes and names of two streets of 孝南区, with square
boundaries that tile exactly (so coverage checks find nothing to report)."""

from types import SimpleNamespace

from django.db import transaction

from gongzhi.divisions.choices import Level
from gongzhi.divisions.services.hierarchy import create_division

from .personas import ensure_personas

X0, Y0 = 113.90, 30.90  # south-west corner of the district, WGS-84


def box(x0: float, y0: float, x1: float, y1: float) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
    }


@transaction.atomic
def build_fixture_city() -> SimpleNamespace:
    """Province → city → district → streets A and B → communities → grids, plus the personas.

    Street A (书院街道) holds community A (书院社区: grids 001 and 002) and A2 (北外社区: grid 001);
    street B (新华街道) holds community B (府前社区: grids 001 and 002)."""

    def make(level, code, name, parent, geometry=None, kind=""):
        return create_division(actor=None, actor_label="fixture", level=level, code=code, name=name,
                               parent=parent, geometry=geometry, kind=kind)

    province = make(Level.PROVINCE, "42", "湖北省", None)
    city = make(Level.CITY, "4209", "孝感市", province)
    district = make(Level.DISTRICT, "420902", "孝南区", city, box(X0, Y0, X0 + 0.08, Y0 + 0.04), "市辖区")
    street_a = make(Level.STREET, "420902001", "书院街道", district, box(X0, Y0, X0 + 0.04, Y0 + 0.04), "街道")
    street_b = make(Level.STREET, "420902002", "新华街道", district, box(X0 + 0.04, Y0, X0 + 0.08, Y0 + 0.04), "街道")
    community_a = make(Level.COMMUNITY, "420902001001", "书院社区", street_a,
                       box(X0, Y0, X0 + 0.02, Y0 + 0.04), "社区")
    community_a2 = make(Level.COMMUNITY, "420902001002", "北外社区", street_a,
                        box(X0 + 0.02, Y0, X0 + 0.04, Y0 + 0.04), "社区")
    community_b = make(Level.COMMUNITY, "420902002001", "府前社区", street_b,
                       box(X0 + 0.04, Y0, X0 + 0.08, Y0 + 0.04), "社区")
    grid_a = make(Level.GRID, "420902001001001", "书院社区第一网格", community_a, box(X0, Y0, X0 + 0.02, Y0 + 0.02))
    grid_a_2 = make(Level.GRID, "420902001001002", "书院社区第二网格", community_a,
                    box(X0, Y0 + 0.02, X0 + 0.02, Y0 + 0.04))
    grid_a2 = make(Level.GRID, "420902001002001", "北外社区第一网格", community_a2,
                   box(X0 + 0.02, Y0, X0 + 0.04, Y0 + 0.04))
    grid_b = make(Level.GRID, "420902002001001", "府前社区第一网格", community_b,
                  box(X0 + 0.04, Y0, X0 + 0.08, Y0 + 0.02))
    grid_b_2 = make(Level.GRID, "420902002001002", "府前社区第二网格", community_b,
                    box(X0 + 0.04, Y0 + 0.02, X0 + 0.08, Y0 + 0.04))
    places = {
        "province": province, "city": city, "district": district, "street_a": street_a, "street_b": street_b,
        "community_a": community_a, "community_a2": community_a2, "community_b": community_b,
        "grid_a": grid_a, "grid_a_2": grid_a_2, "grid_a2": grid_a2, "grid_b": grid_b, "grid_b_2": grid_b_2,
    }
    users = ensure_personas(places)
    return SimpleNamespace(**places, users=users, **users)
