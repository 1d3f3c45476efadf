from django.urls import path

from taizhang.campaigns import views

urlpatterns = [
    path("login/", views.CampaignLogin.as_view(), name="login"),
]
