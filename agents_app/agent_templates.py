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
    questions: list[tuple[str, str, str, bool]] = field(default_factory=list)


COMMON_RULES = (
    "Hablas por teléfono en español de España, con frases cortas y naturales. "
    "Haz las preguntas de una en una y espera la respuesta. "
    "Guarda cada respuesta con la herramienta guardar_encuesta en cuanto el cliente la dé. "
    "Si el cliente no quiere participar, usa rechazar_encuesta. "
    "Si contesta un contestador automático o buzón de voz, usa buzon_de_voz sin dejar mensaje. "
    "Al terminar, despídete con amabilidad y usa finalizar_llamada."
)

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
                "Hola{nombre}, le llamo de parte del servicio de atención al cliente para una "
                "breve encuesta de calidad sobre su instalación. ¿Tiene un minuto?"
            ),
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
                "Hola{nombre}, le llamamos para hacerle dos preguntas rápidas sobre nuestro "
                "servicio. ¿Le parece bien?"
            ),
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
            greeting="Hola{nombre}, le llamamos para recordarle su próxima cita con nosotros.",
            questions=[
                ("asistira", "¿Podrá acudir a la cita?", YES_NO, True),
                ("observaciones", "¿Necesita cambiar algo o tiene alguna pregunta?", TEXT, False),
            ],
        ),
    )
}
