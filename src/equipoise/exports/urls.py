from django.urls import path

from equipoise.exports import views

urlpatterns = [
    path("", views.index, name="exports"),
    path("download/", views.download, name="exports-download"),
]
