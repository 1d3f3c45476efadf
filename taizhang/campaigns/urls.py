from django.urls import path

from taizhang.campaigns import views

urlpatterns = [
    path("login/", views.CampaignLogin.as_view(), name="login"),
    path("account/second-factor/", views.second_factor_page, name="second_factor"),
    path("c/<slug:slug>/units/", views.units, name="campaign_units"),
]
