from django.urls import path

from equipoise.allocation import views

urlpatterns = [
    path("subjects/<str:code>/randomize/", views.randomize, name="randomize"),
    path("subjects/<str:code>/unblind/", views.unblind, name="unblind"),
    path("randomization/", views.list_status, name="randomization-status"),
    path("randomization/list/", views.list_slots, name="randomization-list"),
    path("randomization/balance/", views.balance_page, name="randomization-balance"),
]
