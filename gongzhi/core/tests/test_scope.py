import pytest

from gongzhi.accounts.choices import Action
from gongzhi.core import scope
from gongzhi.divisions.models import Division
from gongzhi.divisions.selectors import divisions_for, grids_for

pytestmark = pytest.mark.django_db

GRIDS = {
    "city_admin": {"grid_a", "grid_a_2", "grid_a2", "grid_b", "grid_b_2"},
    "district_officer": {"grid_a", "grid_a_2", "grid_a2", "grid_b", "grid_b_2"},
    "street_officer_a": {"grid_a", "grid_a_2", "grid_a2"},
    "street_officer_b": {"grid_b", "grid_b_2"},
    "community_secretary": {"grid_a", "grid_a_2"},
    "grid_worker": {"grid_a"},
    "department_staff": {"grid_a", "grid_a_2", "grid_a2"},
    "resident": set(),
    "auditor": {"grid_a", "grid_a_2", "grid_a2", "grid_b", "grid_b_2"},
}


@pytest.mark.parametrize(("persona", "expected"), GRIDS.items())
def test_each_role_sees_exactly_the_grids_under_its_divisions(city, persona, expected):
    names = {k for k in GRIDS["city_admin"]}
    seen = set(grids_for(city.users[persona]).values_list("pk", flat=True))
    assert seen == {getattr(city, k).pk for k in expected}
    assert {k for k in names if getattr(city, k).pk in seen} == expected


def test_street_subtree_is_one_query(city, django_assert_num_queries):
    user = city.users["street_officer_a"]
    scope.assignments(user)  # loaded once per request
    with django_assert_num_queries(1):
        codes = list(divisions_for(user).values_list("code", flat=True))
    assert "420902001000" in codes and "420902002000" not in codes


def test_out_of_scope_and_missing_are_both_404(city):
    from django.http import Http404

    user = city.users["street_officer_a"]
    missing = Division.objects.order_by("-pk").first().pk + 1000
    for pk in (city.grid_b.pk, missing):
        with pytest.raises(Http404):
            scope.get_in_scope(Division.objects.all(), user, Action.VIEW, pk=pk)


def test_revoked_role_covers_nothing(city):
    from django.utils import timezone

    user = city.users["street_officer_b"]
    user.role_assignments.update(revoked_at=timezone.now())
    scope.forget_assignments(user)
    assert not grids_for(user).exists()


@pytest.mark.parametrize("pk", [2**80, -(2**70), "9" * 30])
def test_an_id_beyond_any_row_is_refused_like_a_missing_one(city, pk):
    """A body naming an id no 64-bit key can hold reads as a missing id, not a database error."""
    with pytest.raises(scope.NotInScope):
        scope.check_id(Division.objects.all(), pk)
    with pytest.raises(scope.NotInScope):
        scope.check_ids(Division.objects.all(), [city.grid_a.pk, pk])
