from django.urls import path

from taizhang.supervision import views

urlpatterns = [
    path("c/<slug:slug>/notices/", views.notice_list, name="notice_list"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("problems/<int:pk>/notices/", views.issue, name="notice_issue"),
    path("c/<slug:slug>/teams/", views.team_list, name="team_list"),
    path("c/<slug:slug>/spot-checks/", views.check_list, name="check_list"),
    path("spot-checks/<int:pk>/", views.check_detail, name="check_detail"),
]
