from django.core.management.base import BaseCommand

from kehu.outbox.services import outbox_dispatch


class Command(BaseCommand):
    help = "Send the e-mails and SMS that are due, retrying failed ones (also on the schedule)."

    def handle(self, *args, **opts):
        result = outbox_dispatch()
        self.stdout.write(f"sent={result['sent']} retry={result['retry']} failed={result['failed']}")
