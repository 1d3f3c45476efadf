from django.contrib.auth import views as auth_views
from django.urls import path

from taizhang.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("large-type/", views.large_type, name="large_type"),
]
