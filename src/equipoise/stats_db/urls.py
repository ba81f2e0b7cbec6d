from django.urls import path

from equipoise.stats_db import views

urlpatterns = [
    path("", views.index, name="stats"),
    path("report/", views.report_page, name="stats-report"),
    path("report.json", views.report_json, name="stats-report-json"),
    path("consort.svg", views.consort_svg, name="stats-consort-svg"),
    path("consort.png", views.consort_png, name="stats-consort-png"),
    path("table1/", views.table1_page, name="stats-table1"),
    path("recruitment.svg", views.recruitment_svg, name="stats-recruitment"),
    path("dsmb.pdf", views.dsmb_pdf, name="stats-dsmb"),
    path("dataset.json", views.dataset_json, name="stats-dataset"),
]
