from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VoiceworkerConfig(AppConfig):
    name = "voiceworker"
    verbose_name = _("Voice worker")
