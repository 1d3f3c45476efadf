"""Citizens' names and phone numbers: validated, hashed for lookup, masked for display."""

import hashlib
import hmac
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from taizhang.core.text import mask_personal_data

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def clean_phone(raw: str) -> str:
    """'' for no phone; a normalised number; or a clear error."""
    phone = re.sub(r"[\s()()]", "", raw or "").replace("+86", "", 1)
    if not phone:
        return ""
    if MOBILE.match(phone) or LANDLINE.match(phone):
        return phone
    raise ValidationError(
        _("电话号码“%(p)s”格式不正确:请填写 11 位手机号或带区号的固话。") % {"p": raw}
    )


def phone_hash(phone: str) -> str:
    """A keyed hash: finds a caller's earlier suggestions without storing a searchable number."""
    if not phone:
        return ""
    key = (settings.SECRET_KEY + ":phone").encode()
    return hmac.new(key, phone.encode(), hashlib.sha256).hexdigest()


def ip_hash(ip: str) -> str:
    key = (settings.SECRET_KEY + ":ip").encode()
    return hmac.new(key, ip.encode(), hashlib.sha256).hexdigest()


def mask_phone(phone: str) -> str:
    if not phone:
        return ""
    if len(phone) <= 7:
        return phone[:2] + "*" * (len(phone) - 2)
    return phone[:3] + "****" + phone[-4:]


def mask_name(name: str) -> str:
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def mask_numbers_in_text(text: str) -> str:
    """Hide phone and ID numbers that a citizen typed into the text of a suggestion."""
    return mask_personal_data(text)


def privacy_notice(campaign: Any) -> str:
    """隐私告知: what the name and number are for, who sees them, how long they are kept, and
    how to ask to see or erase them — the campaign's own text, or this one from its rules."""
    own = (campaign.rule("privacy_notice") or "").strip()
    if own:
        return own
    days = campaign.rule("personal_data_days")
    kept = (
        _("事项办结 %(d)s 天后自动删除(只保留无法还原的号码摘要,用于统计反映人数)") % {"d": days}
        if days is not None
        else _("保存至活动办公室删除为止")
    )
    return _(
        "隐私告知:您留下的姓名和联系电话只用于办理和回访您反映的事项;只有承办单位、"
        "活动办公室和回访人员因办理需要可以查看,每次查看都有记录,其他人看到的是遮挡后的信息;"
        "%(kept)s。勾选“保密”后,承办单位也看不到您的姓名和电话。您可以随时向%(office)s"
        "活动办公室要求查询或删除您的个人信息。"
    ) % {"kept": kept, "office": campaign.org.name}
