"""Citation metadata on pages: Highwire ``citation_*`` meta tags, a COinS span, export links.

Zotero's browser connector reads either the meta tags or the COinS span, so
"save to Zotero" works on a paper page without any script of ours.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from academichub.core import exports
from academichub.delivery.citations import citation_of

register = template.Library()


@register.simple_tag
def citation_meta(paper) -> str:
    pairs = exports.highwire_meta(citation_of(paper))
    return format_html_join("\n", '<meta name="{}" content="{}">', pairs)


@register.simple_tag
def coins(paper) -> str:
    return format_html('<span class="Z3988" title="{}"></span>', exports.coins(citation_of(paper)))


@register.simple_tag
def export_url(paper, fmt: str) -> str:
    """The API's export of one paper (a file download) in ``fmt`` (bibtex, ris, csl-json)."""
    identifier = paper.arxiv_id or (f"doi:{paper.doi}" if paper.doi else str(paper.pk))
    return reverse("api:export") + "?" + urlencode({"id": identifier, "format": fmt})
