from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "equipoise.people"
    label = "people"
    verbose_name = "Sites, accounts and signatures"

    def ready(self) -> None:
        # Connect the signal receivers: login/logout tracking, signature invalidation on a change.
        from equipoise.people import session_tracking  # noqa: F401
        from equipoise.people.actions import signatures  # noqa: F401
