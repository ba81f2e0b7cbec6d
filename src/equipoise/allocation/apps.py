from django.apps import AppConfig


class AllocationConfig(AppConfig):
    name = "equipoise.allocation"
    label = "allocation"
    verbose_name = "Randomization and allocation"

    def ready(self) -> None:
        # Registered here (not at import) so pure imports of the package stay Django-free. Not
        # tagged `database`: Django skips those on `check` and `runserver`, and this one must run.
        from django.core import checks

        from equipoise.allocation.checks import stored_lists_check

        checks.register(stored_lists_check, "randomization")
