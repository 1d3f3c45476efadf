"""The engine on texts written for these tests: duplicates, classification, topics."""

import datetime as dt

import numpy as np

from taizhang.triage import dedup
from taizhang.triage.classify import TextClassifier, prepare
from taizhang.triage.features import CharTfidf, char_ngrams
from taizhang.triage.topics import Message, hot_topics

LAMP = "小区门口的路灯坏了三个月，晚上出行很不方便，老人孩子容易摔倒，请尽快修复。"
LAMP_VARIANTS = [
    "小區門口的路燈壞了三個月，晚上出行很不方便，老人孩子容易摔倒，請儘快修復！",  # traditional
    "晚上出行很不方便，小区门口的路灯坏了三个月，老人孩子容易摔倒，请尽快修复。",  # swapped
    "小区门口的路灯坏了三个月 晚上出行很不方便 老人孩子容易摔倒 希望领导重视 请尽快修复",
    "ｘｘ小区门口的路灯坏了三个月，晚上出行很不方便，老人孩子容易摔倒，请尽快修复。",
]
OTHER = [
    "学校食堂的饭菜价格太贵了，一份青菜要十元，希望教育局管一管。",
    "公交车早高峰太挤，建议加开班次，尤其是三路和五路。",
    "医院挂号排队时间太长，希望增加自助挂号机。",
]


def test_perturbed_copies_are_duplicates_and_different_matters_are_not():
    texts = [LAMP, *LAMP_VARIANTS, *OTHER]
    found = dedup.find_duplicates(texts)
    assert found.clusters == [[0, 1, 2, 3, 4]]
    assert all(score >= dedup.THRESHOLD for _i, _j, score in found.pairs)


def test_signatures_estimate_jaccard():
    lists = dedup.shingle_lists([LAMP, LAMP_VARIANTS[1], OTHER[0]])
    sig = dedup.signatures(lists)
    agree = (sig[0] == sig[1]).mean()
    exact = dedup.jaccard(np.unique(lists[0]), np.unique(lists[1]))
    assert abs(agree - exact) < 0.25
    assert (sig[0] == sig[2]).mean() < 0.2


def test_band_keys_are_stable_across_runs():
    # Keys are stored in the database: a new release must compute the same ones.
    keys = dedup.band_keys(dedup.signatures(dedup.shingle_lists([LAMP])))
    again = dedup.band_keys(dedup.signatures(dedup.shingle_lists([LAMP])))
    assert keys.dtype == np.int64 and keys.shape == (1, dedup.BANDS)
    assert (keys == again).all()
    assert len(set((keys[0] & 0xF).tolist())) == dedup.BANDS  # the band number in the low bits


def test_short_and_empty_texts_do_not_break_anything():
    found = dedup.find_duplicates(["", "灯", "灯", "路灯坏"])
    assert [1, 2] in found.clusters


def test_char_ngrams_of_a_batch_equal_those_of_each_text():
    texts = ["路灯坏了", "", "ab"]
    docs, ids = char_ngrams(texts)
    assert len(ids) == len(docs)
    assert sorted(docs.tolist()) == [0] * 9 + [2] * 3  # 4+3+2 and 2+1
    x = CharTfidf(min_df=1).fit_transform(texts)
    assert x.shape[0] == 3 and abs((x[0].multiply(x[0])).sum() - 1) < 1e-5


def _training_set() -> tuple[list[str], list[str]]:
    traffic = ["公交车太挤", "地铁站出口太少", "路口红绿灯时间太短", "公交线路绕路", "停车位不够"]
    school = ["学校收费太高", "幼儿园入园难", "老师补课收费", "学生作业太多", "校车不安全"]
    docs, labels = [], []
    for k in range(4):
        for t in traffic:
            docs.append(prepare(f"{t}{k}", f"{t},希望交通部门解决,第{k}次反映"))
            labels.append("交通")
        for t in school:
            docs.append(prepare(f"{t}{k}", f"{t},希望教育局解决,第{k}次反映"))
            labels.append("教育")
    return docs, labels


def test_the_classifier_learns_and_is_deterministic():
    docs, labels = _training_set()
    a = TextClassifier(seed=3).fit(docs, labels)
    b = TextClassifier(seed=3).fit(docs, labels)
    tests = [prepare("", "早上公交车挤不上去"), prepare("", "孩子的学校乱收费")]
    assert a.predict(tests) == ["交通", "教育"]
    assert [p.label for p in a.propose(tests)] == ["交通", "教育"]
    assert all(0.5 < p.confidence <= 1 for p in a.propose(tests))
    assert a.dumps() == b.dumps()
    assert TextClassifier.loads(a.dumps()).predict(tests) == a.predict(tests)


def test_hot_topics_count_people_once_and_rank_by_heat():
    now = dt.datetime(2026, 6, 1)
    lamp = [
        Message(str(i), "路灯坏了", text, user=f"u{i}", likes=1, at=now)
        for i, text in enumerate([LAMP, *LAMP_VARIANTS])
    ]
    spam = [
        Message(f"s{i}", "食堂太贵", OTHER[0], user="same-person", likes=0, at=now)
        for i in range(8)
    ]
    famous = [Message("f", "公交太挤", OTHER[1], user="v", likes=5000, at=now)]
    topics = hot_topics([*lamp, *spam, *famous], top=3)
    assert [t.title for t in topics] == ["公交太挤", "路灯坏了", "食堂太贵"]
    lamp_topic = topics[1]
    assert lamp_topic.users == 5 and lamp_topic.size == 5 and lamp_topic.likes == 5
    assert topics[2].users == 1 and topics[2].size == 8
