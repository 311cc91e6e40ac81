import pytest

from apps.accounts import apikeys

pytestmark = pytest.mark.django_db


def test_a_key_prefix_never_starts_with_a_dash(world, monkeypatch):
    """`gongzhi apikey revoke <prefix>` would read "-abc…" as an option."""
    made = iter([("gz_-bad", "-badpref"), ("gz_goodkey", "goodpref")])
    monkeypatch.setattr(apikeys, "new_key", lambda: next(made))
    key, raw = apikeys.do_create_api_key(name="热线", actor=None, scope=world.community_a)
    assert (key.prefix, raw) == ("goodpref", "gz_goodkey")
