"""Tell people: the in-app inbox always, e-mail when they have an address, SMS when wanted."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from taizhang.notifications.models import Contact, Message
from taizhang.notifications.sms import send_sms


def notify(
    users: Iterable[Any],
    subject: str,
    body: str = "",
    link: str = "",
    *,
    email: bool = True,
    sms: bool = False,
) -> int:
    """One inbox line per user (and a mail, and a text); returns how many users were told.

    The inbox lines belong to the caller's transaction; the mail and the text go out only once
    it commits, so a step that rolls back tells nobody anything."""
    people = {u.pk: u for u in users if u is not None and u.is_active}
    if not people:
        return 0
    now = timezone.now()
    Message.objects.bulk_create(
        Message(user_id=pk, subject=subject[:200], body=body, link=link, created_at=now)
        for pk in people
    )
    if email:
        site = getattr(settings, "SITE_URL", "")
        text = f"{body}\n\n{site}{link}" if link else body
        mails = [(subject, text, None, [u.email]) for u in people.values() if u.email]
        if mails:
            transaction.on_commit(lambda: send_mass_mail(mails, fail_silently=True))
    if sms:
        numbers = list(
            Contact.objects.filter(user_id__in=people)
            .exclude(mobile="")
            .values_list("mobile", flat=True)
        )
        transaction.on_commit(lambda: send_sms(numbers, f"【台账】{subject}"))
    return len(people)


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
