"""The ordered list of section descriptors every part of the app walks."""

from django.http import Http404

from . import background, channels, incentives, products, staffing, swot, target_market
from .base import Section

SECTIONS: tuple[Section, ...] = (
    background.SECTION,
    swot.SECTION,
    target_market.SECTION,
    products.SECTION,
    channels.SECTION,
    staffing.SECTION,
    incentives.SECTION,
)

_BY_KEY = {section.key: section for section in SECTIONS}


def get_section(key: str) -> Section:
    try:
        return _BY_KEY[key]
    except KeyError:
        raise Http404(key) from None


def neighbours(section: Section) -> tuple[Section | None, Section | None]:
    index = SECTIONS.index(section)
    before = SECTIONS[index - 1] if index else None
    after = SECTIONS[index + 1] if index + 1 < len(SECTIONS) else None
    return before, after
