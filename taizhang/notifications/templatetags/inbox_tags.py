from django import template

from taizhang.notifications.services import unread_count

register = template.Library()


@register.simple_tag
def unread(user: object) -> int:
    return unread_count(user) if getattr(user, "is_authenticated", False) else 0
