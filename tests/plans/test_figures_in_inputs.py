"""Figures in the section forms read as the screens write them (thousands separators, no
useless ".00", the KPI's unit beside the input) and what they show is read back, with
what a Chinese keyboard types. Amounts stay Decimals."""

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from bankplan.plans.models import Kpi
from bankplan.plans.sections.background import Competitor
from bankplan.plans.sections.inputs import editable, editable_ratio, plain_figure
from bankplan.plans.sections.products import KpiTarget
from bankplan.plans.sections.target_market import Segment
from tests.htmlform import add_row, form_data


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("2,600", "2600"),
        ("2,600.5", "2600.5"),
        ("1,234,567.89", "1234567.89"),
        ("２，６００", "2600"),  # full-width digits and comma
        ("１２．５", "12.5"),
        ("3。5", "3.5"),  # the Chinese full stop typed for a decimal point
        (" 58 600 ", "58600"),
        ("-1,200", "-1200"),
        ("1,5", "1,5"),  # not a thousands separator: left for the field to refuse
        ("12,34", "12,34"),
        ("abc", "abc"),
    ],
)
def test_a_typed_figure_is_read_as_plain_digits(typed, read):
    assert plain_figure(typed) == read


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        (Decimal("2600.00"), 2, "2,600"),
        (Decimal("1086.30"), 2, "1,086.30"),
        (Decimal("58600"), 2, "58,600"),
        (Decimal("16.7"), 1, "16.7"),
        (Decimal("12.0"), 1, "12"),
        (180000, 0, "180,000"),
    ],
)
def test_a_figure_is_shown_with_separators_and_no_useless_decimals(value, places, shown):
    assert editable(value, places) == shown
    assert Decimal(plain_figure(shown)) == Decimal(value)  # and is read back the same


@pytest.mark.parametrize(
    ("value", "shown"),
    [(Decimal("1.30"), "1.3"), (Decimal("1.25"), "1.25"), (Decimal("2.00"), "2")],
)
def test_a_ratio_is_shown_as_the_screens_write_it(value, shown):
    assert editable_ratio(value) == shown


class _Fields(HTMLParser):
    """The page's inputs and text boxes by name: (tag, attributes, the unit written right
    after the input, if any)."""

    def __init__(self, html):
        super().__init__()
        self.fields, self._last, self._in_unit = {}, None, False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("input", "textarea") and "name" in attrs:
            self._last = attrs["name"]
            self.fields[self._last] = [tag, attrs, ""]
        self._in_unit = tag == "span" and "input-group-text" in (attrs.get("class") or "")

    def handle_data(self, data):
        if self._in_unit and self._last:
            self.fields[self._last][2] += data

    def handle_endtag(self, tag):
        self._in_unit = False


def fields(response) -> dict:
    return _Fields(response.content.decode()).fields


@pytest.fixture
def products_url(plan):
    return reverse("plans:section", args=[plan.pk, "products"])


def test_kpi_inputs_show_figures_with_their_unit(client, author, plan, kpis, products_url):
    KpiTarget.objects.create(products=plan.products, kpi=kpis["deposits"], target="58600.00")
    KpiTarget.objects.create(products=plan.products, kpi=kpis["new_customers"], target="2600.00")
    KpiTarget.objects.create(products=plan.products, kpi=kpis["npl"], target="1.30")
    client.force_login(author)
    page = fields(client.get(products_url))
    with translation.override(settings.LANGUAGE_CODE):
        units = [str(measure.label) for measure in Kpi.Measure]
    assert units[:2] == ["万元", "户"]

    # The catalogue's order: deposits in 万元, new customers counted, the NPL ratio.
    shown = [page[f"targets-{i}-target"] for i in range(3)]
    assert [(attrs["value"], unit) for _tag, attrs, unit in shown] == [
        ("58,600", "万元"),
        ("2,600", "户"),
        ("1.3", "%"),
    ]
    _tag, attrs, _unit = shown[0]
    assert (attrs["type"], attrs["inputmode"]) == ("text", "decimal")  # not type=number


def test_the_page_saved_as_shown_keeps_every_figure(client, author, plan, kpis, products_url):
    KpiTarget.objects.create(
        products=plan.products,
        kpi=kpis["new_customers"],
        target="2600.00",
        q1="650",
        q2="650",
        q3="650",
        q4="650",
    )
    client.force_login(author)
    data = form_data(client.get(products_url))
    assert data["targets-0-target"] == "2,600"  # the saved row first, then the KPIs without
    assert client.post(products_url, data).status_code == 302
    saved = KpiTarget.objects.get(products=plan.products, kpi=kpis["new_customers"])
    assert (saved.target, saved.q1) == (Decimal("2600.00"), Decimal("650.00"))


def test_figures_typed_with_separators_or_full_width_are_saved(
    client, author, plan, kpis, products_url
):
    client.force_login(author)
    data = form_data(client.get(products_url))
    data |= {
        "targets-0-target": "2,600.5",
        "targets-1-target": "１，２００",
        "targets-2-target": "1.25",
    }
    add_row(
        data,
        "lines",
        name="惠农e贷",
        category="loan",
        yearly_target="3,000.50",
        target_unit="万元",
    )
    response = client.post(products_url, data)
    assert response.status_code == 302
    targets = {t.kpi.code: t.target for t in KpiTarget.objects.filter(products=plan.products)}
    assert targets == {
        "deposits": Decimal("2600.50"),
        "new_customers": Decimal("1200"),
        "npl": Decimal("1.25"),
    }
    assert plan.products.lines.get().yearly_target == Decimal("3000.50")


def test_a_figure_that_is_not_one_is_refused_as_typed(client, author, plan, products_url):
    client.force_login(author)
    data = form_data(client.get(products_url)) | {"targets-0-target": "1,5"}
    response = client.post(products_url, data)
    assert response.status_code == 200  # nothing saved, the page shown again
    assert not KpiTarget.objects.filter(products=plan.products, target__isnull=False).exists()
    assert fields(response)["targets-0-target"][1]["value"] == "1,5"
    assert re.search(r"invalid-feedback[^>]*>[^<]*(number|数字)", response.content.decode())


def test_a_whole_count_is_shown_and_read_with_separators(client, author, plan):
    url = reverse("plans:section", args=[plan.pk, "target_market"])
    client.force_login(author)
    data = form_data(client.get(url))
    add_row(
        data,
        "segments",
        segment_type="farmer",
        size="180,000",
        target_share="12.5",
        priority="high",
    )
    assert client.post(url, data).status_code == 302
    segment = Segment.objects.get(target_market__plan=plan)
    assert (segment.size, segment.target_share) == (180000, Decimal("12.5"))
    assert fields(client.get(url))["segments-0-size"][1]["value"] == "180,000"


def test_a_long_name_wraps_and_keeps_to_one_line(client, author, plan):
    url = reverse("plans:section", args=[plan.pk, "background"])
    client.force_login(author)
    data = form_data(client.get(url))
    add_row(data, "competitors", name="青峰华锐汽车零部件\r\n有限公司", type="state_owned")
    assert client.post(url, data).status_code == 302
    assert Competitor.objects.get().name == "青峰华锐汽车零部件 有限公司"
    tag, attrs, _unit = fields(client.get(url))["competitors-0-name"]
    assert (tag, attrs["rows"]) == ("textarea", "1")  # wraps instead of being cut
