from django.contrib.auth.decorators import login_required
from django.urls import path

from taizhang.audit import views

urlpatterns = [
    path("audit/", views.audit_log, name="audit_log"),
    path(
        "account/password/",
        login_required(views.PasswordChange.as_view()),
        name="password_change",
    ),
]
