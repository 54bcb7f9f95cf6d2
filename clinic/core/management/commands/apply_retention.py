"""Retention: run every rule the apps register (nightly from beat), or count with --dry-run."""

from django.core.management.base import BaseCommand

from clinic.core.privacy import apply_retention


class Command(BaseCommand):
    help = (
        "Apply every retention rule (SMS wording, inactive patients, closed callback requests, ...). "
        "With --dry-run, only print how many records each rule would change."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would change; change nothing.")

    def handle(self, *args, dry_run=False, **options):
        results = apply_retention(dry_run=dry_run)
        verb = "would change" if dry_run else "changed"
        for result in results:
            self.stdout.write(f"{result.rule.key}: {result.count} {verb} ({result.rule.action})")
        if not dry_run:
            self.stdout.write(f"{sum(r.count for r in results)} records changed in all.")
