from django import forms


class VoiceAgentAdminForm(forms.ModelForm):
    """The admin builds the form's Meta (model, fields) from this base.

    What an agent needs to run (language, models, voice, dispatch name) is checked by
    VoiceAgent.clean(), which the form calls, so the admin refuses what the API refuses.
    """
