from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from agents_app.agent_templates import TEMPLATES
from agents_app.models import VoiceAgent
from agents_app.services import voice_agent_create_from_template


class Command(BaseCommand):
    help = "Crea un agente de voz desde una plantilla (calidad, nps, recordatorio_cita)."

    def add_arguments(self, parser):
        parser.add_argument("template", nargs="?", default="calidad", choices=sorted(TEMPLATES))
        parser.add_argument(
            "--name", default=None, help="Nombre del agente (por defecto, el de la plantilla)."
        )
        parser.add_argument(
            "--if-missing", action="store_true", help="No hace nada si ya existe un agente con ese nombre."
        )

    def handle(self, *args, template: str, name: str | None, if_missing: bool, **options) -> None:
        name = name or TEMPLATES[template].name
        if if_missing and VoiceAgent.objects.filter(name=name).exists():
            self.stdout.write(f"El agente «{name}» ya existe.")
            return
        try:
            agent = voice_agent_create_from_template(template_key=template, name=name)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"Agente «{agent.name}» creado (id {agent.pk})."))
