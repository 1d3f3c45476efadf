from django.urls import path

from taizhang.reports import views

urlpatterns = [
    path("c/<slug:slug>/", views.campaign_overview, name="campaign_overview"),
    path("c/<slug:slug>/brief/", views.brief, name="brief"),
]
