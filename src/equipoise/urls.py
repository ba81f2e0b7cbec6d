from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("equipoise.api.urls")),
    path("", include("equipoise.operations.urls")),
    path("treatment/", include("equipoise.treatment.urls")),
    path("stats/", include("equipoise.stats_db.urls")),
    path("exports/", include("equipoise.exports.urls")),
    path("", include("equipoise.people.urls")),
    path("", include("equipoise.web.urls")),
    path("", include("equipoise.allocation.urls")),
]
