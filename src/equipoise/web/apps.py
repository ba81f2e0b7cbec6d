from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "equipoise.web"
    label = "web"
