from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"

    def ready(self) -> None:
        from django.urls import register_converter

        from apps.core.converters import IdConverter

        # ``<id:pk>`` in every URL pattern: ids in ASCII digits that fit the database.
        register_converter(IdConverter, "id")

        from django.core.signals import request_finished

        from apps.core.logs import request_context_clear

        request_finished.connect(request_context_clear, dispatch_uid="kip-log-context")
