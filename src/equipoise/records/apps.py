from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "equipoise.records"
    label = "records"
    verbose_name = "Trial records"
