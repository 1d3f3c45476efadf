from django.urls import path

from taizhang.workdays import views

urlpatterns = [path("calendar/", views.calendar_page, name="calendar")]
