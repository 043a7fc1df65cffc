"""API tokens: issued to one user, shown once, kept only as a digest."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# "bp_" names the token's issuer in a leaked log or a secret scanner; 32 random bytes
# (256 bits) are never guessed, so a plain digest is enough to store (no slow hash: every
# API request checks one).
TOKEN_MARK = "bp_"
PREFIX_LENGTH = 11  # the mark and eight random characters: enough to tell tokens apart
# Writing the last use on every request would make each read a write too.
LAST_USED_EVERY = timedelta(minutes=1)


def digest_of(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def default_expiry():
    return timezone.now() + timedelta(days=settings.API_TOKEN_DAYS)


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(
        _("name"), max_length=100, blank=True, help_text=_("What the token is for.")
    )
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("issued at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )
    expires_at = models.DateTimeField(_("expires at"), default=default_expiry)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_issue",
            ),
        ]

    def __str__(self):
        return f"{self.prefix}… ({self.user})"

    def clean(self):
        if self._state.adding and self.expires_at and self.expires_at <= timezone.now():
            raise ValidationError({"expires_at": _("A new token must expire in the future.")})

    def set_secret(self) -> str:
        """Give the token a fresh secret and return it: the only time it is seen."""
        raw = TOKEN_MARK + secrets.token_urlsafe(32)
        self.prefix = raw[:PREFIX_LENGTH]
        self.digest = digest_of(raw)
        return raw

    @property
    def is_usable(self) -> bool:
        """Whether the token opens the API now. A user who left (deactivated, also by the
        directory sign-in) is refused at the next request, whatever their tokens."""
        return self.revoked_at is None and self.expires_at > timezone.now() and self.user.is_active

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])

    def note_use(self) -> None:
        """Record the use, at most once a minute."""
        now = timezone.now()
        if self.last_used_at is None or now - self.last_used_at >= LAST_USED_EVERY:
            ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now
