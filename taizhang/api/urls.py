from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from taizhang.api import meetings, projects, suggestions, supervision, triage, views

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    path("campaigns/<slug:slug>/problems/", views.ProblemList.as_view(), name="api_problems"),
    path("campaigns/<slug:slug>/stats/", views.CampaignStats.as_view(), name="api_stats"),
    path(
        "campaigns/<slug:slug>/suggestions/",
        suggestions.SuggestionList.as_view(),
        name="api_suggestions",
    ),
    path("suggestions/<int:pk>/", suggestions.SuggestionDetail.as_view(), name="api_suggestion"),
    path(
        "suggestions/<int:pk>/triage/",
        suggestions.SuggestionTriage.as_view(),
        name="api_suggestion_triage",
    ),
    path("suggestions/<int:pk>/hints/", triage.TriageHints.as_view(), name="api_suggestion_hints"),
    path(
        "suggestions/<int:pk>/route/", triage.SuggestionRoute.as_view(), name="api_suggestion_route"
    ),
    path("campaigns/<slug:slug>/topics/", triage.HotTopics.as_view(), name="api_topics"),
    path("campaigns/<slug:slug>/triage-runs/", triage.TriageRuns.as_view(), name="api_triage_runs"),
    path(
        "campaigns/<slug:slug>/triage-runs/<int:pk>/",
        triage.TriageRunDetail.as_view(),
        name="api_triage_run",
    ),
    path("campaigns/<slug:slug>/notices/", supervision.NoticeList.as_view(), name="api_notices"),
    path("problems/<int:pk>/notices/", supervision.NoticeIssue.as_view(), name="api_notice_issue"),
    path("notices/<int:pk>/reply/", supervision.NoticeReply.as_view(), name="api_notice_reply"),
    path(
        "campaigns/<slug:slug>/callbacks/", supervision.CallBackList.as_view(), name="api_callbacks"
    ),
    path("callbacks/<int:pk>/", supervision.CallBackRecord.as_view(), name="api_callback"),
    path(
        "campaigns/<slug:slug>/spot-checks/",
        supervision.SpotCheckDraw.as_view(),
        name="api_spot_checks",
    ),
    path(
        "spot-check-items/<int:pk>/",
        supervision.SpotCheckRecord.as_view(),
        name="api_spot_check_item",
    ),
    path("campaigns/<slug:slug>/ranking/", supervision.Ranking.as_view(), name="api_ranking"),
    path("campaigns/<slug:slug>/teams/", supervision.TeamList.as_view(), name="api_teams"),
    path("teams/<int:pk>/", supervision.TeamDetail.as_view(), name="api_team"),
    path("inbox/", supervision.Inbox.as_view(), name="api_inbox"),
    path("campaigns/<slug:slug>/meetings/", meetings.MeetingList.as_view(), name="api_meetings"),
    path("meetings/<int:pk>/void/", meetings.MeetingVoid.as_view(), name="api_meeting_void"),
    path("campaigns/<slug:slug>/members/", meetings.MemberList.as_view(), name="api_members"),
    path("campaigns/<slug:slug>/projects/", projects.ProjectList.as_view(), name="api_projects"),
    path(
        "campaigns/<slug:slug>/project-figures/",
        projects.ProjectFigures.as_view(),
        name="api_project_figures",
    ),
    path("projects/<int:pk>/", projects.ProjectDetail.as_view(), name="api_project"),
    path(
        "projects/<int:pk>/reports/",
        projects.ProjectReportCreate.as_view(),
        name="api_project_report",
    ),
    path("problems/<int:pk>/", views.ProblemDetail.as_view(), name="api_problem"),
    path("problems/<int:pk>/events/", views.ProblemEvents.as_view(), name="api_problem_events"),
    path(
        "problems/<int:pk>/transitions/",
        views.ProblemTransition.as_view(),
        name="api_problem_transition",
    ),
]
