# factory_boy's metaclass hides that calling a factory returns a model instance; this stub says so.
from typing import Any, Generic, TypeVar

from django.contrib.auth.models import User

from agents_app.models import SurveyQuestion, VoiceAgent
from calls.models import Call, Encuesta
from telephony.models import TelephonyConfig

_T = TypeVar("_T")

class _ModelFactory(Generic[_T]):
    def __call__(self, **kwargs: Any) -> _T: ...
    def create(self, **kwargs: Any) -> _T: ...
    def build(self, **kwargs: Any) -> _T: ...
    def create_batch(self, size: int, **kwargs: Any) -> list[_T]: ...
    def build_batch(self, size: int, **kwargs: Any) -> list[_T]: ...
    def __getattr__(self, name: str) -> Any: ...

UserFactory: _ModelFactory[User]
VoiceAgentFactory: _ModelFactory[VoiceAgent]
SurveyQuestionFactory: _ModelFactory[SurveyQuestion]
TelephonyConfigFactory: _ModelFactory[TelephonyConfig]
EncuestaFactory: _ModelFactory[Encuesta]
CallFactory: _ModelFactory[Call]
