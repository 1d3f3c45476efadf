"""The count of 我的待办 in the nav, worked out at most once a minute per user."""

from typing import Any

from django import template
from django.core.cache import cache

from taizhang.todo.services import todo_count

register = template.Library()


@register.simple_tag
def todo_total(user: Any, campaign: Any) -> int:
    if not getattr(user, "is_authenticated", False) or campaign is None:
        return 0
    key = f"todo-count:{user.pk}:{campaign.pk}"
    count = cache.get(key)
    if count is None:
        count = todo_count(user, campaign)
        cache.set(key, count, timeout=60)
    return int(count)
