from django.urls import path

from taizhang.reports import views

urlpatterns = [
    path("c/<slug:slug>/", views.campaign_overview, name="campaign_overview"),
    path("c/<slug:slug>/brief/", views.brief, name="brief"),
    path("c/<slug:slug>/ranking/", views.ranking_page, name="ranking"),
]
