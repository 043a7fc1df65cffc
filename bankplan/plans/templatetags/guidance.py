"""``{% guidance_open section as open %}``: whether the section page's guidance panel
opens for the signed-in user (see ``plans/guidance.py``)."""

from django import template

from bankplan.plans.guidance import shown_open

register = template.Library()


@register.simple_tag(takes_context=True)
def guidance_open(context, section) -> bool:
    return shown_open(context["request"].user, section.key)
