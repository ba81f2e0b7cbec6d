from django.apps import AppConfig


class StatsDbConfig(AppConfig):
    name = "equipoise.stats_db"
    label = "stats_db"
    verbose_name = "Statistics from the trial database"
