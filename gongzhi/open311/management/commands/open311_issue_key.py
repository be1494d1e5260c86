"""`gongzhi open311-issue-key --name NAME`: a partner's Open311 API key, printed once."""

from django.core.management.base import BaseCommand, CommandError

from gongzhi.core.errors import DomainError
from gongzhi.open311.services import issue_key


class Command(BaseCommand):
    help = "Issue an Open311 API key to a partner system; the key is printed once and only its hash is kept."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="the partner system, e.g. 市民热线App")
        parser.add_argument("--rate-per-minute", type=int, default=None,
                            help="requests a minute this key may make (default: GONGZHI_OPEN311_RATE_PER_MINUTE; "
                                 "0: no limit)")

    def handle(self, *args, **options):
        try:
            issued = issue_key(actor=None, name=options["name"], rate_limit_per_minute=options["rate_per_minute"])
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(f"{issued.client.name}: {issued.raw_key}")
