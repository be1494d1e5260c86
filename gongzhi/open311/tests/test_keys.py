"""API keys: issued by a city administrator (or the system), audited, stored as a hash only."""

import pytest
from django.core.management import call_command

from gongzhi.core.errors import DomainError
from gongzhi.core.models import AuditEntry
from gongzhi.open311.models import Open311Attribute, Open311Client
from gongzhi.open311.services import (
    DEMO_KEY,
    client_for_key,
    ensure_demo_key,
    hash_key,
    issue_key,
    revoke_key,
    seed_attributes,
)

pytestmark = pytest.mark.django_db


def test_a_city_administrator_issues_a_key(city):
    admin = city.users["city_admin"]
    issued = issue_key(actor=admin, name="市民热线App")
    client = issued.client
    assert issued.raw_key.startswith("o311_") and len(issued.raw_key) > 40
    assert client.key_hash == hash_key(issued.raw_key)
    assert client.hint == issued.raw_key[-4:]
    assert client.created_by == admin
    assert client_for_key(issued.raw_key) == client
    # Its own service account: no password, no role, named after the partner.
    assert not client.user.has_usable_password()
    assert not client.user.role_assignments.exists()
    assert str(client.user) == "Open311 · 市民热线App"
    entry = AuditEntry.objects.get(action="open311.key_issue")
    assert entry.actor == admin and entry.object_id == str(client.pk)
    assert issued.raw_key not in str(entry.after)


@pytest.mark.parametrize("persona", ["street_officer_a", "community_secretary", "resident", "auditor"])
def test_only_a_city_administrator_issues_keys(city, persona):
    with pytest.raises(DomainError) as refused:
        issue_key(actor=city.users[persona], name="partner")
    assert refused.value.code == "forbidden"
    assert not Open311Client.objects.exists()


def test_a_key_is_issued_once_and_must_be_long_enough(city):
    issue_key(actor=None, name="A", raw_key="x" * 20)
    with pytest.raises(DomainError):
        issue_key(actor=None, name="B", raw_key="x" * 20)
    with pytest.raises(DomainError):
        issue_key(actor=None, name="C", raw_key="short")
    with pytest.raises(DomainError):
        issue_key(actor=None, name="  ")


def test_revoking_a_key(city):
    issued = issue_key(actor=None, name="partner")
    revoke_key(actor=city.users["city_admin"], client=issued.client, reason="合作结束")
    assert client_for_key(issued.raw_key) is None
    entry = AuditEntry.objects.get(action="open311.key_revoke")
    assert entry.reason == "合作结束"
    with pytest.raises(DomainError):
        revoke_key(actor=city.users["resident"], client=issued.client)


def test_the_demo_key_and_attributes_are_ensured_idempotently(city):
    from gongzhi.cases.services.catalogue import seed_catalogue

    seed_catalogue()
    client = ensure_demo_key()
    count = Open311Attribute.objects.count()
    assert count > 20
    assert client_for_key(DEMO_KEY) == client
    assert ensure_demo_key() == client
    assert Open311Client.objects.count() == 1
    assert Open311Attribute.objects.count() == count
    assert seed_attributes() == 0


def test_seeding_keeps_edited_attributes(city):
    from gongzhi.cases.models import Category
    from gongzhi.cases.services.catalogue import seed_catalogue

    seed_catalogue()
    seed_attributes()
    Open311Attribute.objects.filter(category__code="noise", code="source").delete()
    assert seed_attributes() == 0
    assert list(Category.objects.get(code="noise").open311_attributes.values_list("code", flat=True)) == [
        "time_of_day"]


def test_the_issue_key_command_prints_the_key_once(city, capsys):
    call_command("open311_issue_key", name="热线")
    name, raw = capsys.readouterr().out.strip().split(": ")
    assert name == "热线"
    assert client_for_key(raw).name == "热线"
