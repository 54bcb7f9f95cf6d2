"""Retention: delete closed callback requests (and their call attempts and texts) after N days."""

import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from callbacks.services import purge_closed_callbacks

logger = logging.getLogger("callbacks.retention")


class Command(BaseCommand):
    help = "Delete callback requests closed more than --days ago (default: CALLBACK_RETENTION_DAYS, 180)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="Retention in days after closing.")

    def handle(self, *args, days=None, **options):
        days = settings.CALLBACK_RETENTION_DAYS if days is None else days
        if days < 1:
            raise CommandError("--days must be at least 1.")
        requests, attempts = purge_closed_callbacks(older_than_days=days)
        summary = (
            f"Deleted {requests} closed callback request{'s' if requests != 1 else ''} "
            f"and {attempts} call attempt{'s' if attempts != 1 else ''} older than {days} days."
        )
        logger.info(summary)
        if options.get("verbosity", 1) >= 1:
            self.stdout.write(summary)
