from django.apps import AppConfig


class TreatmentConfig(AppConfig):
    name = "equipoise.treatment"
    label = "treatment"
    verbose_name = "Treatment and safety"

    def ready(self) -> None:
        # Registers the pregnancy-test reaction run by every save of that form.
        from equipoise.treatment.actions import pregnancy_reports  # noqa: F401
