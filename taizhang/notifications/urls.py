from django.urls import path

from taizhang.notifications import views

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/", views.open_message, name="inbox_open"),
    path("inbox/read/", views.read_all, name="inbox_read_all"),
    path("inbox/settings/", views.settings_page, name="inbox_settings"),
]
