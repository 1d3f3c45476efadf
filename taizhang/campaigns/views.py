from typing import Any

from django.contrib.auth.views import LoginView
from django.utils import timezone

from taizhang.campaigns.models import Campaign


class CampaignLogin(LoginView):
    """The login page names the product and the campaigns running now (their names are on
    the public pages too), so that a user knows where they are signing in."""

    template_name = "core/login.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        today = timezone.localdate()
        running = Campaign.objects.filter(starts_on__lte=today, ends_on__gte=today)
        return {
            **super().get_context_data(**kwargs),
            "campaigns": running.select_related("org").order_by("org__path", "name")[:5],
        }
