"""Template filters for the marks review leaves on a plan's pages."""

from django import template

register = template.Library()


@register.filter
def open_in(open_by_section, key: str) -> int:
    """Open comment threads of section ``key``, from ``open_threads_by_section`` (see
    ``panels.review_context``); 0 where a page has no such counts."""
    return (open_by_section or {}).get(key, 0)
