from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.core import crypto
from apps.core.validators import (
    birth_date_from_id,
    id_check_char,
    id_number_error,
    phone_error,
    sex_from_id,
)


def test_it_accepts_a_valid_id_number():
    assert id_number_error("360732194501011234") is None
    assert id_number_error(" 11010519491231002x ") is None  # lower-case x, spaces


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("360732194501011236", "身份证号校验位错误（应为4）"),
        ("36073219450101123", "身份证号应为18位：前17位数字，最后一位数字或X"),
        ("36073219451301123X", "身份证号中的出生日期无效"),
        ("", "身份证号应为18位：前17位数字，最后一位数字或X"),
    ],
)
def test_it_explains_a_bad_id_number(value, message):
    assert id_number_error(value) == message


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)),
    st.integers(min_value=0, max_value=999),
)
def test_it_validates_every_number_it_completes(birth, seq):
    first17 = f"360732{birth:%Y%m%d}{seq:03d}"
    number = first17 + id_check_char(first17)
    assert id_number_error(number) is None
    assert birth_date_from_id(number) == birth
    assert sex_from_id(number) == ("M" if seq % 2 else "F")
    wrong = first17 + ("0" if number[-1] != "0" else "1")
    assert id_number_error(wrong) is not None


def test_it_checks_phone_numbers():
    assert phone_error("13812345678") is None
    assert phone_error("0797-1234567") is None
    assert phone_error("+86 138 1234 5678") is None
    assert phone_error("1381234") == "电话号码格式不正确（手机号11位，座机如0797-1234567）"


def test_it_masks_and_encrypts(settings):
    assert crypto.mask_id_number("360732194501011234") == "3****************4"
    assert crypto.mask_phone("13812345678") == "138****5678"
    token = crypto.encrypt("13812345678")
    assert "13812345678" not in token
    assert crypto.decrypt(token) == "13812345678"
    assert crypto.blind_index("11010519491231002x") == crypto.blind_index("11010519491231002X")
    settings.FIELD_ENCRYPTION_KEY = "another-key"
    with pytest.raises(ValueError, match="个人信息密文无法解密"):
        crypto.decrypt(token)
