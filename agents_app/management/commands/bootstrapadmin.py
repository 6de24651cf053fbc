import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Crea el superusuario «admin» con una contraseña aleatoria si todavía no hay ninguno."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username: str, **options) -> None:
        user_model = get_user_model()
        if user_model.objects.filter(is_superuser=True).exists():
            return
        password = secrets.token_urlsafe(12)
        user_model.objects.create_superuser(username=username, email="", password=password)
        bar = "=" * 64
        self.stdout.write(
            self.style.WARNING(
                f"{bar}\nSuperusuario creado. Guárdelo: no se volverá a mostrar.\n"
                f"  usuario:    {username}\n  contraseña: {password}\n"
                f"  admin:      http://localhost:8001/admin/\n{bar}"
            )
        )
