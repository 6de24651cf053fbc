from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from calls.services.answer_rollups import answer_rollups_refresh


class Command(BaseCommand):
    help = "Recount the dashboard's daily answer counts from the surveys (after an import or upgrade)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=400, help="How many days back, today included.")

    def handle(self, *args, days: int, **options) -> None:
        today = timezone.localdate()
        written = 0
        # A month per transaction: a long history never holds one huge lock.
        for end_offset in range(0, days, 31):
            last_day = today - timedelta(days=end_offset)
            first_day = max(today - timedelta(days=days - 1), last_day - timedelta(days=30))
            written += answer_rollups_refresh(first_day=first_day, last_day=last_day)
        self.stdout.write(f"{written}")
