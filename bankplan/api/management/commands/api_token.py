"""Issue an API token: ``python manage.py api_token USERNAME [--days N] [--name TEXT]``.

The token alone goes to stdout (``TOKEN=$(python manage.py api_token wang)``), what it is
to stderr; it is shown this once, the database keeps its digest. The issue is recorded in
the audit log like one made in the admin.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from bankplan.api.models import ApiToken
from bankplan.audit import record

MAX_DAYS = 3660  # ten years: a token is meant to be replaced, never to be forever


class Command(BaseCommand):
    help = "Issue an API token to a user and print it (the only time it is shown)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--days",
            type=int,
            default=settings.API_TOKEN_DAYS,
            help=f"days until the token expires (default {settings.API_TOKEN_DAYS})",
        )
        parser.add_argument("--name", default="", help="what the token is for")

    def handle(self, *args, username, days, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username!r}.")
        if not user.is_active:
            raise CommandError(f"The user {username!r} is deactivated: no token is issued.")
        if not 1 <= days <= MAX_DAYS:
            raise CommandError(f"--days must be between 1 and {MAX_DAYS}.")
        if len(name) > ApiToken._meta.get_field("name").max_length:
            raise CommandError("--name is too long.")
        now = timezone.now()
        token = ApiToken(user=user, name=name, created_at=now, expires_at=now + timedelta(days))
        raw = token.set_secret()
        with transaction.atomic():
            token.save()
            record.event(
                record.Action.ADMIN_ADDED,
                by=None,
                subject=f"{ApiToken._meta.verbose_name}: {token}",
                detail="manage.py api_token",
                changes={"model": ApiToken._meta.label, "pk": str(token.pk), "message": []},
            )
        self.stderr.write(
            f"API token {token.prefix}… for {user.username}, "
            f"expires {timezone.localtime(token.expires_at):%Y-%m-%d %H:%M %Z}:"
        )
        self.stdout.write(raw)
