"""POST /api/v1/cases/categories: whoever may not edit the catalogue is refused (403) before
anything the body names is looked up; an administrator adds a top-level class as well as a
sub-category."""

import pytest
from django.utils import timezone

from gongzhi.accounts.models import ApiToken
from gongzhi.accounts.services import issue_token
from gongzhi.cases.models import Category
from gongzhi.cases.services.catalogue import seed_catalogue
from gongzhi.core.models import AuditEntry

pytestmark = pytest.mark.django_db
URL = "/api/v1/cases/categories"
NEW_CLASS = {"code": "greening", "case_class": "community", "name_zh": "绿化养护", "name_en": "Greening"}


@pytest.fixture
def post(client, city):
    seed_catalogue()

    def caller(persona, body):
        token, raw = issue_token(actor=city.users[persona])
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return client.post(URL, body, content_type="application/json", headers={"Authorization": f"Bearer {raw}"})

    return caller


def test_an_administrator_adds_a_top_level_class(post):
    response = post("city_admin", NEW_CLASS)
    assert response.status_code == 201, response.content
    greening = Category.objects.get(code="greening")
    assert greening.parent_id is None and greening.case_class == "community"
    assert AuditEntry.objects.filter(action="category.create", object_id=str(greening.pk)).exists()
    child = post("city_admin", {"code": "lawn-damage", "parent": "greening", "name_zh": "草坪损坏",
                                "name_en": "Damaged lawn", "response_limit": 1, "response_unit": "days",
                                "handling_limit": 5, "handling_unit": "days", "routing": "community"})
    assert child.status_code == 201, child.content
    assert Category.objects.get(code="lawn-damage").case_class == "community"


def test_a_class_without_its_kind_is_refused_as_invalid(post):
    response = post("city_admin", {**NEW_CLASS, "case_class": None})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert not Category.objects.filter(code="greening").exists()


@pytest.mark.parametrize("body", [
    NEW_CLASS,
    {**NEW_CLASS, "parent": "no-such-class"},
    {**NEW_CLASS, "parent": "event-street-order", "owner_department_id": 999999},
])
def test_whoever_may_not_edit_the_catalogue_gets_403_whatever_the_body(post, body):
    before = Category.objects.count()
    response = post("street_officer_a", body)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert Category.objects.count() == before


def test_an_edit_by_someone_else_is_403_even_for_a_missing_code(client, city):
    _token, raw = issue_token(actor=city.users["resident"])
    response = client.patch(f"{URL}/no-such-code", {"name_en": "X"}, content_type="application/json",
                            headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 403


def test_a_class_given_time_limits_or_a_limit_without_unit_is_refused_not_a_500(city):
    """The database's own constraint is never what answers: the service refuses first, in words."""
    from gongzhi.cases.services.catalogue import update_category
    from gongzhi.core.errors import DomainError

    seed_catalogue()
    admin = city.users["city_admin"]
    top = Category.objects.filter(parent__isnull=True).first()
    sub = Category.objects.filter(parent__isnull=False).first()
    with pytest.raises(DomainError):
        update_category(actor=admin, category=top, changes={"response_limit": 2, "response_unit": "hours"})
    with pytest.raises(DomainError):
        update_category(actor=admin, category=sub, changes={"handling_limit": 3, "handling_unit": ""})
    top.refresh_from_db()
    sub_before = Category.objects.get(pk=sub.pk)
    assert top.response_limit is None and sub_before.handling_unit
