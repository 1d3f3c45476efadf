"""How a citizen reaches their own suggestion on the public pages: the receipt code (known only
to them and to the staff who recorded it; Open311 never publishes it) and, when they left a
phone number, its last four digits. Wrong guesses are counted per code and per address, and
past the limit every lookup from there is refused for an hour, right or wrong."""

import hmac
import logging

from django.utils.translation import gettext as _

from taizhang.campaigns.models import Campaign
from taizhang.core import receipts, throttle
from taizhang.intake import privacy
from taizhang.intake.models import Suggestion

log = logging.getLogger("taizhang.security")
WINDOW = 3600


class TooManyAttempts(Exception):
    def __init__(self) -> None:
        super().__init__(_("尝试次数过多:为保护群众信息,请一小时后再查询。"))


def _blocked(campaign: Campaign, code: str, ip: str) -> bool:
    per_code = int(campaign.rule("public_lookup_failures_per_code"))
    per_ip = int(campaign.rule("public_lookup_failures_per_address"))
    return (bool(code) and throttle.count(f"lookup-code:{code}", window=WINDOW) >= per_code) or (
        bool(ip) and throttle.count(f"lookup-ip:{ip}", window=WINDOW) >= per_ip
    )


def _failed(code: str, ip: str, why: str) -> None:
    if code:
        throttle.hit(f"lookup-code:{code}", window=WINDOW)
    if ip:
        throttle.hit(f"lookup-ip:{ip}", window=WINDOW)
    # Neither the code nor the address goes to the log: a keyed hash is enough to follow one.
    log.warning("public lookup refused (%s) from %s", why, privacy.ip_hash(ip)[:12])


def find_own(campaign: Campaign, typed_code: str, last4: str, ip: str) -> Suggestion | None:
    """The citizen's suggestion, or None; TooManyAttempts once the code or address is locked."""
    code = receipts.normalise(typed_code) or ""
    if _blocked(campaign, code, ip):
        log.warning("public lookup locked out from %s", privacy.ip_hash(ip)[:12])
        raise TooManyAttempts()
    if not code:
        _failed("", ip, "malformed code")
        return None
    suggestion = Suggestion.objects.filter(campaign=campaign, receipt_code=code).first()
    if suggestion is None:
        _failed(code, ip, "unknown code")
        return None
    typed = (last4 or "").strip()
    if suggestion.phone and not hmac.compare_digest(suggestion.phone[-4:], typed):
        _failed(code, ip, "wrong phone digits")
        return None
    return suggestion
