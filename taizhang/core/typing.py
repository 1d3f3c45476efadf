"""Types the views share."""

from django.contrib.auth.models import User
from django.http import HttpRequest


class AuthedRequest(HttpRequest):
    """The request of a view behind `login_required`: its user is a signed-in account."""

    user: User
