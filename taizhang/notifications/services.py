"""Tell people: the in-app inbox always, e-mail when they have an address, SMS when wanted."""

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from taizhang.notifications.models import Contact, MailChoice, Message, SmsChoice
from taizhang.notifications.sms import send_sms


def notify(
    users: Iterable[Any], subject: str, body: str = "", link: str = "", *, urgent: bool = False
) -> int:
    """One inbox line per user, and a mail and a text as each user chose (通知方式); returns
    how many users were told. `urgent` marks what users who want texts "only when it matters"
    get one for: 督办, 挂牌督办, work flagged 紧急.

    The inbox lines belong to the caller's transaction; the mail and the text go out only once
    it commits, so a step that rolls back tells nobody anything."""
    people = {u.pk: u for u in users if u is not None and u.is_active}
    if not people:
        return 0
    choices = {c.user_id: c for c in Contact.objects.filter(user_id__in=people)}
    default = Contact()
    now = timezone.now()
    mail_now: list[Any] = []
    numbers: list[str] = []
    lines = []
    for pk, user in people.items():
        chosen = choices.get(pk, default)
        mailable = bool(user.email) and chosen.mail != MailChoice.NONE
        if mailable and chosen.mail == MailChoice.EACH:
            mail_now.append(user)
        if chosen.mobile and (
            chosen.sms == SmsChoice.EACH or (urgent and chosen.sms == SmsChoice.URGENT)
        ):
            numbers.append(chosen.mobile)
        digest = mailable and chosen.mail == MailChoice.DAILY
        lines.append(Message(user_id=pk, subject=subject[:200], body=body, link=link,
                             created_at=now, in_digest=digest))  # fmt: skip
    Message.objects.bulk_create(lines)
    if mail_now:
        text = f"{body}\n\n{_site()}{link}" if link else body
        mails = [(subject, text, None, [u.email]) for u in mail_now]
        transaction.on_commit(lambda: send_mass_mail(mails, fail_silently=True))
    if numbers:
        transaction.on_commit(lambda: send_sms(numbers, f"【台账】{subject}"))
    return len(people)


def send_digests(now: dt.datetime | None = None) -> int:
    """Each user who chose 每日摘要 gets one mail listing what came in since the last one;
    returns how many mails went out. Run each night by the daily task."""
    now = now or timezone.now()
    waiting = (
        Message.objects.filter(in_digest=True, created_at__lte=now)
        .select_related("user")
        .order_by("user_id", "created_at", "pk")
    )
    by_user: dict[int, list[Message]] = {}
    for message in waiting:
        by_user.setdefault(message.user_id, []).append(message)
    mails = []
    for lines in by_user.values():
        user = lines[0].user
        if not user.is_active or not user.email:
            continue
        listed = "\n".join(
            f"- {m.subject}" + (f"\n  {_site()}{m.link}" if m.link else "") for m in lines
        )
        subject = gettext("台账每日摘要:%(n)d 条新消息") % {"n": len(lines)}
        mails.append((subject, listed, None, [user.email]))
    with transaction.atomic():
        Message.objects.filter(pk__in=[m.pk for lines in by_user.values() for m in lines]).update(
            in_digest=False
        )
        if mails:
            transaction.on_commit(lambda: send_mass_mail(mails, fail_silently=True))
    return len(mails)


def digest_at_night(*, now: dt.datetime, **_signal: Any) -> int:
    return send_digests(now)


def _site() -> str:
    return str(getattr(settings, "SITE_URL", ""))


def notify_citizen(phone: str, text: str) -> int:
    """A citizen's update by SMS (the only channel we have for them), after commit."""
    if not phone:
        return 0
    transaction.on_commit(lambda: send_sms([phone], f"【台账】{text}"))
    return 1


def unread_count(user: Any) -> int:
    return Message.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(user: Any, ids: Sequence[int] | None = None) -> int:
    rows = Message.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return rows.update(read_at=timezone.now())
