"""What the directory decides: which directory groups or attributes give which role in
which unit (edited by head office), which users came from the directory, and which of
their roles it granted (the others were granted by hand and are left alone)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from bankplan.organisation.models import Membership, Role, Unit

from .names import normal_dn


class DirectoryMapping(models.Model):
    """Members of a directory group, or people whose directory attribute has a value
    (say departmentNumber 0101), hold ``role`` in ``unit``."""

    group_dn = models.CharField(
        _("directory group"),
        max_length=500,
        blank=True,
        help_text=_("The group's distinguished name, e.g. cn=managers-0101,ou=groups,dc=bank."),
    )
    attribute = models.CharField(
        _("directory attribute"),
        max_length=100,
        blank=True,
        help_text=_("Instead of a group: an attribute of the person, e.g. departmentNumber."),
    )
    value = models.CharField(_("attribute value"), max_length=250, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)

    class Meta:
        verbose_name = _("directory mapping")
        verbose_name_plural = _("directory mappings")
        ordering = ["group_dn", "attribute", "value", "unit__code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="directory_mapping_role_valid"
            ),
            # A group, or an attribute with its value: never both, never neither.
            models.CheckConstraint(
                condition=(~models.Q(group_dn="") & models.Q(attribute="", value=""))
                | (models.Q(group_dn="") & ~models.Q(attribute="") & ~models.Q(value="")),
                name="directory_mapping_group_or_attribute",
            ),
            models.UniqueConstraint(
                fields=["group_dn", "attribute", "value", "unit", "role"],
                name="unique_directory_mapping",
            ),
        ]

    def __str__(self):
        source = self.group_dn or f"{self.attribute}={self.value}"
        return f"{source} → {self.get_role_display()} · {self.unit.name}"

    def save(self, *args, **kwargs):
        self._normalise()
        super().save(*args, **kwargs)

    def clean(self):
        self._normalise()  # before the form checks uniqueness
        if self.group_dn and (self.attribute or self.value):
            raise ValidationError(
                _("Map either a directory group or an attribute and its value, not both."),
                code="group_and_attribute",
            )
        if not self.group_dn and not (self.attribute and self.value):
            raise ValidationError(
                _("Name a directory group, or an attribute and its value."),
                code="nothing_mapped",
            )
        # The role must suit the unit, as for a role granted by hand.
        if self.role and self.unit_id:
            Membership(unit=self.unit, role=self.role).clean()

    def _normalise(self):
        # Stored as the directory compares them (without regard to case, a DN without
        # stray spaces), so that a sign-in finds its mappings with one query.
        self.group_dn = normal_dn(self.group_dn) if self.group_dn else ""
        self.attribute = self.attribute.strip().lower()
        self.value = self.value.strip().lower()


class DirectoryAccount(models.Model):
    """A user created by (or signed in through) the directory."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="directory_account",
    )
    dn = models.CharField(_("distinguished name"), max_length=500)
    synced_at = models.DateTimeField(_("last found in the directory"))
    # Set when sync_directory deactivated the user because the directory no longer knows
    # them; only such a user is activated again when they reappear.
    left_at = models.DateTimeField(_("left the directory"), null=True, blank=True)

    class Meta:
        verbose_name = _("directory user")
        verbose_name_plural = _("directory users")

    def __str__(self):
        return self.dn

    def found(self, dn: str, *, at) -> bool:
        """Note that the directory knows the user, at ``dn``; one who had left it is
        active again (True then). The user is saved, the account is the caller's to save
        (sync_directory saves thousands at once)."""
        self.dn, self.synced_at = dn, at
        if self.left_at is None:
            return False
        self.left_at = None
        self.user.is_active = True
        self.user.save(update_fields=["is_active"])
        return True

    def gone(self, *, at) -> None:
        """Note that the directory no longer knows the user, who is deactivated (saved;
        the account is the caller's to save)."""
        self.left_at = at
        self.user.is_active = False
        self.user.save(update_fields=["is_active"])


class DirectoryRole(models.Model):
    """A membership the directory granted: taken away again when the mappings no longer
    give it. Deleting the membership by hand deletes this record with it."""

    membership = models.OneToOneField(
        Membership,
        verbose_name=_("membership"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("role from the directory")
        verbose_name_plural = _("roles from the directory")

    def __str__(self):
        return str(self.membership)
