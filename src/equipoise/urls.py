from django.urls import include, path

urlpatterns = [
    path("", include("equipoise.web.urls")),
]
