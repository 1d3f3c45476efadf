import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from taizhang.intake import services as intake
from taizhang.intake.models import Channel, SuggestionStatus
from taizhang.triage import jobs, services
from taizhang.triage.models import Basis, Cluster, Decision, Run, RunKind, RunStatus, Target
from taizhang.triage.tests.test_engine import LAMP, LAMP_VARIANTS, OTHER


def submit(world, text, title="反映问题", **kwargs):
    return intake.submit_suggestion(
        world.campaign, channel=Channel.WEB, title=title, text=text, rate_limited=False, **kwargs
    )


def test_a_new_suggestion_is_indexed_and_finds_its_duplicates(world):
    first = submit(world, LAMP, phone="13800000001")
    other = submit(world, OTHER[0])
    copy = submit(world, LAMP_VARIANTS[0], phone="13800000002")
    found = services.likely_duplicates(copy)
    assert [f.suggestion for f in found] == [first]
    assert found[0].score > 0.6
    assert "<mark>" in found[0].mine  # the differing characters are highlighted
    assert services.likely_duplicates(other) == []


def test_highlighting_escapes_what_citizens_typed():
    mine, theirs = services.highlight_differences("路灯<b>坏了", "路灯坏了")
    assert mine == "路灯<mark>&lt;b&gt;</mark>坏了" and theirs == "路灯坏了"


def test_personal_numbers_are_masked_before_matching(world):
    a = submit(world, LAMP + "我的电话13812345678")
    assert "13812345678" not in services.matching_text(a)


def test_merging_keeps_every_source_and_counts_citizens(world):
    original = submit(world, LAMP, phone="13800000001")
    copy = submit(world, LAMP_VARIANTS[0], phone="13800000002")
    copy2 = submit(world, LAMP_VARIANTS[1], phone="13800000001")  # the same caller again
    anonymous = submit(world, LAMP_VARIANTS[2])
    services.merge(copy, into=original, by=world.office, version=copy.version)
    services.merge(copy2, into=copy, by=world.office, version=copy2.version)  # → original
    copy2.refresh_from_db()
    assert copy2.duplicate_of == original
    # The original itself turns out to repeat an older one: its duplicates follow it.
    services.merge(original, into=anonymous, by=world.office, version=original.version)
    for s in (copy, copy2, original):
        s.refresh_from_db()
        assert s.duplicate_of == anonymous and s.status == SuggestionStatus.DUPLICATE
    assert intake.distinct_citizens(anonymous) == 3  # two phones and one without
    with pytest.raises(PermissionDenied):
        services.merge(anonymous, into=copy, by=world.operator, version=anonymous.version)


def test_proposals_start_from_keywords(world):
    world.area.keywords = "营业执照, 审批、办事"
    world.area.save()
    world.area2.keywords = "路灯\n供暖\n停水"
    world.area2.save()
    s = submit(world, "营业执照审批要跑三次,办事太难")
    assert s.proposal.area == world.area and s.proposal.area_basis == Basis.KEYWORDS
    assert s.proposal.area_confidence == 1.0
    lamp = submit(world, LAMP)
    assert lamp.proposal.area == world.area2
    assert submit(world, OTHER[1]).proposal.area is None  # no keyword: no guess


def test_accepting_and_correcting_record_the_decision_and_the_label(world):
    world.area2.keywords = "路灯"
    world.area2.save()
    s = submit(world, LAMP)
    services.decide(s, by=world.office, version=s.version, area=world.area2)
    s.proposal.refresh_from_db()
    s.refresh_from_db()
    assert s.proposal.decision == Decision.ACCEPTED and s.focus_area == world.area2
    t = submit(world, LAMP_VARIANTS[0])
    services.decide(t, by=world.office, version=t.version, area=world.area)
    t.proposal.refresh_from_db()
    assert t.proposal.decision == Decision.CORRECTED
    assert t.events.filter(action="route").exists()
    with pytest.raises(PermissionDenied):
        services.decide(t, by=world.operator, version=t.version, area=world.area)


def _labelled(world, n=12):
    for k in range(n):
        for text, area in (
            (f"营业执照审批太慢,跑了{k}趟,企业办事难", world.area),
            (f"小区路灯坏了{k}天,晚上出行不便", world.area2),
        ):
            s = submit(world, text, title=text[:8])
            services.decide(s, by=world.office, version=s.version, area=area)


def test_training_replaces_keywords_with_a_model(world):
    with pytest.raises(ValidationError, match="标注数据不足"):
        services.train(world.campaign, Target.AREA)
    _labelled(world)
    model = services.train(world.campaign, Target.AREA, by=world.office)
    assert model.version == 1 and model.train_size == 24
    assert model.metrics["macro_f1"] > 0.9 and model.metrics["folds"] >= 2
    s = submit(world, "新办营业执照的审批流程太复杂")
    assert s.proposal.area == world.area and s.proposal.area_basis == Basis.MODEL
    assert s.proposal.model_versions == {"area": 1}
    again = services.train(world.campaign, Target.AREA)
    assert again.version == 2 and bytes(again.blob) == bytes(model.blob)  # same seed, same model


def test_a_topics_run_stores_ranked_topics(world):
    for i, text in enumerate([LAMP, *LAMP_VARIANTS]):
        submit(world, text, title="路灯坏了", phone=f"1380000000{i}", votes=2)
    for text in OTHER:
        submit(world, text)
    run = jobs.start_run(world.campaign, RunKind.TOPICS, by=world.office)
    jobs.execute(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.size == 8 and run.percent == 100
    top = run.clusters.first()
    assert top.rank == 1 and top.size == 5 and top.citizens == 5 and top.votes == 10
    assert top.title == "路灯坏了"


def test_a_duplicates_run_groups_near_copies(world):
    for text in [LAMP, *LAMP_VARIANTS, *OTHER]:
        submit(world, text)
    run = jobs.start_run(world.campaign, RunKind.DUPLICATES, by=world.office)
    jobs.execute(run.pk)
    (cluster,) = Cluster.objects.filter(run=run)
    assert cluster.size == 5 and cluster.suggestions.count() == 5


def test_a_cancelled_run_leaves_nothing(world, monkeypatch):
    for text in [LAMP, *LAMP_VARIANTS]:
        submit(world, text)
    run = jobs.start_run(world.campaign, RunKind.TOPICS, by=world.office)
    with pytest.raises(ValidationError, match="正在运行"):
        jobs.start_run(world.campaign, RunKind.TOPICS, by=world.office)
    # Cancel while it runs: the first progress report sees the request.
    real = Run.objects.filter

    def cancel_then_filter(*args, **kwargs):
        real(pk=run.pk).update(cancel_requested=True)
        return real(*args, **kwargs)

    monkeypatch.setattr(Run.objects, "filter", cancel_then_filter)
    jobs.execute(run.pk)
    monkeypatch.undo()
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED and not run.clusters.exists()


def test_a_run_that_cannot_train_says_why(world):
    run = jobs.start_run(world.campaign, RunKind.TRAIN, by=world.office, target=Target.AREA)
    jobs.execute(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "标注数据不足" in run.message


def test_only_the_office_runs_jobs(world):
    with pytest.raises(PermissionDenied):
        jobs.start_run(world.campaign, RunKind.TOPICS, by=world.operator)


def test_deferred_triage_is_done_by_the_workers_batch(world, settings):
    """Under `taizhang serve` the request stores the suggestion only; the worker indexes and
    proposes in batches, and a page that needs the index early makes it on the spot."""
    from taizhang.triage.models import Band, Proposal

    world.area2.keywords = "路灯"
    world.area2.save()
    settings.TRIAGE_ON_ARRIVAL = "deferred"
    first = submit(world, LAMP)
    copy = submit(world, LAMP_VARIANTS[0])
    other = submit(world, OTHER[0])
    assert not Band.objects.exists() and not Proposal.objects.exists()
    assert services.index_pending() == 3
    assert services.index_pending() == 0  # nothing twice
    assert Proposal.objects.get(suggestion=first).area == world.area2
    assert not Proposal.objects.filter(suggestion=other).exists()  # nothing to propose
    assert [f.suggestion for f in services.likely_duplicates(copy)] == [first]
    late = submit(world, LAMP_VARIANTS[1])
    assert first in [f.suggestion for f in services.likely_duplicates(late)]  # indexed on demand


def test_saving_a_focus_area_lets_go_of_the_campaigns_held_keywords(world):
    from taizhang.triage.services import _cached

    assert _cached(world.campaign, lambda: "old", "keywords") == "old"
    assert _cached(world.campaign, lambda: "new", "keywords") == "old"
    world.area.keywords = "路灯"
    world.area.save()
    assert _cached(world.campaign, lambda: "new", "keywords") == "new"


def test_area_proposals_for_problem_texts_come_from_the_model_or_the_keywords(world):
    world.area.keywords = world.area2.keywords = ""
    world.area.save()
    world.area2.save()
    assert services.area_proposer(world.campaign) is None
    world.area2.keywords = "路灯"
    world.area2.save()
    by_keywords = services.area_proposer(world.campaign)
    assert by_keywords("东关村路灯不亮") == world.area2 and by_keywords("审批慢") is None
    _labelled(world)
    services.train(world.campaign, Target.AREA, by=world.office)
    by_model = services.area_proposer(world.campaign)
    assert by_model("企业办理营业执照审批环节多") == world.area
    assert by_model("老旧小区路灯坏了") == world.area2


def _routed(world, n=12):
    """Labelled suggestions, the licence ones converted into problems for the 发改局, the lamp
    ones only classified."""
    licences, lamps = [], []
    for k in range(n):
        for text, area in (
            (f"营业执照审批太慢,跑了{k}趟,企业办事难", world.area),
            (f"小区路灯坏了{k}天,晚上出行不便", world.area2),
        ):
            s = submit(world, text, title=text[:6])
            if area == world.area:
                intake.convert_to_problem(
                    s, by=world.office, version=s.version, org=world.dept_a1,
                    focus_area=area, kind="deadline",
                )  # fmt: skip
                licences.append(s)
            else:
                services.decide(s, by=world.office, version=s.version, area=area)
                lamps.append(s)
    return licences, lamps


def test_precedents_are_the_most_alike_labelled_suggestions_and_where_they_went(world):
    s = submit(world, "营业执照审批太慢,跑了好几趟")
    assert services.precedents(s) == []  # no model yet: nothing to compare with
    licences, lamps = _routed(world)
    services.train(world.campaign, Target.AREA, by=world.office)
    new = submit(world, "营业执照审批太慢,企业办事难,跑了好几趟")
    found = services.precedents(new)
    assert len(found) == 5 and {p.suggestion.pk for p in found} <= {x.pk for x in licences}
    assert all(p.area == world.area and p.unit == world.dept_a1 for p in found)
    assert all(p.kind == "deadline" and not p.earlier for p in found)
    assert [p.similarity for p in found] == sorted((p.similarity for p in found), reverse=True)
    assert new.proposal.area == world.area and new.proposal.area_agreed is True
    # A labelled suggestion is not its own precedent; a correction since training shows.
    first = services.precedents(lamps[0])
    assert lamps[0].pk not in {p.suggestion.pk for p in first}
    assert first[0].area == world.area2 and first[0].unit is None and first[0].kind == ""
    other = first[0].suggestion
    services.decide(other, by=world.office, version=other.version, area=world.area)
    assert services.precedents(lamps[0])[0].area == world.area


def test_precedents_of_earlier_campaigns_count_only_when_the_rule_allows(world):
    from taizhang.campaigns.services import create_campaign

    _routed(world, n=6)
    later = create_campaign(
        slug="test-2027", name="第二轮", org=world.city, previous=world.campaign,
        starts_on=world.campaign.starts_on, ends_on=world.campaign.ends_on,
        focus_areas=["优化营商环境", "破解民生难题"], rules={"second_factor_roles": []},
    )  # fmt: skip
    mine = []
    for k in range(12):
        for text, area in (
            ("学校周边道路拥堵", "破解民生难题"),
            ("企业开办手续繁琐", "优化营商环境"),
        ):
            s = intake.submit_suggestion(
                later, channel=Channel.WEB, title=text, text=f"{text}{k}次", rate_limited=False
            )
            services.decide(
                s, by=world.office, version=s.version, area=later.focus_areas.get(name=area)
            )
            mine.append(s.pk)
    assert set(services.training_rows(later, Target.AREA)[2]) == set(mine)
    services.train(later, Target.AREA)
    new = intake.submit_suggestion(
        later,
        channel=Channel.WEB,
        title="营业执照",
        text="营业执照审批太慢,跑了好几趟",
        rate_limited=False,
    )
    assert not any(p.earlier for p in services.precedents(new))
    later.rules = {**later.rules, "precedents_from_earlier": True}
    later.save()
    keys = services.training_rows(later, Target.AREA)[2]
    assert len(keys) == len(mine) + 12
    services.train(later, Target.AREA)
    found = services.precedents(new)
    assert found[0].earlier and found[0].unit == world.dept_a1
    assert found[0].area == later.focus_areas.get(name="优化营商环境")  # this campaign's area
