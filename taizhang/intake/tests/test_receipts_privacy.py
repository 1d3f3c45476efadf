import random

import pytest
from django.core.exceptions import ValidationError

from taizhang.core import receipts
from taizhang.intake import privacy


def test_codes_are_unique_and_round_trip():
    codes = {receipts.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in list(codes)[:50]:
        assert receipts.normalise(receipts.display(code).lower()) == code


def test_check_symbol_catches_every_single_typo():
    rng = random.Random(1)
    for _ in range(300):
        code = receipts.new_code()
        position = rng.randrange(len(code) - 1)
        wrong = rng.choice([c for c in receipts.ALPHABET if c != code[position]])
        typo = code[:position] + wrong + code[position + 1 :]
        assert receipts.normalise(typo) is None, (code, typo)


def test_check_symbol_catches_every_swap_of_neighbours():
    rng = random.Random(2)
    for _ in range(300):
        code = receipts.new_code()
        i = rng.randrange(len(code) - 1)
        if code[i] == code[i + 1]:
            continue
        swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
        assert receipts.normalise(swapped) is None, (code, swapped)


def test_new_codes_read_aloud_and_earlier_codes_keep_working():
    codes = [receipts.new_code() for _ in range(500)]
    assert all(len(c) == 11 and set(c) <= set(receipts.ALPHABET) for c in codes)
    old = "ABCDEFGH1$"  # a code given out before, whose check symbol is $
    assert receipts.normalise(old) == old
    # What a Chinese keyboard types: full-width letters and digits, ＄ or ￥ for $, ＊ for *.
    assert receipts.normalise("ａｂｃｄ－ｅｆｇｈ－１￥") == old
    assert receipts.normalise("abcd efgh l＄") == old
    assert receipts.display(old) == "ABCD-EFGH-1$"
    fresh = codes[0]
    assert receipts.display(fresh) == f"{fresh[:4]}-{fresh[4:8]}-{fresh[8:]}"
    assert receipts.normalise(receipts.display(fresh).lower().replace("-", "—")) == fresh
    assert receipts.normalise(fresh + "#") is None


def test_letters_that_read_as_digits_are_forgiven():
    code = receipts.new_code()
    confusable = code.replace("0", "O").replace("1", "I")
    assert receipts.normalise(confusable) == code


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("138 1234 5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("0357-2345678", "0357-2345678"),
        ("", ""),
    ],
)
def test_phone_numbers_are_normalised(raw, clean):
    assert privacy.clean_phone(raw) == clean


@pytest.mark.parametrize("raw", ["12345", "1381234567", "23812345678", "abc"])
def test_bad_phone_numbers_are_refused(raw):
    with pytest.raises(ValidationError, match="格式不正确"):
        privacy.clean_phone(raw)


def test_masking():
    assert privacy.mask_phone("13812345678") == "138****5678"
    assert privacy.mask_name("张三") == "张*"
    assert privacy.mask_name("欧阳修文") == "欧***"
    text = "我的电话13812345678,身份证号14100219800101123X,请回电"
    masked = privacy.mask_numbers_in_text(text)
    assert "13812345678" not in masked and "138****5678" in masked
    assert "19800101" not in masked and "141002********123X" in masked


def test_phone_hash_is_keyed_and_stable(settings):
    first = privacy.phone_hash("13812345678")
    assert first == privacy.phone_hash("13812345678") and "13812345678" not in first
    settings.SECRET_KEY = "another-installation"
    assert privacy.phone_hash("13812345678") != first
