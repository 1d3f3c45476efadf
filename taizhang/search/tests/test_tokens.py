"""What the index stores and what a query asks of it."""

from taizhang.search.snippets import snippet
from taizhang.search.tokens import Document, lexemes, parse_query, positioned


def test_chinese_runs_are_stored_as_bigrams_their_last_character_and_long_words():
    stored = {lx for lx, _at in lexemes("老旧小区停车场")}
    assert {"老旧", "旧小", "小区", "区停", "停车", "车场", "场"} <= stored
    assert "停车场" in stored  # jieba's word: a whole word ranks above its pieces
    assert "老" not in stored  # only a run's last character stands alone


def test_letters_and_digits_are_words_in_lower_case_and_half_width():
    stored = [lx for lx, _at in lexemes("LINFEN-2021-000123 ＡＢ３")]
    assert stored == ["linfen", "2021", "000123", "ab3"]


def test_a_query_asks_for_every_bigram_and_types_ahead_on_its_last_word():
    q = parse_query("小区停车 LF-20")
    assert q.lexemes == ("小区", "区停", "停车", "lf")
    assert q.prefixes == ("20",)
    one = parse_query("水")
    assert one.prefixes == ("水",) and not one.lexemes
    assert not parse_query("!!! ,,, 。")


def test_fields_do_not_run_into_each_other():
    doc = Document("problem", 1, 1, {"A": ["小区"], "C": ["停车"]})
    laid = positioned(doc)
    (start_a,) = [at for lx, at in laid["A"] if lx == "小区"]
    (start_c,) = [at for lx, at in laid["C"] if lx == "停车"]
    assert start_c - start_a > 2  # 区 and 停 are not neighbours: no 区停 across fields


def test_a_snippet_marks_the_matches_and_escapes_the_rest():
    q = parse_query("停车")
    text = "<b>老旧小区</b>停车难" + "。" * 200
    shown = str(snippet(text, q))
    assert "<mark>停车</mark>" in shown and "&lt;b&gt;" in shown and "<b>" not in shown
    assert shown.endswith("…")
    apart = str(snippet("小区门口乱停车", parse_query("小区停车")))
    assert "<mark>小区</mark>" in apart and "<mark>停车</mark>" in apart
