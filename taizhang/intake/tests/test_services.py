import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from taizhang.intake import services
from taizhang.intake.models import Channel, Suggestion, SuggestionStatus
from taizhang.ledger.errors import ConflictError
from taizhang.ledger.models import Source, Status
from taizhang.testing import close

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def submit(world, **kwargs):
    values = {"channel": Channel.WEB, "title": "小区路灯不亮", "text": "东关小区路灯坏了一个月"}
    values.update(kwargs)
    return services.submit_suggestion(world.campaign, **values)


def test_citizen_submits_with_photo_and_gets_a_code(world):
    s = submit(world, phone="138 1234 5678", name="张三", photos=[(io.BytesIO(PNG), "a.png")])
    assert len(s.receipt_code) == 11 and s.status == SuggestionStatus.RECEIVED
    assert s.phone == "13812345678" and s.phone_hash and s.photos.count() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": " "}, "请填写标题"),
        ({"text": "长" * 4001}, "最多 4000 个字"),
        ({"text": "含有\x07控制字符"}, "控制字符"),
        ({"phone": "12345"}, "格式不正确"),
        ({"photos": [(io.BytesIO(b"MZ" + b"\x00" * 50), "cat.jpg")]}, "改了扩展名"),
        ({"photos": [(io.BytesIO(PNG), "doc.pdf")]}, "不是照片"),
    ],
)
def test_bad_input_is_refused_and_nothing_stored(world, fields, message):
    with pytest.raises(ValidationError, match=message):
        submit(world, **fields)
    assert not Suggestion.objects.exists()


def test_rate_limits_per_address_and_phone(world):
    world.campaign.rules = {"intake_limit_per_10min": 2}
    world.campaign.save(update_fields=["rules"])
    submit(world, ip="10.0.0.1")
    submit(world, ip="10.0.0.1")
    with pytest.raises(ValidationError, match="过于频繁"):
        submit(world, ip="10.0.0.1")
    submit(world, ip="10.0.0.2", phone="13812345678")
    submit(world, ip="10.0.0.3", phone="13812345678")
    with pytest.raises(ValidationError, match="电话号码提交过于频繁"):
        submit(world, ip="10.0.0.4", phone="13812345678")
    # Staff entering a batch of paper forms are not rate-limited.
    for _ in range(3):
        submit(world, by=world.operator, channel=Channel.BOX)


def test_only_office_triages_and_stale_versions_conflict(world):
    s = submit(world)
    with pytest.raises(PermissionDenied):
        services.answer_suggestion(s, by=world.operator, version=s.version, text="答复")
    with pytest.raises(ConflictError):
        services.answer_suggestion(s, by=world.office, version=s.version + 1, text="答复")
    services.answer_suggestion(s, by=world.office, version=s.version, text="已安排维修")
    with pytest.raises(ValidationError, match="已处理"):
        services.mark_invalid(s, by=world.office, version=s.version, reason="x")


def test_duplicates_point_to_the_first_and_keep_every_source(world):
    first, second, third = submit(world), submit(world, channel=Channel.HOTLINE), submit(world)
    services.mark_duplicate(second, by=world.office, version=second.version, of=first)
    services.mark_duplicate(third, by=world.office, version=third.version, of=second)
    assert third.duplicate_of == first
    assert set(first.duplicates.values_list("channel", flat=True)) == {"web", "hotline"}


def test_convert_to_problem_then_rating_unsatisfied_reopens_it(world):
    s = submit(world, phone="13812345678")
    problem = services.convert_to_problem(
        s,
        by=world.office,
        version=s.version,
        org=world.dept_a1,
        focus_area=world.area2,
        kind="immediate",
    )
    assert problem.source == Source.SUGGESTION and problem.status == Status.ASSIGNED
    assert list(problem.suggestions.all()) == [s]
    assert not services.can_rate(s)  # nothing to grade until the problem is closed
    from taizhang.ledger import services as ledger

    ledger.sign_problem(problem, by=world.handler_a1, version=problem.version)
    close(world, problem)
    s.refresh_from_db()
    assert services.can_rate(s)
    services.rate_suggestion(s, rating=2, comment="路灯还是不亮")
    problem.refresh_from_db()
    assert problem.status == Status.RECTIFYING
    assert problem.events.last().reason.startswith("群众评价“不满意”")
    with pytest.raises(ValidationError, match="还不能评价"):
        services.rate_suggestion(s, rating=5)


def test_satisfied_rating_keeps_it_closed_and_rule_can_turn_reopening_off(world):
    s = submit(world)
    services.answer_suggestion(s, by=world.office, version=s.version, text="已解释")
    services.rate_suggestion(s, rating=4)
    assert s.status == SuggestionStatus.ANSWERED
    world.campaign.rules = {"unsatisfied_reopens": False}
    world.campaign.save(update_fields=["rules"])
    other = submit(world)
    services.answer_suggestion(other, by=world.office, version=other.version, text="已解释")
    other = Suggestion.objects.select_related("campaign").get(pk=other.pk)
    services.rate_suggestion(other, rating=1)
    assert other.status == SuggestionStatus.ANSWERED


def test_distinct_citizens_count_phones_once(world):
    first = submit(world, phone="13812345678")
    for phone in ("13812345678", "13912345678", ""):
        dup = submit(world, phone=phone, by=world.operator, channel=Channel.HOTLINE)
        services.mark_duplicate(dup, by=world.office, version=dup.version, of=first)
    assert services.distinct_citizens(first) == 3


def test_a_colliding_receipt_code_is_drawn_again(world, monkeypatch):
    codes = iter(["AAAAAAAAAA", "AAAAAAAAAA", "BBBBBBBBBB"])
    monkeypatch.setattr(services.receipts, "new_code", lambda: next(codes))
    first, second = submit(world), submit(world)
    assert (first.receipt_code, second.receipt_code) == ("AAAAAAAAAA", "BBBBBBBBBB")
    assert second.events.count() == 1


def test_a_submission_without_photos_is_stored_whole_with_its_history(world):
    """PostgreSQL stores it in one statement (core.bulk.insert_with_child), SQLite in a
    transaction of its own: either way the same row and its first history entry."""
    s = submit(world, by=world.operator, channel=Channel.HOTLINE, phone="13812345678", name="张三")
    stored = Suggestion.objects.get(pk=s.pk)
    for field in ("receipt_code", "title", "text", "phone", "name", "phone_hash", "status"):
        assert getattr(stored, field) == getattr(s, field)
    assert stored.recorded_by == world.operator and stored.submitted_at == s.submitted_at
    (event,) = stored.events.all()
    assert (event.actor, event.action, event.to_status) == (world.operator, "submit", s.status)
    assert not s._state.adding and s.events.get() == event
