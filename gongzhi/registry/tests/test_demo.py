import pytest

from gongzhi.core import crypto
from gongzhi.registry import validation
from gongzhi.registry.demo import AREA_CODE, build_demo_population
from gongzhi.registry.models import (
    Building,
    Facility,
    Household,
    Organisation,
    Resident,
    ResidentEvent,
    ResidentTag,
    Thing,
    Visit,
)

pytestmark = pytest.mark.django_db


def test_a_tiny_demo_population_is_realistic_valid_and_idempotent(city):
    steps = []
    report = build_demo_population(size="small", per_grid=40, progress=lambda *a: steps.append(a))
    assert report.grids == 5 and steps[-1] == ("registry", 5, 5)
    assert 5 * 40 * 0.8 <= report.residents <= 5 * 40 * 1.3
    assert Resident.objects.count() == report.residents and ResidentEvent.objects.count() >= report.residents
    assert Household.objects.count() == report.households and Building.objects.count() == report.buildings
    assert Visit.objects.exists() and Thing.objects.exists()
    # Community facilities and organisations once per community (3 communities in the fixture city).
    assert Facility.objects.filter(kind="party_service_centre").count() == 3
    assert Organisation.objects.filter(kind="residents_committee").count() == 3

    for resident in Resident.objects.all()[:200]:
        number = crypto.unseal(resident.id_number_sealed)
        assert number.startswith(AREA_CODE) and validation.clean_id_number(number) == number
        assert validation.id_birth_date(number) == resident.birth_date
        assert validation.id_gender(number) == resident.gender
        assert resident.grid.community_id == resident.community_id
        assert resident.household.grid_id == resident.grid_id
    assert ResidentTag.objects.filter(tag__code="elderly_alone").exists()
    assert Resident.objects.filter(residence="living_only").exists()

    again = build_demo_population(size="small", per_grid=40)
    assert again.grids == 0 and again.skipped == 5 and Resident.objects.count() == report.residents
