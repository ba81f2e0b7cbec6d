from django.apps import AppConfig


class TreatmentConfig(AppConfig):
    name = "equipoise.treatment"
    label = "treatment"
    verbose_name = "Treatment and safety"
