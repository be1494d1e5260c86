"""Entering and correcting residents and households from a phone: each problem shown next to its
field in the user's language, numbers never pre-filled in full, stale edits refused, scope kept."""

import datetime as dt

import pytest
from django.urls import reverse

from gongzhi.core.models import AuditEntry
from gongzhi.registry.choices import EventKind, Relation, ResidentStatus
from gongzhi.registry.models import Household, Resident, ResidentEvent, ResidentTag
from gongzhi.registry.services import people

from .factories import id_number, tag
from .pages import html, main

pytestmark = pytest.mark.django_db
NEW_ID = id_number(dt.date(1948, 6, 2), 7, male=False)


def new_url(household) -> str:
    return reverse("registry:resident_new", args=[household.pk])


def edit_url(resident) -> str:
    return reverse("registry:resident_edit", args=[resident.pk])


def person(**fields) -> dict:
    return {"name": "刘桂英", "id_number": NEW_ID, "phone": "13611112222", "relation": Relation.PARENT,
            "residence": "both", **fields}


def errors(response, field: str) -> list[str]:
    return response.context["form"].errors.get(field, [])


# --- a new member ------------------------------------------------------------------------------------------


def test_a_new_member_with_tags(client_as, city, reg):
    c = client_as("grid_worker")
    response = c.post(new_url(reg.household_a), person(tags=[tag("elderly_alone").pk, tag("subsistence").pk]))
    resident = Resident.objects.get(name="刘桂英")
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:household", args=[reg.household_a.pk]) + f"#resident-{resident.pk}"
    assert resident.household == reg.household_a and resident.grid_id == city.grid_a.pk
    assert resident.gender == "female" and resident.birth_date == dt.date(1948, 6, 2)  # from the ID number
    assert resident.masked_phone == "136****2222"
    assert {t.tag.code for t in ResidentTag.objects.filter(resident=resident)} == {"elderly_alone", "subsistence"}
    assert ResidentEvent.objects.get(resident=resident).kind == EventKind.REGISTERED
    page = html(c.get(response["Location"]))
    assert "刘桂英 has been entered." in page and "136****2222" in page and NEW_ID not in page


def test_a_member_who_moved_in(client_as, reg):
    client_as("grid_worker").post(new_url(reg.household_a2), person(arrived="on", id_number="", phone=""))
    resident = Resident.objects.get(name="刘桂英")
    assert ResidentEvent.objects.get(resident=resident).kind == EventKind.MOVED_IN


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"name": ""}, "name", "This field is required."),
    ({"id_number": NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1")}, "id_number",
     "The ID number's check digit is wrong: a digit was mistyped."),
    ({"id_number": "12345"}, "id_number", "An ID number has 17 digits and a final digit or X."),
    ({"phone": "1361111"}, "phone", "Enter an 11-digit mobile number, or a landline with its area code."),
    ({"birth_date": "1950-01-01"}, "birth_date", "The birth date does not match the ID number (1948-06-02)."),
    ({"gender": "male"}, "gender", "The gender does not match the ID number."),
    ({"birth_date": "2999-01-01", "id_number": ""}, "birth_date", "The date is in the future."),
])
def test_problems_are_shown_next_to_their_fields(client_as, reg, fields, field, message):
    response = client_as("grid_worker").post(new_url(reg.household_a), person(**fields))
    assert response.status_code == 400
    assert message in errors(response, field)
    page = main(response)
    assert message.replace("'", "&#x27;") in page
    assert not Resident.objects.filter(name=fields.get("name", "刘桂英")).exists()


def test_problems_come_in_the_users_language(client_as, settings, reg):
    c = client_as("grid_worker")
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = c.post(new_url(reg.household_a), person(id_number=NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1")))
    assert response.status_code == 400
    assert "身份证号校验位错误，可能有数字输错。" in errors(response, "id_number")


def test_a_residents_name_is_labelled_as_a_persons_name_in_chinese(client_as, settings, city, reg):
    c = client_as("grid_worker")
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert '<label for="id_name">姓名</label>' in main(c.get(new_url(reg.household_a)))
    # The names of places keep the word for a thing's name.
    officer = client_as("street_officer_a")
    officer.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    figures = main(officer.get(reverse("registry:statistics", args=[city.street_a.pk])))
    assert "<th>名称</th>" in figures and "姓名" not in figures


def test_a_person_already_registered_is_refused(client_as, reg):
    response = client_as("grid_worker").post(new_url(reg.household_a2),
                                             person(id_number=id_number(dt.date(1950, 3, 1), 1)))  # 张伟's
    assert response.status_code == 400
    assert "already registered" in errors(response, "id_number")
    assert "A person with this ID number is already in the registry." in main(response)


def test_new_members_only_where_one_may_edit(client_as, city, reg):
    assert client_as("street_officer_b").get(new_url(reg.household_a)).status_code == 404
    assert client_as("district_officer").get(new_url(reg.household_a)).status_code == 403
    assert client_as("district_officer").post(new_url(reg.household_a), person()).status_code == 403
    assert client_as("resident").get(new_url(reg.household_a)).status_code == 404
    assert not Resident.objects.filter(name="刘桂英").exists()


# --- correcting a resident ---------------------------------------------------------------------------------


def test_the_edit_form_never_holds_full_numbers(client_as, reg):
    page = main(client_as("grid_worker").get(edit_url(reg.zhang)))
    assert "13912345678" not in page and "19500301" not in page
    assert "Leave empty to keep 139****5678." in page
    assert f'name="version" value="{reg.zhang.version}"' in page


def test_a_correction_keeps_the_numbers_left_empty_and_sets_the_tags(client_as, reg):
    c = client_as("grid_worker")
    before_id = reg.zhang.id_number_hash
    response = c.post(edit_url(reg.zhang), {
        "name": "张伟", "id_number": "", "phone": "13987654321", "relation": Relation.HEAD, "residence": "both",
        "notes": "耳背，需大声说话", "tags": [tag("elderly_alone").pk, tag("disabled").pk],
        "version": reg.zhang.version,
    })
    assert response.status_code == 302
    zhang = Resident.objects.get(pk=reg.zhang.pk)
    assert zhang.id_number_hash == before_id and zhang.masked_phone == "139****4321"
    assert zhang.notes == "耳背，需大声说话" and zhang.version == reg.zhang.version + 1
    live = {t.tag.code for t in ResidentTag.objects.filter(resident=zhang, ended_on__isnull=True)}
    assert live == {"elderly_alone", "disabled"}  # party member ended, disabled started
    assert ResidentTag.objects.filter(resident=zhang, tag__code="party_member", ended_on__isnull=False).exists()
    entry = AuditEntry.objects.filter(action="resident.update").latest("id")
    assert "13987654321" not in str(entry.after) and "139****4321" in str(entry.after)


def test_a_stale_correction_is_refused(client_as, city, reg):
    c = client_as("grid_worker")
    shown_version = reg.zhang.version
    people.update_resident(actor=city.users["community_secretary"], resident=reg.zhang, notes="书记改过")
    response = c.post(edit_url(reg.zhang), {"name": "张伟", "relation": Relation.HEAD, "residence": "both",
                                            "notes": "网格员改的", "version": shown_version})
    assert response.status_code == 400
    assert "Someone else changed 张伟 meanwhile. Reload and try again." in main(response)
    assert Resident.objects.get(pk=reg.zhang.pk).notes == "书记改过"


def test_a_correction_with_a_bad_number_changes_nothing(client_as, reg):
    response = client_as("grid_worker").post(edit_url(reg.zhang), {
        "name": "张大伟", "phone": "12345", "relation": Relation.HEAD, "residence": "both",
        "tags": [tag("veteran").pk], "version": reg.zhang.version})
    assert response.status_code == 400 and errors(response, "phone")
    zhang = Resident.objects.get(pk=reg.zhang.pk)
    assert zhang.name == "张伟" and zhang.version == reg.zhang.version
    assert not ResidentTag.objects.filter(resident=zhang, tag__code="veteran").exists()


def test_corrections_only_where_one_may_edit(client_as, reg):
    assert client_as("street_officer_b").get(edit_url(reg.zhang)).status_code == 404
    assert client_as("district_officer").get(edit_url(reg.zhang)).status_code == 403
    assert client_as("street_officer_a").get(edit_url(reg.zhang)).status_code == 200


# --- households --------------------------------------------------------------------------------------------


def test_a_new_household_in_a_building_of_the_grid(client_as, reg):
    c = client_as("grid_worker")
    url = reverse("registry:household_new") + f"?building={reg.building_a.pk}"
    page = main(c.get(url))
    assert "槐荫路1号1栋" in page and 'name="building"' in page
    response = c.post(url, {"building": reg.building_a.pk, "room": "3单元501", "kind": "rented"})
    household = Household.objects.get(room="3单元501")
    assert response.status_code == 302 and response["Location"] == reverse("registry:household", args=[household.pk])
    assert household.kind == "rented" and household.grid_id == reg.building_a.grid_id


def test_the_buildings_offered_are_those_of_the_grid(client_as, reg):
    c = client_as("grid_worker")
    page = main(c.get(reverse("registry:household_new")))
    assert "槐荫路1号1栋" in page and "槐荫路2号" not in page and "府前路8号" not in page
    response = c.post(reverse("registry:household_new"), {"building": reg.building_b.pk, "room": "1", "kind": "rented"})
    assert response.status_code == 400 and errors(response, "building")
    assert c.get(reverse("registry:household_new") + f"?building={reg.building_b.pk}").status_code == 404
    assert not Household.objects.filter(room="1").exists()


def test_a_room_that_already_has_a_household(client_as, reg):
    response = client_as("grid_worker").post(reverse("registry:household_new"),
                                             {"building": reg.building_a.pk, "room": "1单元101", "kind": "rented"})
    assert response.status_code == 400 and "This room already has a household." in main(response)


def test_editing_a_household_and_a_stale_edit(client_as, city, reg):
    c = client_as("grid_worker")
    url = reverse("registry:household_edit", args=[reg.household_a2.pk])
    assert f'value="{reg.household_a2.version}"' in main(c.get(url))
    response = c.post(url, {"room": "1单元102", "kind": "vacant", "version": reg.household_a2.version})
    assert response.status_code == 302 and Household.objects.get(pk=reg.household_a2.pk).kind == "vacant"
    response = c.post(url, {"room": "1单元103", "kind": "rented", "version": reg.household_a2.version})  # old
    assert response.status_code == 400 and "meanwhile" in main(response)
    assert Household.objects.get(pk=reg.household_a2.pk).room == "1单元102"
    assert client_as("street_officer_b").get(url).status_code == 404
    assert client_as("district_officer").get(url).status_code == 403


def test_a_moved_out_member_is_shown_apart(client_as, city, reg):
    people.move_out(actor=None, resident=reg.child)
    page = main(client_as("grid_worker").get(reverse("registry:household", args=[reg.household_a2.pk])))
    active, former = page.split('class="former"')
    assert "李娜" in active and "李小明" not in active
    assert "李小明" in former and str(ResidentStatus.MOVED_OUT.label) in former
