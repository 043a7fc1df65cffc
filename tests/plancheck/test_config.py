"""Head office configures the plan check per cycle: thresholds, rule severities and growth
bands, in the admin; ``options_for`` hands them to ``engine.check``."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import RestrictedError
from django.urls import reverse

from bankplan.audit.models import Action, Event
from bankplan.documents.document import Document, Facts
from bankplan.plancheck import engine
from bankplan.plancheck.config import (
    CAPACITY_KPIS,
    CUSTOMERS_PER_MANAGER,
    DEFAULT_CUSTOMERS_PER_MANAGER,
    DEFAULT_GROWTH_BANDS,
    DEFAULT_TOLERANCE,
    GROWTH_BANDS,
    TOLERANCE,
    options_for,
)
from bankplan.plancheck.demo import configure
from bankplan.plancheck.engine import Severity, blocking, check, rule
from bankplan.plancheck.models import CheckConfig, GrowthBand, RuleSetting
from bankplan.plans.models import Cycle, Kpi
from tests.htmlform import add_row, form_data

D = Decimal


@pytest.fixture
def registry(monkeypatch):
    """The test's own rules instead of the real ones."""
    monkeypatch.setattr(engine, "REGISTRY", {})
    rule("B-001", Severity.BLOCKS, "swot", title="Always wrong")(
        lambda document, settings: ["wrong"]
    )
    return engine.REGISTRY


@pytest.fixture
def next_cycle(db):
    cycle = Cycle.objects.create(
        year=2028,
        name="2028 年度营销计划",
        opens_on=datetime.date(2027, 10, 1),
        deadline=datetime.date(2027, 12, 31),
    )
    Kpi.objects.create(cycle=cycle, code="deposits", name="各项存款余额", measure="wan_yuan")
    return cycle


@pytest.fixture
def superuser(head_office):
    head_office.is_staff = head_office.is_superuser = True
    head_office.save()
    return head_office


def empty():
    return Document(Facts(), (), "en")


def test_a_cycle_without_settings_leaves_rules_their_defaults(cycle, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert options_for(cycle) == {"overrides": {}, "thresholds": {}}


def test_settings_and_bands_become_the_checks_options(
    cycle, kpis, next_cycle, django_assert_num_queries
):
    config = CheckConfig.objects.create(cycle=cycle, customers_per_manager=350, tolerance=D("2.5"))
    RuleSetting.objects.create(config=config, code="SWOT-001", severity="warns")
    RuleSetting.objects.create(config=config, code="SWOT-003", severity=engine.OFF)
    GrowthBand.objects.create(config=config, kpi=kpis["npl"], low=D("-50"), high=D("10"))
    GrowthBand.objects.create(config=config, kpi=kpis["deposits"], low=D(0), high=D("25.5"))
    # Another cycle's settings are not this one's.
    config.capacity_kpis.set([kpis["new_customers"]])
    other = CheckConfig.objects.create(cycle=next_cycle, customers_per_manager=900)
    RuleSetting.objects.create(config=other, code="SWOT-002", severity="informs")
    other.capacity_kpis.set(next_cycle.kpis.all())

    with django_assert_num_queries(3):
        options = options_for(cycle)
    assert options == {
        "overrides": {"SWOT-001": "warns", "SWOT-003": "off"},
        "thresholds": {
            CUSTOMERS_PER_MANAGER: 350,
            TOLERANCE: D("2.5"),
            GROWTH_BANDS: {"deposits": (D("0.0"), D("25.5")), "npl": (D("-50.0"), D("10.0"))},
            CAPACITY_KPIS: frozenset({"new_customers"}),
        },
    }
    assert isinstance(options["thresholds"][TOLERANCE], Decimal)
    assert list(options["thresholds"][GROWTH_BANDS]) == ["deposits", "npl"]  # catalogue order


def test_a_new_configuration_starts_from_the_defaults_rules_read(cycle):
    CheckConfig.objects.create(cycle=cycle)
    assert options_for(cycle) == {
        "overrides": {},
        "thresholds": {
            CUSTOMERS_PER_MANAGER: DEFAULT_CUSTOMERS_PER_MANAGER,
            TOLERANCE: DEFAULT_TOLERANCE,
            GROWTH_BANDS: DEFAULT_GROWTH_BANDS,
            CAPACITY_KPIS: frozenset(),  # every KPI counted in customers
        },
    }


def test_a_rule_switched_to_warns_stops_blocking(registry, cycle):
    assert blocking(check(empty(), **options_for(cycle)))
    config = CheckConfig.objects.create(cycle=cycle)
    RuleSetting.objects.create(config=config, code="B-001", severity="warns")
    (finding,) = check(empty(), **options_for(cycle))
    assert (finding.code, finding.severity, finding.blocks) == ("B-001", Severity.WARNS, False)
    RuleSetting.objects.filter(config=config).update(severity=engine.OFF)
    assert check(empty(), **options_for(cycle)) == []


def test_only_a_registered_rule_can_be_set(registry, cycle):
    config = CheckConfig.objects.create(cycle=cycle)
    RuleSetting(config=config, code="B-001", severity="informs").full_clean()
    with pytest.raises(ValidationError) as refused:
        RuleSetting(config=config, code="GONE-001", severity="informs").full_clean()
    assert set(refused.value.message_dict) == {"code"}


def test_the_database_refuses_what_the_forms_would(cycle, kpis):
    config = CheckConfig.objects.create(cycle=cycle)
    refused = [
        lambda: CheckConfig.objects.filter(pk=config.pk).update(tolerance=D("-1")),
        lambda: CheckConfig.objects.filter(pk=config.pk).update(customers_per_manager=0),
        lambda: RuleSetting.objects.create(config=config, code="SWOT-001", severity="sometimes"),
        lambda: GrowthBand.objects.create(config=config, kpi=kpis["npl"], low=5, high=-5),
    ]
    for statement in refused:
        with pytest.raises(IntegrityError), transaction.atomic():
            statement()


def test_a_kpi_with_a_band_is_kept_unless_its_whole_cycle_goes(next_cycle):
    kpi = next_cycle.kpis.get()
    config = CheckConfig.objects.create(cycle=next_cycle)
    GrowthBand.objects.create(config=config, kpi=kpi, low=0, high=20)
    with pytest.raises(RestrictedError):
        kpi.delete()
    next_cycle.delete()
    assert not CheckConfig.objects.exists() and not GrowthBand.objects.exists()


def test_the_demo_configuration_bands_each_kpi_by_what_it_measures(cycle):
    # the demo catalogue's new active customers: client managers take them on
    Kpi.objects.create(cycle=cycle, code="customers_new", name="新增有效客户", measure="customers")
    configure(cycle)
    configure(cycle)  # again: nothing more
    assert options_for(cycle) == {
        "overrides": {"SWOT-003": "informs"},
        "thresholds": {
            CUSTOMERS_PER_MANAGER: 400,
            TOLERANCE: D("5.0"),
            GROWTH_BANDS: {
                "deposits": (D(0), D(25)),
                "new_customers": (D(0), D(40)),
                "npl": (D(-50), D(50)),
                "customers_new": (D(0), D(40)),
            },
            CAPACITY_KPIS: frozenset({"customers_new"}),
        },
    }


# The admin page


def add_page(client, superuser):
    client.force_login(superuser)
    url = reverse("admin:plancheck_checkconfig_add")
    response = client.get(url)
    assert response.status_code == 200
    return url, form_data(response)


def inline(response, prefix):
    """The page's formset of one inline: ``rule_settings`` or ``growth_bands``."""
    formsets = {
        each.formset.prefix: each.formset for each in response.context["inline_admin_formsets"]
    }
    return formsets[prefix]


def test_saving_a_configuration_is_recorded_in_the_audit_log(client, superuser, cycle, kpis):
    url, data = add_page(client, superuser)
    data |= {"cycle": str(cycle.pk), "customers_per_manager": "350", "tolerance": "3.0"}
    add_row(data, "rule_settings", code="SWOT-003", severity="informs")
    add_row(data, "growth_bands", kpi=str(kpis["deposits"].pk), low="-5", high="20")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"]

    config = CheckConfig.objects.get()
    assert options_for(cycle)["thresholds"][GROWTH_BANDS] == {"deposits": (D(-5), D(20))}
    added = Event.objects.get(action=Action.ADMIN_ADDED)
    assert added.actor == superuser and added.unit_code == ""  # a configuration has no unit
    assert cycle.name in added.subject
    assert added.changes["model"] == "plancheck.CheckConfig"

    change = reverse("admin:plancheck_checkconfig_change", args=[config.pk])
    data = form_data(client.get(change)) | {"tolerance": "4.5"}
    assert client.post(change, data).status_code == 302
    changed = Event.objects.get(action=Action.ADMIN_CHANGED)
    assert changed.changes["message"] == [{"changed": {"fields": ["Tolerance (%)"]}}]

    delete = reverse("admin:plancheck_checkconfig_delete", args=[config.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not CheckConfig.objects.exists()
    assert Event.objects.filter(action=Action.ADMIN_DELETED, subject=added.subject).exists()


def test_the_form_refuses_an_unknown_rule_and_a_low_above_high(client, superuser, cycle, kpis):
    url, data = add_page(client, superuser)
    data |= {"cycle": str(cycle.pk)}
    add_row(data, "rule_settings", code="GONE-001", severity="informs")
    add_row(data, "growth_bands", kpi=str(kpis["deposits"].pk), low="30", high="20")
    response = client.post(url, data)
    assert response.status_code == 200
    assert list(inline(response, "rule_settings").errors[0]) == ["code"]
    assert inline(response, "growth_bands").errors[0] == {
        "low": ["最低增幅不能高于最高增幅。"]  # the admin speaks the bank's language
    }
    assert not CheckConfig.objects.exists()


def test_a_kpi_of_another_cycle_is_refused_and_not_offered(client, superuser, cycle, next_cycle):
    elsewhere = next_cycle.kpis.get()
    url, data = add_page(client, superuser)
    data |= {"cycle": str(cycle.pk)}
    add_row(data, "growth_bands", kpi=str(elsewhere.pk), low="0", high="20")
    response = client.post(url, data)
    assert inline(response, "growth_bands").errors[0] == {
        "kpi": ["请选择本设置所属计划周期的考核指标。"]
    }

    config = CheckConfig.objects.create(cycle=cycle)
    change = reverse("admin:plancheck_checkconfig_change", args=[config.pk])
    response = client.get(change)
    offered = inline(response, "growth_bands").empty_form.fields["kpi"].queryset
    assert set(offered) == set(cycle.kpis.all())
    data = form_data(response)
    add_row(data, "growth_bands", kpi=str(elsewhere.pk), low="0", high="20")
    response = client.post(change, data)
    assert list(inline(response, "growth_bands").errors[0]) == ["kpi"]
    assert not GrowthBand.objects.exists()
