from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "equipoise.records"
    label = "records"
    verbose_name = "Trial records"

    def ready(self) -> None:
        # Connects the source data verification's reaction to every change of a form's values.
        from equipoise.records.actions import source_verification  # noqa: F401
