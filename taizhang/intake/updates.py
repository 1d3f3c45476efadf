"""Text messages that keep a citizen who left a phone number informed, with the receipt code
(never the content: a text message is not a private channel)."""

from django.utils.translation import gettext as _

from taizhang.core.receipts import display
from taizhang.intake.models import Suggestion
from taizhang.ledger.models import Problem, Status
from taizhang.notifications.services import notify_citizen

ANSWERED = "answered"
CONVERTED = "converted"
CLOSED = "closed"


def tell_citizen(s: Suggestion, what: str) -> int:
    code = display(s.receipt_code)
    text = {
        ANSWERED: _("您的意见建议(回执码 %(c)s)已答复,可凭回执码查看答复并评价。"),
        CONVERTED: _("您的意见建议(回执码 %(c)s)已转交责任单位整改,可凭回执码查看进展。"),
        CLOSED: _("您反映的问题(回执码 %(c)s)已整改销号,欢迎凭回执码评价。"),
    }[what] % {"c": code}
    return notify_citizen(s.phone, text)


def tell_citizens_closed(problem: Problem) -> int:
    """When a problem closes, tell each citizen whose suggestion is now wholly settled."""
    told = 0
    for s in problem.suggestions.exclude(phone=""):
        if not s.problems.exclude(status=Status.CLOSED).exists():
            told += tell_citizen(s, CLOSED)
    return told
