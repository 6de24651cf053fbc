import factory
from django.contrib.auth import get_user_model

from agents_app.models import SurveyQuestion, VoiceAgent
from calls.models import Call, Encuesta
from telephony.models import TelephonyConfig


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password("s3cret-pass")


class VoiceAgentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VoiceAgent

    name = factory.Sequence(lambda n: f"Agente {n}")
    call_type = VoiceAgent.CallType.OUTBOUND
    use_case = "Encuestas de Satisfacción"
    description = "Encuesta de calidad"
    instructions = "Eres una asistente de encuestas."
    greeting = "Hola{nombre}, ¿tiene un minuto?"
    dispatch_name = "agentelocal-test"


class SurveyQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyQuestion

    agent = factory.SubFactory(VoiceAgentFactory)
    position = factory.Sequence(int)
    key = factory.Sequence(lambda n: f"pregunta{n}")
    text = "Del 0 al 10, ¿qué le ha parecido?"
    type = SurveyQuestion.Type.SCORE


class TelephonyConfigFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TelephonyConfig

    name = factory.Sequence(lambda n: f"Config {n}")
    provider = "LCR"
    from_numbers = factory.LazyFunction(lambda: ["+34944771453"])
    sip_trunk_id = "ST_testtrunk"
    max_concurrent_calls = 5
    is_default = True


class EncuestaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Encuesta

    telefono = "+34621151394"
    voice_agent = factory.SubFactory(VoiceAgentFactory)
    status = Encuesta.Status.PENDING


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call

    encuesta = factory.SubFactory(EncuestaFactory, status=Encuesta.Status.INITIATED)
    attempt = 1
    room_name = factory.LazyAttribute(lambda o: f"encuesta_{o.encuesta.pk}")
    to_number = factory.LazyAttribute(lambda o: o.encuesta.telefono)
    from_number = "+34944771453"
    status = Call.Status.QUEUED
