"""合并重复: a duplicate cluster's waiting suggestions become duplicates of the one picked."""

from django.utils import timezone

from taizhang.intake import services as intake
from taizhang.intake.models import Channel, Suggestion, SuggestionStatus
from taizhang.triage.models import Cluster, Run, RunKind


def _cluster(world, texts):
    found = [
        intake.submit_suggestion(campaign=world.campaign, channel=Channel.WEB, title=t, text=t)
        for t in texts
    ]
    run = Run.objects.create(campaign=world.campaign, kind=RunKind.DUPLICATES,
                             requested_at=timezone.now())  # fmt: skip
    c = Cluster.objects.create(run=run, rank=1, title=texts[0], size=len(found), citizens=3,
                               votes=0, score=1.0)  # fmt: skip
    c.suggestions.set(found)
    return c, found


def test_the_page_merges_a_cluster_into_the_original_picked(world, client):
    c, (first, second, third, answered) = _cluster(
        world, ["路灯不亮", "路灯坏了不亮", "小区路灯不亮", "路灯一直不亮"]
    )
    intake.answer_suggestion(answered, by=world.office, version=answered.version, text="已修复")
    client.force_login(world.office)
    url = f"/c/{world.campaign.slug}/triage/clusters/{c.pk}/"
    page = client.get(url).content.decode()
    assert 'id="merge-form"' in page and f'value="{first.pk}" checked' in page
    response = client.post(url + "merge/", {"original": second.pk}, follow=True)
    text = response.content.decode()
    assert "已将 2 条标记为" in text and "1 条已办理" in text
    states = dict(Suggestion.objects.values_list("pk", "status"))
    assert states[first.pk] == states[third.pk] == SuggestionStatus.DUPLICATE
    assert states[second.pk] == SuggestionStatus.RECEIVED
    assert states[answered.pk] == SuggestionStatus.ANSWERED
    assert Suggestion.objects.get(pk=first.pk).duplicate_of_id == second.pk
    outsider = intake.submit_suggestion(campaign=world.campaign, channel=Channel.WEB,
                                        title="别的", text="别的事")  # fmt: skip
    refused = client.post(url + "merge/", {"original": outsider.pk}, follow=True)
    assert "原件须是这一组中的一条" in refused.content.decode()
    client.force_login(world.handler_a1)
    assert client.post(url + "merge/", {"original": second.pk}).status_code == 403
