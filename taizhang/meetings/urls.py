from django.urls import path

from taizhang.meetings import views

urlpatterns = [
    path("c/<slug:slug>/study/", views.study_overview, name="study_overview"),
    path("c/<slug:slug>/meetings/", views.meeting_list, name="meeting_list"),
    path("c/<slug:slug>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("c/<slug:slug>/members/", views.members, name="members"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
]
