from django.contrib import admin

from agents_app.models import AgentDefaults, PromptTemplate


@admin.register(PromptTemplate)
class PromptTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "description", "updated_at"]
    search_fields = ["name", "description", "content"]


@admin.register(AgentDefaults)
class AgentDefaultsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "llm_model", "updated_at"]

    def has_add_permission(self, request) -> bool:
        return not AgentDefaults.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        obj.pk = AgentDefaults.SINGLETON_PK
        super().save_model(request, obj, form, change)
