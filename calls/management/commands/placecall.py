from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from agents_app.models import VoiceAgent
from calls.services import call_request
from telephony.exceptions import TelephonyError


class Command(BaseCommand):
    help = "Pone en cola una llamada saliente con un agente de voz."

    def add_arguments(self, parser):
        parser.add_argument("--agent", required=True, help="Nombre o id del agente.")
        parser.add_argument("--phone", required=True, help="Número a llamar, p. ej. +34600111222.")
        parser.add_argument("--name", default="", help="Nombre del cliente.")

    def handle(self, *args, agent: str, phone: str, name: str, **options) -> None:
        lookup = Q(name=agent) | Q(pk=int(agent)) if agent.isdigit() else Q(name=agent)
        voice_agent = VoiceAgent.objects.filter(lookup).first()
        if voice_agent is None:
            raise CommandError(f"No existe el agente «{agent}».")
        try:
            call = call_request(agent=voice_agent, phone=phone, customer_name=name)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        except TelephonyError as exc:
            raise CommandError(str(exc)) from exc
        call.refresh_from_db()
        self.stdout.write(
            self.style.SUCCESS(
                f"Encuesta {call.encuesta_id}, llamada {call.pk} en la sala {call.room_name}: "
                f"{call.get_status_display()}"
            )
        )
