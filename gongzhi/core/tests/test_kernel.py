"""The access kernel itself: roles and grants registered by apps, territories, and the checks of
ids that arrive in requests."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404

from gongzhi.core import roles, scope
from gongzhi.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def volunteer_role(monkeypatch):
    """A later domain's role and action, registered as its access.py would (on copies of the
    registries, so no other test sees them)."""
    for name in ("_roles", "_actions"):
        monkeypatch.setattr(roles, name, dict(getattr(roles, name)))
    monkeypatch.setattr(roles, "_grants", dict(roles._grants))
    roles.register_actions({"volunteer.take_order": "Take residents' orders"})
    roles.register_role("volunteer", "Volunteer", order=95, desk=False, levels=("community",))
    roles.grant("volunteer", {"volunteer.take_order"})
    return "volunteer"


def test_a_new_domain_adds_a_role_without_a_central_table(city, volunteer_role):
    from gongzhi.accounts.models import RoleAssignment

    assert ("volunteer", "Volunteer") in roles.role_choices()
    user = city.users["resident"]
    RoleAssignment.objects.create(user=user, role="volunteer", division=city.community_a)
    scope.forget_assignments(user)
    assert scope.may(user, "volunteer.take_order")
    assert scope.covers(user, "volunteer.take_order", city.grid_a)
    assert not scope.covers(user, "volunteer.take_order", city.grid_b)
    assert roles.holders_of("volunteer.take_order") == ["volunteer"]


def test_a_new_role_is_granted_where_its_levels_allow(city, volunteer_role):
    from gongzhi.accounts.services import assign_role
    from gongzhi.core.errors import DomainError

    resident = city.users["resident"]
    with pytest.raises(DomainError, match="held at these levels"):
        assign_role(actor=city.users["city_admin"], user=resident, role="volunteer", division=city.grid_a)
    assignment = assign_role(actor=city.users["city_admin"], user=resident, role="volunteer",
                             division=city.community_a)
    assert assignment.role == "volunteer" and assignment.get_role_display() == "Volunteer"


def test_grants_need_a_declared_action_and_a_known_role():
    with pytest.raises(ValueError, match="undeclared"):
        roles.grant("resident", {"nobody.declared_this"})
    with pytest.raises(ValueError, match="unknown role"):
        roles.grant("no_such_role", {"view"})


def test_every_app_declares_its_actions_with_words_for_the_user():
    actions = roles.all_actions()
    assert {"view", "manage_users", "case.dispatch", "registry.reveal", "assessment.view"} <= set(actions)
    assert all(str(label) for label in actions.values())


def test_a_model_without_a_territory_is_refused_not_left_open(city):
    with pytest.raises(ImproperlyConfigured, match="no territory"):
        scope.restrict(AuditEntry.objects.all(), city.users["street_officer_a"], "view_audit")


def test_restrict_follows_the_declared_territory(city):
    from gongzhi.divisions.models import Division

    officer = city.users["street_officer_a"]
    seen = set(scope.restrict(Division.objects.all(), officer, "view").values_list("pk", flat=True))
    assert {city.street_a.pk, city.community_a.pk, city.grid_a.pk} <= seen
    assert not seen & {city.street_b.pk, city.grid_b.pk, city.district.pk}
    with pytest.raises(Http404):
        scope.get_in_scope(Division.objects.all(), officer, "view", pk=city.grid_b.pk)


def test_check_ids_answers_out_of_scope_and_missing_alike(city):
    from gongzhi.divisions.models import Division

    officer = city.users["street_officer_a"]
    choices = scope.restrict(Division.objects.all(), officer, "view")
    assert scope.check_id(choices, city.grid_a.pk) == city.grid_a
    assert scope.check_ids(choices, [str(city.grid_a.pk), city.community_a]) == [city.grid_a, city.community_a]
    refusals = []
    for pk in (city.grid_b.pk, 10**9, "not-a-number"):
        with pytest.raises(scope.NotInScope) as refused:
            scope.check_ids(choices, [city.grid_a.pk, pk])
        refusals.append((refused.value.code, str(refused.value)))
    assert len(set(refusals)) == 1 and refusals[0][0] == "not_found"
    # A list of objects (what a page offers) is checked the same way.
    with pytest.raises(scope.NotInScope):
        scope.check_id([city.grid_a], city.grid_b.pk)
