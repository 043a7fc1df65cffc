"""The plan check's rule engine: severities, findings, the rule registry and ``check``.

A rule is a small function registered with a code (``SWOT-002``), a default severity and
the sections it looks at::

    @rule("SWOT-001", Severity.BLOCKS, "swot", title=_("Every quadrant has an item"))
    def every_quadrant(document, settings):
        yield Flag(_("…"), anchor="items")  # or just the message

It reads the plan as a ``Document`` (``bankplan/documents``), never through the ORM, so it
runs alike on the live draft (``check_plan``) and on a frozen version's snapshot
(``check_version``). It yields messages, or ``Flag``s saying where the author should go;
the engine turns them into ``Finding``s with the rule's code and the severity in force.
Messages are written in the document's language (rules run under it).

Head office may change a rule's severity, or switch it off, through ``overrides`` (code ->
a ``Severity`` value or ``OFF``), and set the figures rules compare against through
``thresholds`` (name -> value, read with ``settings.threshold``).

Where it runs: every page showing a draft (its sections, the overview, the PDF) checks
the plan it has loaded (``check_plan(plan, loaded=True)``: one query more than
``load_plan``); a section's page asks for its findings again after each background save
(``plans:findings``), so the save itself stays within its query budget; ``submit_plan``
refuses while a blocking finding stands; a version's page checks the version's snapshot
(``check_version``). Head office's settings for the cycle (``config.options_for``) give
the overrides and thresholds unless a caller passes its own.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.conf import settings as django_settings
from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from bankplan.documents.document import Document
from bankplan.documents.reader import read
from bankplan.plans.sections.registry import SECTIONS

OFF = "off"  # an override switching a rule off


class Severity(models.TextChoices):
    BLOCKS = "blocks", _("Blocks submission")
    WARNS = "warns", _("Warning")
    INFORMS = "informs", _("For information")


_RANK = {Severity.BLOCKS: 0, Severity.WARNS: 1, Severity.INFORMS: 2}
_SECTION_ORDER = {section.key: number for number, section in enumerate(SECTIONS)}


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One thing wrong with the plan, in the document's language."""

    code: str
    severity: Severity
    section: str  # the section's key
    anchor: str = ""  # the form field or table the author should go to
    row: str = ""  # the key of the row in that table (``Row.key``), if one row is meant
    message: str  # what is wrong, naming the figures or items involved, and how to fix it

    @property
    def blocks(self) -> bool:
        return self.severity == Severity.BLOCKS

    @property
    def target(self) -> str:
        """The id of what the finding points at on the section's page: a row
        (``table-row-key``, see row.html), a field or table, or nothing."""
        return f"{self.anchor}-row-{self.row}" if self.row else self.anchor

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "severity": str(self.severity.value),
            "section": self.section,
            "anchor": self.anchor,
            "row": self.row,
            "message": self.message,
        }


@dataclass(frozen=True)
class Flag:
    """What a rule yields when it says more than a message: where to go."""

    message: str | Promise
    anchor: str = ""
    row: str = ""
    section: str = ""  # the rule's first section unless given


@dataclass(frozen=True)
class Settings:
    """What head office set for a check: severities changed, and thresholds."""

    overrides: Mapping[str, str] = field(default_factory=dict)
    thresholds: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self):
        allowed = {*Severity.values, OFF}
        wrong = {code: value for code, value in self.overrides.items() if value not in allowed}
        if wrong:
            raise ValueError(f"Overrides must be one of {sorted(allowed)}: {wrong}")

    def severity_of(self, rule: "Rule") -> Severity | None:
        """The severity the rule has in this check; None when it is switched off."""
        value = self.overrides.get(rule.code, rule.severity)
        return None if value == OFF else Severity(value)

    def threshold(self, name: str, default):
        return self.thresholds.get(name, default)


RuleFunction = Callable[[Document, Settings], Iterable["Flag | str | Promise"]]


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity  # by default: head office may change it
    sections: tuple[str, ...]
    function: RuleFunction
    title: str | Promise = ""  # what the rule asks, for the page configuring the check


REGISTRY: dict[str, Rule] = {}


def rule(code: str, severity: Severity | str, sections, *, title: str | Promise = ""):
    """Register the decorated function as the rule ``code``."""
    sections = (sections,) if isinstance(sections, str) else tuple(sections)
    if not sections:
        raise ValueError(f"Rule {code} points at no section.")

    def register(function: RuleFunction) -> RuleFunction:
        if code in REGISTRY:
            raise ValueError(f"Two rules are registered as {code}.")
        REGISTRY[code] = Rule(code, Severity(severity), sections, function, title)
        return function

    return register


def registered() -> list[Rule]:
    """Every registered rule, in the order registered."""
    from . import rules as _families  # noqa: F401  the registry is filled on import

    return list(REGISTRY.values())


def _finding(rule: Rule, severity: Severity, said) -> Finding:
    flag = said if isinstance(said, Flag) else Flag(said)
    return Finding(
        code=rule.code,
        severity=severity,
        section=flag.section or rule.sections[0],
        anchor=flag.anchor,
        row=flag.row,
        message=str(flag.message),
    )


def check(
    document: Document,
    *,
    overrides: Mapping[str, str] | None = None,
    thresholds: Mapping[str, object] | None = None,
) -> list[Finding]:
    """What every rule in force finds in ``document``: blocking findings first, then
    warnings, then information, each in the order of the plan's sections and by code."""
    settings = Settings(dict(overrides or {}), dict(thresholds or {}))
    found = []
    with translation.override(document.language):
        for each in registered():
            severity = settings.severity_of(each)
            if severity is None:
                continue
            found += [_finding(each, severity, said) for said in each.function(document, settings)]
    # Python's sort is stable: one rule's findings stay in the order it gave them.
    return sorted(
        found, key=lambda f: (_RANK[f.severity], _SECTION_ORDER.get(f.section, 99), f.code)
    )


def blocking(findings: Iterable[Finding]) -> list[Finding]:
    return [finding for finding in findings if finding.blocks]


def _language(language: str | None) -> str:
    return language or translation.get_language() or django_settings.LANGUAGE_CODE


def check_plan(plan, *, language: str | None = None, loaded: bool = False, **options):
    """The findings on the live draft of ``plan``: the queries of ``load_plan`` and the
    cycle's settings (``loaded``: the plan comes from ``load_plan`` already).
    ``options``: ``check``'s ``overrides`` and ``thresholds`` (even empty) instead of
    the cycle's."""
    from bankplan.documents.snapshot import snapshot_of
    from bankplan.plans.progress import load_plan

    plan = plan if loaded else load_plan(plan)
    document = read(snapshot_of(plan), language=_language(language))
    return check(document, **(options or options_for(plan.cycle)))


def check_version(version, *, language: str | None = None, **options) -> list[Finding]:
    """The findings on a frozen version, read from its snapshot alone, under the
    settings its cycle has now."""
    document = read(version.snapshot, language=_language(language))
    return check(document, **(options or options_for(version.plan.cycle)))


def options_for(cycle) -> dict:
    from .config import options_for as configured  # the config models import this module

    return configured(cycle)
