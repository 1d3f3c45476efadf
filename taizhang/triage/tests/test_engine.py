"""The engine on texts written for these tests: duplicates, classification, topics."""

import datetime as dt

import numpy as np
import pytest
from scipy.sparse import diags
from scipy.sparse import random as sparse_random

from taizhang.triage import dedup
from taizhang.triage.classify import BlendClassifier, TextClassifier, loads, prepare
from taizhang.triage.features import CharTfidf, char_ngrams
from taizhang.triage.neighbours import NeighbourIndex
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


@pytest.mark.parametrize("kind", [TextClassifier, BlendClassifier])
def test_the_classifier_learns_and_is_deterministic(kind):
    docs, labels = _training_set()
    a = kind(seed=3).fit(docs, labels)
    b = kind(seed=3).fit(docs, labels)
    tests = [prepare("", "早上公交车挤不上去"), prepare("", "孩子的学校乱收费")]
    assert a.predict(tests) == ["交通", "教育"]
    assert [p.label for p in a.propose(tests)] == ["交通", "教育"]
    assert all(0.5 < p.confidence <= 1 for p in a.propose(tests))
    assert a.dumps() == b.dumps()
    assert loads(a.dumps()).predict(tests) == a.predict(tests)
    # Only the blend keeps precedents to agree or disagree with.
    assert all((p.agreed is None) == (kind is TextClassifier) for p in a.propose(tests))


def test_the_blend_names_its_precedents_and_whether_they_agree():
    docs, labels = _training_set()
    model = BlendClassifier().fit(docs, labels, keys=[1000 + i for i in range(len(docs))])
    near = prepare("", "地铁站出口太少,希望交通部门解决")  # docs 1, 11, 21, 31 read like this
    [found] = model.precedents([near], k=3)
    assert [p.label for p in found] == ["交通"] * 3
    assert {p.key for p in found} <= {1001, 1011, 1021, 1031}
    assert 0 < found[2].similarity <= found[0].similarity <= 1
    cosine = model.similarities(near, [docs[1], docs[11], docs[0]])
    assert cosine[0] > 0.5 and cosine[1] > 0.5 and cosine[2] < cosine[0]
    assert model.similarities(docs[1], [docs[1]]) == [1.0]
    [proposal] = model.propose([near], precedents=2)
    assert proposal.label == proposal.model_label == proposal.precedent_label == "交通"
    assert proposal.agreed and [p.key for p in proposal.precedents] == [p.key for p in found[:2]]
    # A message sharing no distinctive term with any labelled one has no precedent to vote.
    [alone] = model.propose([prepare("", "嗯")])
    assert alone.precedent_label == "" and alone.agreed is None


def test_the_sparse_search_finds_the_exact_nearest_when_nothing_is_pruned():
    rng = np.random.default_rng(7)
    vectors = _unit(sparse_random(300, 400, density=0.03, random_state=rng, format="csr"))
    queries = _unit(sparse_random(40, 400, density=0.03, random_state=rng, format="csr"))
    index = NeighbourIndex(vectors, max_df=1.0, query_terms=None)
    positions, similarities = index.search(queries, 5)
    exact = (queries @ vectors.T).toarray()
    for i in range(40):
        best = np.sort(exact[i])[::-1][:5]
        found = similarities[i][positions[i] >= 0]
        assert np.allclose(found, best[: len(found)], atol=1e-5)
        assert np.allclose(exact[i, positions[i][positions[i] >= 0]], found, atol=1e-5)
        assert len(found) == min(5, int((exact[i] > 0).sum()))
    # Pruned, it still ranks a copy of a labelled message first.
    pruned = NeighbourIndex(vectors, max_df=0.1, min_common=0, query_terms=5)
    positions, similarities = pruned.search(vectors[[3, 97]], 1)
    assert positions[:, 0].tolist() == [3, 97] and (similarities[:, 0] > 0).all()


def _unit(x):
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1
    return (diags(1 / norms) @ x).tocsr()


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
