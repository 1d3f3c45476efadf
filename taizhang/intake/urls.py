from django.urls import path

from taizhang.intake import views

urlpatterns = [
    path("s/<slug:slug>/", views.public_submit, name="public_submit"),
    path("s/<slug:slug>/receipt/", views.public_receipt, name="public_receipt"),
    path("s/<slug:slug>/track/", views.public_track, name="public_track"),
    path("s/<slug:slug>/rate/", views.public_rate, name="public_rate"),
    path("c/<slug:slug>/suggestions/", views.queue, name="suggestion_queue"),
    path("c/<slug:slug>/suggestions/answer/", views.answer_picked, name="suggestion_answer_picked"),
    path("c/<slug:slug>/answer-templates/", views.answer_templates, name="answer_templates"),
    path("c/<slug:slug>/find/", views.find, name="find"),
    path("c/<slug:slug>/personal-data/", views.personal_data, name="personal_data"),
    path("c/<slug:slug>/suggestions/new/", views.staff_entry, name="suggestion_entry"),
    path("suggestions/<int:pk>/", views.detail, name="suggestion_detail"),
    path("suggestions/<int:pk>/contact/", views.contact_number, name="suggestion_contact_number"),
    path("suggestions/<int:pk>/photos/<int:photo_id>/", views.photo, name="suggestion_photo"),
    path("suggestions/<int:pk>/triage/", views.triage, name="suggestion_triage"),
]
