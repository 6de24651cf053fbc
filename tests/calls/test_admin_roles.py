"""The admin offers each group the same actions and fields the API allows it."""

import pytest
from django.contrib.auth.models import Group

from calls.roles import OPERADOR, SOLO_LECTURA, SUPERVISOR
from tests.factories import EncuestaFactory, UserFactory

pytestmark = pytest.mark.django_db


def _staff(group: str):
    user = UserFactory(username=f"staff-{group}", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.mark.parametrize(
    ("group", "actions"),
    [
        (OPERADOR, {"retry_calls", "hangup_calls"}),
        (SUPERVISOR, {"export_csv", "retry_calls", "hangup_calls", "record_opt_out"}),
        (SOLO_LECTURA, set()),
    ],
)
def test_encuesta_actions_follow_the_explicit_permissions(client, group, actions):
    client.force_login(_staff(group))

    response = client.get("/admin/calls/encuesta/")

    assert response.status_code == 200
    form = response.context["action_form"]
    offered = {name for name, _label in form.fields["action"].choices if name} if form else set()
    assert offered == actions


@pytest.mark.parametrize(("group", "sees"), [(OPERADOR, False), (SUPERVISOR, True)])
def test_transcripts_in_the_admin_need_their_permission(client, group, sees):
    encuesta = EncuestaFactory(transcription="Cliente: mi DNI es 12345678Z")
    client.force_login(_staff(group))

    page = client.get(f"/admin/calls/encuesta/{encuesta.pk}/change/").content.decode()

    assert ("12345678Z" in page) is sees
