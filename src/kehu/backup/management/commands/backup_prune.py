from django.core.management.base import BaseCommand

from kehu.backup.services import backup_prune


class Command(BaseCommand):
    help = "Destroy the backup sets retention no longer keeps (35 daily, 12 monthly, 7 yearly by default)."

    def handle(self, *args, **opts):
        result = backup_prune()
        self.stdout.write(f"kept {result['kept']}, destroyed {len(result['destroyed'])}")
