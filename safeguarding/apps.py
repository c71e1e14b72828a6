from django.apps import AppConfig


class SafeguardingConfig(AppConfig):
    """The project package as an app: audit signal receivers, the two-factor templates."""

    name = "safeguarding"
    verbose_name = "Service"

    def ready(self):
        from . import audit, second_factor

        audit.connect_axes()
        second_factor.connect()
