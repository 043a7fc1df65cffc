"""The bank's tree of units and who holds which role where."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who logs in. Chinese names are not split into first and last."""

    full_name = models.CharField(_("full name"), max_length=100, blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self):
        return self.full_name or self.username

    def get_full_name(self):
        return self.full_name or super().get_full_name() or self.username


class UnitKind(models.TextChoices):
    HEAD_OFFICE = "head_office", _("Head office")
    REGION = "region", _("Regional branch")
    BRANCH = "branch", _("Branch")


class Unit(models.Model):
    """One node of the bank: head office (总行), a regional branch (分行) or a branch (支行)."""

    Kind = UnitKind

    # Which kind of unit may sit directly under which.
    PARENT_KIND = {Kind.HEAD_OFFICE: None, Kind.REGION: Kind.HEAD_OFFICE, Kind.BRANCH: Kind.REGION}

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        related_name="children",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=UnitKind.values), name="unit_kind_valid"
            ),
            # Only head office stands at the top of the tree.
            models.CheckConstraint(
                condition=models.Q(kind="head_office", parent__isnull=True)
                | (~models.Q(kind="head_office") & models.Q(parent__isnull=False)),
                name="unit_parent_matches_kind",
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.code}）"

    def clean(self):
        expected = self.PARENT_KIND.get(self.kind)
        actual = self.parent.kind if self.parent_id else None
        if expected == actual:
            return
        if expected is None:
            message = _("Head office has no parent unit.")
        else:
            message = _("A unit of kind “%(kind)s” must sit under a “%(parent)s”.") % {
                "kind": self.get_kind_display(),
                "parent": UnitKind(expected).label,
            }
        raise ValidationError({"parent": message}, code="wrong_parent")


class Role(models.TextChoices):
    BRANCH_MANAGER = "branch_manager", _("Branch manager")
    BRANCH_STAFF = "branch_staff", _("Branch staff")
    REGIONAL_REVIEWER = "regional_reviewer", _("Regional reviewer")
    HEAD_OFFICE_PLANNER = "head_office_planner", _("Head-office planner")


class Membership(models.Model):
    """A role held by a user in one unit."""

    Role = Role

    # The kind of unit each role is held in.
    UNIT_KIND = {
        Role.BRANCH_MANAGER: Unit.Kind.BRANCH,
        Role.BRANCH_STAFF: Unit.Kind.BRANCH,
        Role.REGIONAL_REVIEWER: Unit.Kind.REGION,
        Role.HEAD_OFFICE_PLANNER: Unit.Kind.HEAD_OFFICE,
    }

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="unique_membership"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_valid"
            ),
        ]
        indexes = [
            # Serves the scoping queries: "which units does this user hold this role in".
            models.Index(fields=["user", "role"], name="membership_user_role_idx"),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.unit.name}"

    def clean(self):
        if self.unit_id and self.unit.kind != self.UNIT_KIND[self.role]:
            raise ValidationError(
                {
                    "unit": _("A %(role)s must belong to a unit of kind “%(kind)s”.")
                    % {
                        "role": self.get_role_display(),
                        "kind": Unit.Kind(self.UNIT_KIND[self.role]).label,
                    }
                },
                code="wrong_unit_kind",
            )
