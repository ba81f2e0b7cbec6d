from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "equipoise.exports"
    label = "exports"
    verbose_name = "Data exports (ODM, Dataset-JSON, CSV, SAS XPORT)"
