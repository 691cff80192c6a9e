"""Mark every running clock that has passed its due time as breached, in one set-based UPDATE."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from kehu.service.models import Ticket


class Command(BaseCommand):
    help = "Record SLA breaches of open service tickets (due time passed, clock running)."

    def handle(self, *args, **options):
        now = timezone.now()
        with transaction.atomic():
            n = Ticket.objects.filter(
                due_at__lt=now, breached_at__isnull=True, paused_at__isnull=True
            ).update(breached_at=now)
        self.stdout.write(f"breached: {n}")
