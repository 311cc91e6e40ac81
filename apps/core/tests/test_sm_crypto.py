"""GONGZHI_CRYPTO=sm (GB/T 39786 level 3, issue 14): SM4-GCM field encryption, SM3 blind
indexes, recovery-code digests and audit chain, through the `cryptography` package; key
rotation re-encrypts in batches while old keys still decrypt."""

import base64

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.accounts.choices import Role
from apps.core import audit, crypto
from apps.core.models import AuditEvent
from apps.core.testing.factories import PersonFactory, make_user
from apps.people.models import Person

OLD, NEW = "old-field-secret-0001", "new-field-secret-0002"


@pytest.fixture
def sm(settings):
    settings.GONGZHI_CRYPTO = "sm"
    return settings


def test_sm3_matches_the_standard_test_vector():
    # GB/T 32905-2016 appendix A, example 1: SM3("abc")
    expected = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert crypto.hash_hex(b"abc", "sm3") == expected


def test_sm4_gcm_round_trip_and_tamper(sm):
    token = crypto.encrypt("360732194501011234")
    assert token.startswith("sm4:") and "3607321945" not in token
    assert crypto.decrypt(token) == "360732194501011234"
    assert crypto.encrypt("x") != crypto.encrypt("x")  # a fresh nonce each time
    prefix, kid, body = token.split(":")
    raw = bytearray(base64.urlsafe_b64decode(body))
    raw[14] ^= 0x01  # one bit of the ciphertext
    flipped = base64.urlsafe_b64encode(bytes(raw)).decode()
    with pytest.raises(ValueError, match="无法解密"):
        crypto.decrypt(f"{prefix}:{kid}:{flipped}")


def test_sm_blind_index_is_hmac_sm3_and_differs_from_sha256(settings):
    standard = crypto.blind_index("13812345678")
    settings.GONGZHI_CRYPTO = "sm"
    assert len(crypto.blind_index("13812345678")) == 64
    assert crypto.blind_index("13812345678") != standard


def test_fernet_rows_still_decrypt_in_sm_mode(settings):
    token = crypto.encrypt("13812345678")
    settings.GONGZHI_CRYPTO = "sm"
    assert crypto.decrypt(token) == "13812345678"
    assert not crypto.is_current(token)


@pytest.mark.django_db
def test_the_audit_chain_verifies_across_a_switch_to_sm3(settings, world):
    audit.record(actor=None, verb="update", object_type="t", object_id=1)
    audit.seal()
    settings.GONGZHI_CRYPTO = "sm"
    event = audit.record(actor=None, verb="update", object_type="t", object_id=2)
    audit.seal()
    event.refresh_from_db()
    assert event.hash == audit._digest(event.prev_hash, event, "sm3")
    assert list(audit.verify_chain()) == []
    AuditEvent.objects.filter(pk=event.pk).update(object_repr="改过")
    assert list(audit.verify_chain())


@pytest.mark.django_db
def test_rotation_to_a_new_key_and_sm4_in_batches(settings, world):
    settings.FIELD_ENCRYPTION_KEY, settings.FIELD_ENCRYPTION_OLD_KEYS = OLD, []
    people = [
        PersonFactory(place=world.household_a, secrets__phone=f"1380000000{i}") for i in range(5)
    ]
    # the new key and SM4: old rows still decrypt through GONGZHI_FIELD_OLD_KEYS
    settings.FIELD_ENCRYPTION_KEY, settings.FIELD_ENCRYPTION_OLD_KEYS = NEW, [OLD]
    settings.GONGZHI_CRYPTO = "sm"
    assert crypto.decrypt(Person.objects.get(pk=people[0].pk).phone_enc) == "13800000000"
    assert not Person.objects.filter(phone_index=crypto.blind_index("13800000000")).exists()

    security = make_user("sec", Role.SECURITY_ADMIN, world.county)
    with pytest.raises(CommandError, match="只有安全保密管理员"):
        call_command("crypto", "rotate", "--actor", world.user("admin").username)
    call_command("crypto", "rotate", "--actor", security.username, "--batch", "2")

    settings.FIELD_ENCRYPTION_OLD_KEYS = []  # the old key can go now
    for i, person in enumerate(people):
        row = Person.objects.get(pk=person.pk)
        assert row.phone_enc.startswith("sm4:") and crypto.is_current(row.id_number_enc)
        assert crypto.decrypt(row.phone_enc) == f"1380000000{i}"
    found = Person.objects.get(phone_index=crypto.blind_index("13800000003"))
    assert found.pk == people[3].pk
    assert AuditEvent.objects.filter(actor=security, object_type="core.fieldkey").exists()
    # running again changes nothing
    from apps.core.rotation import rotate

    assert sum(rotate().values()) == 0
