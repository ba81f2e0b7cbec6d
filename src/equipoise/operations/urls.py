from django.urls import path

from equipoise.operations.health import health

urlpatterns = [path("health/", health, name="health")]
