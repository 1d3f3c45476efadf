"""Citizens' personal data as the law asks: encrypted at rest with a key outside the database,
erased after the campaign's retention period without moving a figure, seen or erased at the
citizen's request with a record, and a privacy notice where they give it."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from taizhang.audit.models import AuditEntry, AuditKind
from taizhang.core import crypto
from taizhang.evaluation.retention import erase_expired
from taizhang.intake import services as intake
from taizhang.intake.models import Channel, PersonalDataRequest, Suggestion
from taizhang.intake.privacy import phone_hash
from taizhang.notifications.models import Contact
from taizhang.reports.stats import campaign_stats

PHONE = "13800000001"


def _submit(world, title="路灯坏了", phone=PHONE, name="张三"):
    return intake.submit_suggestion(world.campaign, channel=Channel.HOTLINE, title=title,
                                    text="小区路灯坏了一个月", phone=phone, name=name,
                                    rate_limited=False)  # fmt: skip


def _stored(pk: int) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, phone FROM intake_suggestion WHERE id = %s", [pk])
        return cursor.fetchone()


def test_names_and_numbers_are_stored_encrypted_and_read_in_the_clear(world):
    s = _submit(world)
    name, phone = _stored(s.pk)
    assert name.startswith("enc1:a:") and phone.startswith("enc1:a:")
    assert PHONE not in phone and "张三" not in name
    again = Suggestion.objects.get(pk=s.pk)
    assert (again.name, again.phone) == ("张三", PHONE)
    assert Suggestion.objects.values_list("phone", flat=True).get(pk=s.pk) == PHONE
    # Found by the keyed hash as before, and those without a number still by "".
    assert Suggestion.objects.filter(phone_hash=phone_hash(PHONE)).get() == again
    nameless = _submit(world, title="匿名", phone="", name="")
    assert _stored(nameless.pk) == ("", "")
    assert Suggestion.objects.filter(phone="").get() == nameless
    contact = Contact.objects.create(user=world.handler_a1, mobile="13900000002")
    with connection.cursor() as cursor:
        cursor.execute("SELECT mobile FROM notifications_contact WHERE id = %s", [contact.pk])
        assert cursor.fetchone()[0].startswith("enc1:")


def test_sm4_where_a_miping_asks_and_a_wrong_key_or_a_changed_value_is_told(world):
    with override_settings(DATA_CIPHER="sm4-gcm"):
        s = _submit(world)
    assert _stored(s.pk)[1].startswith("enc1:s:")
    assert Suggestion.objects.get(pk=s.pk).phone == PHONE  # read back whatever the setting
    stored = _stored(s.pk)[1]
    tampered = stored[:-4] + ("AAAA" if not stored.endswith("AAAA") else "BBBB")
    with pytest.raises(crypto.DecryptionError, match="changed"):
        crypto.decrypt(tampered)
    other = "A" * 43 + "="
    with override_settings(DATA_KEY=other), pytest.raises(crypto.DecryptionError,
                                                          match="data key"):  # fmt: skip
        crypto.decrypt(stored)


def test_the_nightly_run_erases_what_is_past_its_retention_and_no_figure_moves(world):
    old, received, converted = (
        _submit(world, "旧的"),
        _submit(world, "未办"),
        _submit(world, "转办"),
    )
    intake.answer_suggestion(old, by=world.office, version=old.version, text="已处理")
    problem = intake.convert_to_problem(converted, by=world.office, version=converted.version,
                                        org=world.dept_a1, focus_area=world.area,
                                        kind="deadline")  # fmt: skip
    long_ago = timezone.now() - dt.timedelta(days=400)
    Suggestion.objects.update(submitted_at=long_ago, answered_at=long_ago)
    before = campaign_stats(world.campaign)
    assert erase_expired(now=timezone.now()) == 1  # the answered one only
    assert _stored(old.pk) == ("", "") and Suggestion.objects.get(pk=old.pk).phone_hash
    assert Suggestion.objects.get(pk=received.pk).phone == PHONE  # still being handled
    assert Suggestion.objects.get(pk=converted.pk).phone == PHONE  # its problem is open
    assert campaign_stats(world.campaign) == before
    entry = AuditEntry.objects.filter(kind=AuditKind.PERSONAL).latest("pk")
    assert "按保存期限(365 天)删除 1 条" in entry.summary
    world.campaign.rules = {**world.campaign.rules, "personal_data_days": None}
    world.campaign.save()
    assert problem.pk and erase_expired(now=timezone.now()) == 0  # kept until the office erases


def test_a_citizen_asks_to_see_and_then_to_erase_their_data(world):
    first, second = _submit(world, "路灯"), _submit(world, "噪音")
    _submit(world, "别人的", phone="13900000009", name="李四")
    office = Client()
    office.force_login(world.office)
    url = reverse("personal_data", args=[world.campaign.slug])
    page = office.get(url, {"phone": PHONE}).content.decode()
    assert "张三" in page and PHONE in page and "李四" not in page
    assert AuditEntry.objects.filter(kind=AuditKind.PERSONAL, summary__contains="办理本人信息请求"
                                     ).count() == 2  # fmt: skip
    missing_note = office.post(url, {"phone": PHONE, "kind": "erase", "note": ""})
    assert missing_note.status_code == 400 and "请写明请求的内容" in missing_note.content.decode()
    copy = office.post(url, {"phone": PHONE, "kind": "see", "note": "本人来访,核对身份证"})
    sheet = load_workbook(io.BytesIO(b"".join(copy.streaming_content))).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "张三" in values and PHONE in values and "李四" not in values
    erased = office.post(url, {"codes": f"{first.receipt_code} {second.receipt_code}",
                               "kind": "erase", "note": "本人要求删除电话"})  # fmt: skip
    assert erased.status_code == 302
    assert _stored(first.pk) == ("", "") == _stored(second.pk)
    assert Suggestion.objects.get(pk=first.pk).phone_hash == phone_hash(PHONE)
    assert list(PersonalDataRequest.objects.values_list("kind", "count")) == [
        ("erase", 2),
        ("see", 2),
    ]
    handler = Client()
    handler.force_login(world.handler_a1)
    assert handler.get(url).status_code == 403


def test_the_privacy_notice_is_on_the_public_form_and_the_hotline_script(world, client):
    public = client.get(reverse("public_submit", args=[world.campaign.slug])).content.decode()
    notice = public.split('id="privacy-notice"')[1].split("</p>")[0]
    assert "只用于办理和回访" in notice and "365 天后自动删除" in notice and "查询或删除" in notice
    office = Client()
    office.force_login(world.office)
    entry = office.get(reverse("suggestion_entry", args=[world.campaign.slug])).content.decode()
    assert "请向来电群众告知" in entry and "365 天后自动删除" in entry
    world.campaign.rules = {**world.campaign.rules, "privacy_notice": "本市隐私政策:……"}
    world.campaign.save()
    public = client.get(reverse("public_submit", args=[world.campaign.slug])).content.decode()
    assert "本市隐私政策" in public
