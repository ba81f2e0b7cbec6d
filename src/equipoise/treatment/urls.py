from django.urls import path

from equipoise.treatment import views

SUBJECT = "subjects/<str:code>/"

urlpatterns = [
    path("worklist/", views.worklist, name="treatment-worklist"),
    path("safety/", views.dashboard, name="safety-dashboard"),
    path(SUBJECT, views.subject_treatment, name="subject-treatment"),
    path(SUBJECT + "safety/", views.subject_safety, name="subject-safety"),
    path(SUBJECT + "safety/report/", views.report_event, name="adverse-event-report"),
    path(SUBJECT + "safety/pregnancy/<int:pk>/close/", views.close_pregnancy, name="pregnancy-follow-up-close"),
    path(SUBJECT + "safety/pregnancy-reports/<int:pk>/<slug:action>/", views.pregnancy_report_action,
         name="pregnancy-report-action"),
    path(SUBJECT + "<slug:action>/", views.subject_action, name="subject-treatment-action"),
    path(SUBJECT + "<slug:action>/<int:pk>/", views.subject_action, name="subject-treatment-action-on"),
    path("adverse-events/<int:pk>/", views.adverse_event, name="adverse-event"),
    path("adverse-events/<int:pk>/<slug:action>/", views.adverse_event_action, name="adverse-event-action"),
]
