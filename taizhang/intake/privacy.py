"""Citizens' names and phone numbers: validated, hashed for lookup, masked for display."""

import hashlib
import hmac
import re

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
