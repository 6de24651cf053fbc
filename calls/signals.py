from typing import Any

from django.contrib.auth.models import Group, Permission

from calls.roles import roles_sync


def roles_sync_after_migrate(**kwargs: Any) -> None:
    """Runs after each app's migrations, so permissions of apps migrated later join their groups."""
    roles_sync(group_model=Group, permission_model=Permission)
