from django.urls import path

from taizhang.reports import verdict_views, views

urlpatterns = [
    path("c/<slug:slug>/", views.campaign_overview, name="campaign_overview"),
    path("c/<slug:slug>/brief/", views.brief, name="brief"),
    path("c/<slug:slug>/figures-then/", views.figures_then, name="figures_then"),
    path("c/<slug:slug>/ranking/", views.ranking_page, name="ranking"),
    path("c/<slug:slug>/handling/", views.handling_page, name="handling"),
    path("c/<slug:slug>/handling/rows/", views.handling_rows, name="handling_rows"),
    path("c/<slug:slug>/verdict/", verdict_views.verdict_page, name="verdict"),
    path("c/<slug:slug>/figures/rows/", verdict_views.figure_rows, name="figure_rows"),
]
