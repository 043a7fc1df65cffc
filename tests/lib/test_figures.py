from decimal import Decimal

from django.utils import translation

from bankplan.lib import figures


def test_amounts_in_wan_have_separators_and_two_places():
    assert figures.wan(Decimal("1234567.891")) == "1,234,567.89"
    assert figures.wan(Decimal("0.005")) == "0.01"  # half up, as a bank rounds
    assert figures.wan(None) == ""


def test_large_amounts_read_in_yi():
    with translation.override("en"):
        assert figures.wan_or_yi(Decimal("56000")) == "5.60 hundred million yuan"
        assert figures.wan_or_yi(Decimal("9800")) == "9,800.00 ten thousand yuan"


def test_percentages_have_one_decimal_and_counts_none():
    assert figures.percent(Decimal("1.25")) == "1.3%"
    assert figures.count(Decimal("12000")) == "12,000"


def test_an_entered_ratio_keeps_its_second_decimal():
    assert figures.ratio(Decimal("1.25")) == "1.25%"  # not 1.3%: that would misstate a target
    assert figures.ratio(Decimal("1.30")) == "1.3%"
    assert figures.ratio(Decimal("12")) == "12.0%"
    assert figures.ratio(None) == ""


def test_a_change_of_a_ratio_reads_in_points():
    with translation.override("zh-hans"):
        assert figures.points(Decimal("-0.07")) == "-0.07 个百分点"
    with translation.override("en"):
        assert figures.points(Decimal("0.5")) == "+0.50 pp"


def test_a_difference_always_shows_its_sign():
    assert figures.change_in_measure(Decimal("1200"), "wan_yuan") == "+1,200.00"
    assert figures.change_in_measure(Decimal("-35"), "customers") == "-35"
    assert figures.change_in_measure(Decimal("0"), "cards") == "+0"
