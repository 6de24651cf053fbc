"""What the voice worker stores on a survey, as the Encuesta admin shows it."""

import pytest
from django.contrib.auth.models import Group

from calls.roles import OPERADOR, SUPERVISOR
from tests.factories import EncuestaFactory, UserFactory

pytestmark = pytest.mark.django_db


def _staff(group: str):
    user = UserFactory(username=f"staff-{group}", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.mark.parametrize(("group", "sees_summary"), [(OPERADOR, False), (SUPERVISOR, True)])
def test_the_call_outcome_is_shown_and_the_summary_needs_the_transcript_permission(
    client, group, sees_summary
):
    encuesta = EncuestaFactory(
        summary="Se queja del técnico; DNI 12345678Z",
        flags={"complaint": True},
        amd_category="human",
        close_reason="survey finished",
        stt_seconds=42.5,
        tts_characters=812,
    )
    client.force_login(_staff(group))

    page = client.get(f"/admin/calls/encuesta/{encuesta.pk}/change/").content.decode()

    assert "survey finished" in page and "812" in page and "human" in page
    assert ("12345678Z" in page) is sees_summary
