"""python manage.py runvoiceworker [start|dev|console] [--agent-name NAME]

Runs the LiveKit voice worker for one dispatch name. An AgentServer registers a single agent
name, so agents with different VoiceAgent.dispatch_name values need one worker each.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import cast

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Field
from django.utils.translation import gettext as _
from livekit.agents import cli

from agents_app.models import VoiceAgent
from agents_app.validation import dispatch_name_problems
from voiceworker import persistence, worker
from voiceworker.checks import check_configuration
from voiceworker.metadata import MetadataError
from voiceworker.providers import PipelineSpec

MODES = ("start", "dev", "console")


@contextlib.contextmanager
def _argv(argv: list[str]) -> Iterator[None]:
    # the livekit CLI parses sys.argv itself
    saved = sys.argv
    sys.argv = argv
    try:
        yield
    finally:
        sys.argv = saved


def _default_spec() -> PipelineSpec:
    """What a new agent would use: checked when no active agent uses this dispatch name yet."""
    default = {
        name: cast(Field, VoiceAgent._meta.get_field(name)).get_default()
        for name in ("language", "stt_model", "llm_model", "tts_model", "voice_id")
    }
    return PipelineSpec(label=_("valores por defecto"), **default)


class Command(BaseCommand):
    # plain text, like the other commands: argparse cannot format a lazy translation
    help = (
        "Arranca el voice worker de LiveKit que atiende las llamadas de encuesta "
        "(modos: start, dev, console)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("mode", nargs="?", default="start", choices=MODES)
        parser.add_argument(
            "--agent-name",
            default=None,
            help=_("Nombre de despacho que atiende este worker (por defecto, LIVEKIT_AGENT_NAME)."),
        )
        parser.add_argument(
            "--encuesta",
            type=int,
            default=None,
            help=_("Solo en console: id de la encuesta que se simula (escribe en la base de datos)."),
        )
        parser.add_argument("--text", action="store_true", help=_("Solo en console: modo texto, sin audio."))
        parser.add_argument(
            "--log-level", default=None, help=_("Nivel de log del worker (DEBUG, INFO, ...).")
        )
        parser.add_argument(
            "--port",
            type=int,
            default=None,
            help=_(
                "Puerto del servidor de salud del worker (por defecto 8081 en start; 0: uno libre). "
                "Cada worker de la misma máquina necesita el suyo."
            ),
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help=_("Solo comprueba la configuración y sale, sin arrancar el worker."),
        )

    def handle(self, *args, **options) -> None:
        mode: str = options["mode"]
        agent_name: str = options["agent_name"] or settings.LIVEKIT_AGENT_NAME
        if not agent_name:
            raise CommandError(_("No hay nombre de despacho: usa --agent-name o LIVEKIT_AGENT_NAME."))
        if override := os.environ.get("LIVEKIT_AGENT_NAME_OVERRIDE"):
            self.stderr.write(
                self.style.WARNING(
                    _("LIVEKIT_AGENT_NAME_OVERRIDE=%(name)s sustituye a «%(agent)s» al registrarse.")
                    % {"name": override, "agent": agent_name}
                )
            )

        self._report_dispatch_names(agent_name)
        specs = persistence.pipeline_specs(agent_name) or [_default_spec()]
        problems = dispatch_name_problems(agent_name)
        problems += check_configuration(specs, require_livekit=mode != "console")
        if problems:
            raise CommandError(
                _("La configuración del voice worker está incompleta:")
                + "".join(f"\n  - {problem}" for problem in problems)
            )
        self.stdout.write(self.style.SUCCESS(_("Configuración correcta.")))
        if options["check"]:
            return

        argv = [sys.argv[0] or "manage.py", mode]
        if options["log_level"]:
            argv += ["--log-level", options["log_level"]]
        if mode == "console":
            argv += self._console_arguments(options)
        elif options["encuesta"] is not None or options["text"]:
            raise CommandError(_("--encuesta y --text solo sirven con console."))

        server = worker.build_server(agent_name=agent_name, port=options["port"])
        self.stdout.write(_("Voice worker «%(name)s» en modo %(mode)s.") % {"name": agent_name, "mode": mode})
        worker.leave_logging_to_livekit()
        try:
            with _argv(argv):
                cli.run_app(server)
        except SystemExit as exc:
            if exc.code not in (None, 0):
                raise CommandError(
                    _("El voice worker terminó con código %(code)s.") % {"code": exc.code}
                ) from exc
        # the library logs a failed run and exits 0; the server remembers why it stopped
        if server.failure is not None:
            raise CommandError(
                _("El voice worker se detuvo por un error: %(error)s") % {"error": server.failure}
            )
        if getattr(server, "_connection_failed", False):
            raise CommandError(_("El voice worker no pudo conectar con LiveKit."))

    def _report_dispatch_names(self, served: str) -> None:
        names = persistence.active_dispatch_names()
        if not names:
            self.stderr.write(self.style.WARNING(_("No hay agentes de voz activos.")))
            return
        for name, agents in sorted(names.items()):
            marker = "*" if name == served else " "
            self.stdout.write(f" {marker} {name}: {', '.join(sorted(agents))}")
            if name != served:
                self.stderr.write(
                    self.style.WARNING(
                        _(
                            "Este worker no atiende «%(name)s» (agentes: %(agents)s): "
                            "arranca otro con --agent-name %(name)s."
                        )
                        % {"name": name, "agents": ", ".join(sorted(agents))}
                    )
                )
        if served not in names:
            self.stderr.write(
                self.style.WARNING(
                    _("Ningún agente activo usa «%(name)s»: este worker no recibirá llamadas.")
                    % {"name": served}
                )
            )

    def _console_arguments(self, options: dict) -> list[str]:
        if options["encuesta"] is None:
            raise CommandError(_("console necesita --encuesta ID (una encuesta de prueba)."))
        try:
            # the livekit console opens audio devices even in text mode
            import sounddevice  # noqa: F401
        except (ImportError, OSError) as exc:
            raise CommandError(
                _("console necesita PortAudio (p. ej. apt-get install libportaudio2): %(error)s")
                % {"error": exc}
            ) from exc
        try:
            meta = persistence.console_metadata(options["encuesta"])
        except MetadataError as exc:
            raise CommandError(str(exc)) from exc
        os.environ[worker.CONSOLE_METADATA_ENV] = meta.to_json()
        return ["--text"] if options["text"] else []
