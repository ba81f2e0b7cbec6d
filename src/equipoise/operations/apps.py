from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "equipoise.operations"
    label = "operations"
    verbose_name = "Operations"
