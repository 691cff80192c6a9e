from django.core.management.base import BaseCommand

from kehu.reception.services import visits_purge


class Command(BaseCommand):
    help = "Erase the registration data of visits not linked to a customer after the retention period (V-9)."

    def handle(self, *args, **opts):
        self.stdout.write(f"purged={visits_purge()['purged']}")
