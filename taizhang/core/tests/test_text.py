import pytest

from taizhang.core.text import (
    compact,
    compact_many,
    find_personal_data,
    fold,
    id_checksum_ok,
    mask_personal_data,
    normalise,
    to_simplified,
)


def test_full_width_becomes_half_width_and_lower_case():
    assert normalise("ＡＢＣ１２３ｘ") == "abc123x"


def test_traditional_becomes_simplified():
    assert to_simplified("這條馬路燈壞了") == "这条马路灯坏了"
    assert normalise("學校食堂價格太貴") == "学校食堂价格太贵"


def test_punctuation_and_spaces_fold_away():
    assert normalise("路灯坏了!!!  请修,谢谢。") == "路灯坏了 请修 谢谢"
    assert compact("路灯坏了!!!  请修,谢谢。") == "路灯坏了请修谢谢"
    assert compact("路燈壞了！！！請修，謝謝") == compact("路灯坏了, 请修 谢谢")


def test_the_batch_form_equals_one_at_a_time():
    texts = ["ＡＢ這條路！", "", "小区 门口\n的路灯", "a\0b"]
    assert compact_many(texts) == [compact(t) for t in texts]


def test_the_fast_fold_equals_the_normal_form_of_ordinary_messages():
    texts = [
        "ＡＢ這條路！  請修，謝謝",
        "",
        "小区 门口\n的路灯 Ｎｏ．１２",
        "路灯坏了!!!  请修,谢谢。",
    ]
    assert [fold(t) for t in texts] == [normalise(t) for t in texts]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("电话13812345678找我", "phone"),
        ("电话１３８１２３４５６７８找我", "phone"),
        ("电话138****5678找我", "phone"),
        ("座机0357-2012345", "landline"),
        ("身份证11010519491231002X", "id"),
        ("身份证141002********123X", "id"),
    ],
)
def test_personal_numbers_are_found(text, kind):
    (found,) = find_personal_data(text)
    assert found.kind == kind
    assert text[found.start : found.end] == found.text


def test_numbers_that_are_not_personal_are_left_alone():
    assert find_personal_data("订单号123456789012345678,金额12345元,2026年") == []
    assert find_personal_data("编号238123456789") == []  # twelve digits: neither kind


def test_masking_keeps_the_ends_and_the_rest_of_the_text():
    text = "我的电话13812345678，身份证11010519491231002X，请回电"
    masked = mask_personal_data(text)
    assert masked == "我的电话138****5678，身份证110105********002X，请回电"
    assert mask_personal_data("没有号码") == "没有号码"


def test_id_check_digit():
    assert id_checksum_ok("11010519491231002X")
    assert not id_checksum_ok("110105194912310021")
