from django.urls import path

from taizhang.api import pages

urlpatterns = [
    path("account/tokens/", pages.token_list, name="token_list"),
    path("account/tokens/<int:pk>/revoke/", pages.token_revoke, name="token_revoke"),
]
