"""Full-text search through the services that write: what is found, by whom, and the index
against a substring scan (no row that holds the text may be missed)."""

import io
import json
import random

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from taizhang.core import receipts
from taizhang.intake import services as intake
from taizhang.intake.models import Channel
from taizhang.intake.searchable import search_suggestions
from taizhang.ledger import services as ledger
from taizhang.ledger.models import Problem
from taizhang.ledger.searchable import search_problems
from taizhang.orgs.services import move_org
from taizhang.search import engine, services
from taizhang.search.models import SearchPending
from taizhang.testing import record

pytestmark = pytest.mark.django_db


def _found(user, w, typed):
    services.flush()
    return [f.problem.pk for f in search_problems(user, w.campaign, typed).found]


def test_every_field_a_service_writes_is_found(world):
    p = record(world, title="背街小巷路灯不亮", description="夜间行人摔倒",
               responsible_person="王建国")  # fmt: skip
    assert _found(world.office, world, "路灯") == [p.pk]
    assert _found(world.office, world, "摔倒") == [p.pk]  # the description
    assert _found(world.office, world, "王建国") == [p.pk]  # the responsible person
    assert _found(world.office, world, p.number) == [p.pk]
    assert _found(world.office, world, "发改局") == [p.pk]  # the unit's name
    ledger.add_measure(p, by=world.handler_a1, content="更换节能灯具")
    assert _found(world.office, world, "节能灯具") == [p.pk]
    ledger.report_progress(p, by=world.handler_a1, percent=50,
                           text="已完成东街三十盏")  # fmt: skip
    assert _found(world.office, world, "三十盏") == [p.pk]
    assert _found(world.office, world, "三十盏 路灯") == [p.pk]  # every word, in any field
    assert _found(world.office, world, "三十盏 自来水") == []


def test_results_stay_in_the_readers_scope(world):
    mine = record(world, title="农贸市场油烟扰民")
    theirs = record(world, title="学校门口油烟扰民", by=world.handler_b1, org=world.dept_b1)
    assert set(_found(world.office, world, "油烟")) == {mine.pk, theirs.pk}
    assert _found(world.leader_a, world, "油烟") == [mine.pk]
    assert _found(world.handler_b1, world, "油烟") == [theirs.pk]
    assert _found(world.nobody, world, "油烟") == []


def test_a_moved_unit_takes_its_problems_into_the_new_scope(world):
    p = record(world, title="供暖管网老化", by=world.handler_b1, org=world.dept_b1)
    assert _found(world.leader_a, world, "供暖") == []
    move_org(world.dept_b1, world.county_a)
    assert _found(world.leader_a, world, "供暖") == [p.pk]


def test_the_title_ranks_above_a_note(world):
    in_note = record(world, title="窗口服务差", description="办事群众反映停车难")
    in_title = record(world, title="停车难", description="周边车位不足")
    assert _found(world.office, world, "停车")[:2] == [in_title.pk, in_note.pk]


def test_a_mark_is_written_with_its_change_or_not_at_all(world):
    p = record(world, title="占道经营")
    services.flush()
    with pytest.raises(RuntimeError, match="boom"), transaction.atomic():
        ledger.update_problem(p, by=world.admin_a, version=p.version, title="占道堆放杂物")
        assert SearchPending.objects.filter(object_id=p.pk).exists()
        raise RuntimeError("boom")
    assert not SearchPending.objects.exists()
    assert _found(world.office, world, "占道经营") == [p.pk]
    assert _found(world.office, world, "杂物") == []


def test_suggestions_are_found_by_those_who_work_them_never_by_name(world):
    s = intake.submit_suggestion(world.campaign, channel=Channel.WEB, title="公交站台破损",
                                 text="候车亭玻璃碎了,请联系 13912345678", name="李秀英",
                                 phone="13912345678", rate_limited=False)  # fmt: skip
    services.flush()
    found = search_suggestions(world.operator, world.campaign, "候车亭")
    assert [f.suggestion.pk for f in found.found] == [s.pk]
    assert "13912345678" not in str(found.found[0].text)  # numbers masked in what is shown
    assert search_suggestions(world.operator, world.campaign, "李秀英").found == []
    for typed in (s.receipt_code, receipts.display(s.receipt_code), s.receipt_code.lower()):
        assert search_suggestions(world.operator, world.campaign, typed).total == 1, typed
    assert search_suggestions(world.handler_a1, world.campaign, "候车亭").found == []


def test_the_index_kept_by_the_services_equals_one_built_afresh(world):
    for i in range(5):
        p = record(world, title=f"第{i}处井盖缺失", description="雨天积水")
        ledger.add_measure(p, by=world.handler_a1, content=f"补装井盖{i}")
    services.flush()
    kept = _entries()
    services.rebuild()
    assert _entries() == kept and len(kept) == 5


def _entries():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT object_id, tsv::text FROM search_searchdocument "
                           "WHERE kind = 'problem'")  # fmt: skip
        else:
            cursor.execute("SELECT rowid, a || b || c || s FROM search_fts_problem")
        entries = dict(cursor.fetchall())
    assert len(entries) == engine.count("problem")
    return entries


def test_no_row_a_substring_scan_finds_is_missed(world):
    rng = random.Random(7)
    words = ["小区", "停车", "路灯", "供水", "噪音", "审批", "油烟", "井盖", "垃圾", "公交",
             "学校", "医院", "窗口", "暖气", "积水", "占道"]  # fmt: skip
    for i in range(60):
        title = "".join(rng.sample(words, 3))
        description = "群众反映" + "".join(rng.sample(words, 4)) + f"第{i}号"
        record(world, title=title, description=description)
    services.flush()
    problems = Problem.objects.filter(campaign=world.campaign)
    for typed in ["小区", "区停", "停车路", "水", "第1", "审批"]:
        scanned = {p.pk for p in problems if typed in p.title or typed in p.description}
        found = set()
        offset = 0
        while True:
            page = search_problems(world.office, world.campaign, typed, limit=50, offset=offset)
            found |= {f.problem.pk for f in page.found}
            if len(page.found) < 50:
                break
            offset += 50
        assert scanned <= found, typed
        assert scanned, typed


def test_the_box_and_the_list_search_every_field(world):
    p = record(world, title="路面坑洼", description="电动车夜间摔倒")
    client = Client()
    client.force_login(world.office)
    page = client.get(reverse("find", args=[world.campaign.slug]), {"q": "摔倒"}, follow=True)
    assert page.redirect_chain[-1][0].startswith(reverse("search", args=[world.campaign.slug]))
    assert p.number in page.content.decode() and "<mark>摔倒</mark>" in page.content.decode()
    listed = client.get(reverse("problem_list", args=[world.campaign.slug]), {"q": "摔倒"})
    assert p.number in listed.content.decode()
    none = client.get(reverse("problem_list", args=[world.campaign.slug]), {"q": "自来水"})
    assert p.number not in none.content.decode()


def test_the_shell_search_answers_as_a_user_or_for_the_whole_campaign(world):
    mine = record(world, title="河道垃圾堆积")
    record(world, title="河道护栏缺失", by=world.handler_b1, org=world.dept_b1)
    out = io.StringIO()
    call_command("search", "河道", campaign=world.campaign.slug, json=True, stdout=out)
    listing = json.loads(out.getvalue())
    assert listing["total"] == 2 and not listing["capped"]
    out = io.StringIO()
    call_command("search", "河道", user="leader_a", json=True, stdout=out)
    listing = json.loads(out.getvalue())
    assert [r["number"] for r in listing["results"]] == [mine.number]
    assert "<mark>河道</mark>" in listing["results"][0]["marked"]
    with pytest.raises(CommandError, match="找不到用户"):
        call_command("search", "河道", user="nobody-at-all")
    out = io.StringIO()
    call_command("search", rebuild=True, stdout=out)
    assert "problem 2" in out.getvalue()
