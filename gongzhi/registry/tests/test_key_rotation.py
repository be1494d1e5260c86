"""Rotating the deployment key: with the old key named as previous, everything sealed still reads;
`gongzhi rotate-keys` re-seals numbers and files with the new key and re-indexes the numbers, after
which the old key can go."""

import io

import pytest
from django.core.management import call_command

from gongzhi.core import crypto
from gongzhi.core.storage import SealedStorage
from gongzhi.registry import selectors
from gongzhi.registry.models import Resident

pytestmark = pytest.mark.django_db


def use_keys(monkeypatch, current, previous=""):
    monkeypatch.setenv(crypto.ENV_KEY, current)
    monkeypatch.setenv(crypto.ENV_PREVIOUS, previous)
    crypto.reset_keys()


@pytest.fixture
def old_key_data(monkeypatch, settings, city):
    use_keys(monkeypatch, "old-key-" + "x" * 32)
    from .factories import build_registry

    reg = build_registry(city)
    storage = SealedStorage(location=settings.GONGZHI_PRIVATE_ROOT)
    name = storage.save("visit-photos/p.jpg", io.BytesIO(b"\xff\xd8 photo"))
    yield reg, storage, name
    crypto.reset_keys()


def test_rotation_re_seals_and_re_indexes(monkeypatch, old_key_data, city):
    reg, storage, name = old_key_data
    sealed_before = Resident.objects.get(pk=reg.zhang.pk).phone_sealed
    use_keys(monkeypatch, "new-key-" + "y" * 32, previous="old-key-" + "x" * 32)
    zhang = Resident.objects.get(pk=reg.zhang.pk)
    assert zhang.masked_phone == "139****5678"  # the old key still reads
    officer = city.users["community_secretary"]
    # …but the lookup indexes are the old key's until the rotation ran.
    assert not selectors.search_residents(officer, "13912345678")

    call_command("rotate_keys", stdout=io.StringIO())

    use_keys(monkeypatch, "new-key-" + "y" * 32)  # the old key dropped
    zhang = Resident.objects.get(pk=reg.zhang.pk)
    assert zhang.phone_sealed != sealed_before and crypto.unseal(zhang.phone_sealed) == "13912345678"
    assert [r.name for r in selectors.search_residents(officer, "13912345678")] == ["张伟"]
    with storage.open(name) as f:
        assert f.read() == b"\xff\xd8 photo"


def test_without_the_previous_key_old_values_do_not_read(monkeypatch, old_key_data):
    reg, _, _ = old_key_data
    use_keys(monkeypatch, "new-key-" + "y" * 32)
    with pytest.raises(Exception):  # noqa: B017 — AES-GCM refuses a wrong key (InvalidTag)
        crypto.unseal(Resident.objects.get(pk=reg.zhang.pk).phone_sealed)
