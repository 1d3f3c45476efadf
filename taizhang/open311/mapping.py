"""How the campaign's suggestions read as Open311 GeoReport v2 service requests.

Services are the campaign's focus areas; a request's id is the suggestion's public number,
never its receipt code (the code is the citizen's key to the track and rate pages); a request
is "closed" once the citizen's matter is settled (answered, duplicate, not actionable, or every
problem made from it closed) and "open" before. Only what a citizen wrote on the web, not
marked 保密, is published; names and phone numbers never leave, nor numbers typed in the text.
"""

import datetime as dt
from typing import Any

from django.utils import timezone

from taizhang.campaigns.models import Campaign, FocusArea
from taizhang.intake.models import Channel, Suggestion, SuggestionStatus
from taizhang.intake.privacy import mask_numbers_in_text
from taizhang.ledger.models import Status

SETTLED = (SuggestionStatus.DUPLICATE, SuggestionStatus.INVALID, SuggestionStatus.ANSWERED)


def service(area: FocusArea, campaign: Campaign) -> dict[str, Any]:
    return {
        "service_code": str(area.pk),
        "service_name": area.name,
        "description": f"{campaign.name} · {area.name}",
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": campaign.name,
    }


def published(campaign: Campaign) -> Any:
    """The suggestions Open311 may show anyone: hotline calls, paper forms and confidential
    ones are the office's, not the public's."""
    return Suggestion.objects.filter(campaign=campaign, channel=Channel.WEB, confidential=False)


def public_id(s: Suggestion) -> str:
    return str(s.pk)


def is_closed(s: Suggestion) -> bool:
    if s.status in SETTLED:
        return True
    if s.status == SuggestionStatus.CONVERTED:
        problems = list(s.problems.all())
        return bool(problems) and all(p.status in (Status.CLOSED, Status.VOID) for p in problems)
    return False


def _w3(value: Any) -> str:
    """A w3 datetime; a deadline (a date) is due at the end of that day, local time."""
    if not value:
        return ""
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(23, 59, 59), timezone.get_current_timezone())
    return value.isoformat(timespec="seconds")


def request(s: Suggestion) -> dict[str, Any]:
    problems = list(s.problems.all())
    deadlines = [p.deadline for p in problems if p.deadline]
    latest_event = max((e.at for e in s.events.all()), default=s.submitted_at)
    lat, lon = _coordinates(s.address)
    return {
        "service_request_id": public_id(s),
        "status": "closed" if is_closed(s) else "open",
        "status_notes": s.answer,
        "service_name": s.focus_area.name if s.focus_area else "",
        "service_code": str(s.focus_area_id or ""),
        "description": mask_numbers_in_text(s.text),
        "agency_responsible": problems[0].org.name if problems else s.campaign.org.name,
        "service_notice": "",
        "requested_datetime": _w3(s.submitted_at),
        "updated_datetime": _w3(latest_event),
        "expected_datetime": _w3(max(deadlines)) if deadlines else "",
        "address": "" if lat is not None else s.address,
        "address_id": "",
        "zipcode": "",
        "lat": lat if lat is not None else "",
        "long": lon if lon is not None else "",
        "media_url": "",
    }


def _coordinates(address: str) -> tuple[float | None, float | None]:
    """An address recorded from lat/long reads 'lat,long'."""
    try:
        lat, lon = (float(part) for part in address.split(","))
    except ValueError:
        return None, None
    return lat, lon
