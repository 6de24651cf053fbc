"""The groups AgenteLocal ships, defined once: group name → "app_label.codename" permissions.

Migration `calls.0006_roles` creates them and `post_migrate` re-syncs them, so a permission of a
model added later only has to be added here. The sync only adds: permissions an administrator
grants by hand are kept.
"""

from typing import Any

OPERADOR = "Operador"
SUPERVISOR = "Supervisor"
SOLO_LECTURA = "Solo lectura"

_READ = (
    "calls.view_call",
    "calls.view_encuesta",
    "agents_app.view_voiceagent",
    "agents_app.view_surveyquestion",
    "calls.view_campaign",
    "calls.view_lead",
    "calls.view_encuestaanswer",
)

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    OPERADOR: (*_READ, "calls.place_call", "calls.hangup_call"),
    SUPERVISOR: (
        *_READ,
        "calls.place_call",
        "calls.hangup_call",
        "calls.view_transcript",
        "calls.export_encuesta",
        "calls.change_encuesta",
        "calls.change_call",
        "agents_app.add_voiceagent",
        "agents_app.change_voiceagent",
        "agents_app.delete_voiceagent",
        "agents_app.add_surveyquestion",
        "agents_app.change_surveyquestion",
        "agents_app.delete_surveyquestion",
        "telephony.view_telephonyconfig",
        "telephony.add_telephonyconfig",
        "telephony.change_telephonyconfig",
        "calls.view_donotcallentry",
        "calls.add_donotcallentry",
        "calls.change_donotcallentry",
        "calls.delete_donotcallentry",
        "calls.add_campaign",
        "calls.change_campaign",
        "calls.delete_campaign",
        "calls.add_lead",
        "calls.change_lead",
    ),
    SOLO_LECTURA: (*_READ, "telephony.view_telephonyconfig", "calls.view_donotcallentry"),
}


def roles_sync(*, group_model: Any, permission_model: Any) -> None:
    """Create the groups and grant each the permissions of the table that exist so far.

    Takes the models so the data migration can pass its historical ones.
    """
    for name, perms in ROLE_PERMISSIONS.items():
        group, _created = group_model.objects.get_or_create(name=name)
        wanted = {tuple(perm.split(".", 1)) for perm in perms}
        existing = permission_model.objects.filter(
            content_type__app_label__in={app for app, _codename in wanted},
            codename__in={codename for _app, codename in wanted},
        ).select_related("content_type")
        group.permissions.add(*[p for p in existing if (p.content_type.app_label, p.codename) in wanted])
