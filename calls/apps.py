from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "calls"
    verbose_name = _("Llamadas y encuestas")

    def ready(self) -> None:
        from calls.signals import roles_sync_after_migrate

        post_migrate.connect(roles_sync_after_migrate, dispatch_uid="calls.roles_sync")
