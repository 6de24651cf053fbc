from django import forms

from agents_app.models import VoiceAgent


class VoiceAgentAdminForm(forms.ModelForm):
    """The admin checks voice and language together: a Spanish agent needs a Spanish voice.

    The admin builds the form's Meta (model, fields) from this base.
    """

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        probe = VoiceAgent(
            language=cleaned.get("language") or "",
            voice_id=cleaned.get("voice_id") or "",
            tts_model=cleaned.get("tts_model") or "",
        )
        if problem := probe.voice_problem():
            self.add_error("voice_id", problem)
        return cleaned
