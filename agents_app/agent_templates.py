"""Ready-made agents staff can start from. Plain data: the services turn it into rows."""

from dataclasses import dataclass, field

from agents_app.models import SurveyQuestion

SCORE, YES_NO, TEXT = SurveyQuestion.Type.SCORE, SurveyQuestion.Type.YES_NO, SurveyQuestion.Type.TEXT


@dataclass(frozen=True)
class AgentTemplate:
    key: str
    name: str
    use_case: str
    description: str
    instructions: str
    greeting: str
    goodbye: str
    language: str = "es"
    questions: list[tuple[str, str, str, bool]] = field(default_factory=list)


COMMON_RULES = (
    "Hablas por teléfono en español de España, con frases cortas y naturales. "
    "Si te preguntan, di con claridad que eres un asistente automático."
)
# EU AI Act, art. 50: the person must know from the start that a machine is talking.
AUTOMATED = "Soy un asistente automático"
GOODBYE = "Muchas gracias por su tiempo{nombre}. ¡Que tenga un buen día!"

TEMPLATES: dict[str, AgentTemplate] = {
    t.key: t
    for t in (
        AgentTemplate(
            key="calidad",
            name="Encuesta de calidad",
            use_case="Encuestas de Satisfacción",
            description="Encuesta de calidad tras una instalación: comercial, instalador y rapidez.",
            instructions=(
                "Eres Dakota, una asistente que llama a clientes tras la instalación de su "
                "servicio para conocer su opinión. " + COMMON_RULES
            ),
            greeting=(
                "Hola{nombre}. " + AUTOMATED + " del servicio de atención al cliente y le llamo "
                "para una breve encuesta de calidad sobre su instalación. ¿Tiene un minuto?"
            ),
            goodbye=GOODBYE,
            questions=[
                ("comercial", "Del 0 al 10, ¿cómo valora la atención del comercial?", SCORE, True),
                ("instalador", "Del 0 al 10, ¿cómo valora el trabajo del instalador?", SCORE, True),
                ("rapidez", "Del 0 al 10, ¿cómo valora la rapidez del servicio?", SCORE, True),
                ("comentarios", "¿Quiere añadir algún comentario o sugerencia?", TEXT, False),
            ],
        ),
        AgentTemplate(
            key="nps",
            name="Encuesta NPS",
            use_case="Net Promoter Score",
            description="Pregunta si nos recomendaría (0–10) y por qué.",
            instructions=(
                "Eres una asistente que mide la satisfacción de los clientes con una pregunta "
                "de recomendación. " + COMMON_RULES
            ),
            greeting=(
                "Hola{nombre}. " + AUTOMATED + " y le llamo para hacerle dos preguntas rápidas "
                "sobre nuestro servicio. ¿Le parece bien?"
            ),
            goodbye=GOODBYE,
            questions=[
                (
                    "recomendacion",
                    "Del 0 al 10, ¿con qué probabilidad nos recomendaría a un familiar o amigo?",
                    SCORE,
                    True,
                ),
                ("motivo", "¿Cuál es el motivo principal de su puntuación?", TEXT, False),
            ],
        ),
        AgentTemplate(
            key="recordatorio_cita",
            name="Recordatorio de cita",
            use_case="Recordatorio de citas",
            description="Confirma si el cliente acudirá a su cita.",
            instructions=(
                "Eres una asistente que recuerda a los clientes su próxima cita y confirma su "
                "asistencia. " + COMMON_RULES
            ),
            greeting=(
                "Hola{nombre}. " + AUTOMATED + " y le llamo para recordarle su próxima cita con nosotros."
            ),
            goodbye="Gracias{nombre}. ¡Hasta pronto!",
            questions=[
                ("asistira", "¿Podrá acudir a la cita?", YES_NO, True),
                ("observaciones", "¿Necesita cambiar algo o tiene alguna pregunta?", TEXT, False),
            ],
        ),
    )
}
