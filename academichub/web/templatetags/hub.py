"""Small display helpers for cards and paper pages."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def first_authors(paper, limit: int = 4) -> str:
    names = paper.author_list
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + " …"


@register.filter
def author_count(paper) -> str:
    n = len(paper.author_list)
    return ngettext("%(n)d author", "%(n)d authors", n) % {"n": n}


@register.filter
def category_name(category) -> str:
    """The category's name in the reader's language."""
    if category is None:
        return ""
    if (get_language() or "").startswith("zh") and category.name_zh:
        return category.name_zh
    return category.name_en or category.code


@register.filter
def paragraphs(text: str) -> list[str]:
    return [p for p in (text or "").split("\n\n") if p.strip()]


@register.simple_tag
def card_number(offset: int, counter: int) -> str:
    return f"{offset + counter:02d}"
