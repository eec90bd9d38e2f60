"""The radar form: one page to create or edit every part of a radar."""

from __future__ import annotations

from django import forms
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from academichub.core.interests import parse_keywords
from academichub.core.taxonomy import normalise_code
from academichub.papers.models import Author, Paper
from academichub.radar import semantics
from academichub.radar.authors import resolve_name
from academichub.radar.chips import follow
from academichub.radar.models import Radar, SeedPaper
from academichub.web.queries import find_paper

MAX_LINES = 50


class RadarForm(forms.ModelForm):
    categories_text = forms.CharField(
        label=gettext_lazy("Categories"), required=False,
        help_text=gettext_lazy("arXiv codes separated by spaces, e.g. cs.CV cs.CL"),
    )  # fmt: skip
    authors_text = forms.CharField(
        label=gettext_lazy("Authors to follow"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One name per line, e.g. Chenrui Wu"),
    )  # fmt: skip
    seeds_text = forms.CharField(
        label=gettext_lazy("Seed papers"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("arXiv ids or DOIs of papers like the ones you want, one per line"),
    )  # fmt: skip

    class Meta:
        model = Radar
        fields = ["name", "keywords", "interest", "window", "email_enabled"]
        widgets = {"keywords": forms.TextInput(), "interest": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        radar = self.instance
        if radar.pk and not self.is_bound:
            self.initial["categories_text"] = " ".join(radar.categories or [])
            self.initial["authors_text"] = "\n".join(f.author.name for f in radar.followed.select_related("author"))
            self.initial["seeds_text"] = "\n".join(s.paper.arxiv_id or s.paper.doi or str(s.paper_id)
                                                   for s in radar.seeds.select_related("paper"))  # fmt: skip
        self.ambiguous: list[str] = []

    def clean_keywords(self) -> str:
        text = self.cleaned_data["keywords"]
        errors = parse_keywords(text).errors
        if errors:
            raise forms.ValidationError("; ".join(errors))
        return text

    def clean_categories_text(self) -> list[str]:
        codes, bad = [], []
        for token in self.cleaned_data["categories_text"].replace(",", " ").split()[:MAX_LINES]:
            code = normalise_code(token)
            if code is None:
                bad.append(token)
            elif code not in codes:
                codes.append(code)
        if bad:
            raise forms.ValidationError(_("Not arXiv categories: %(codes)s") % {"codes": ", ".join(bad)})
        return codes

    def clean_authors_text(self) -> list[Author]:
        found, missing = [], []
        for name in _lines(self.cleaned_data["authors_text"]):
            authors = resolve_name(name)
            if not authors:
                missing.append(name)
            elif authors[0] not in found:
                found.append(authors[0])
        if missing:
            raise forms.ValidationError(_("No papers by these names in the catalogue: %(names)s")
                                        % {"names": "; ".join(missing)})  # fmt: skip
        return found

    def clean_seeds_text(self) -> list[Paper]:
        found, missing = [], []
        for identifier in _lines(self.cleaned_data["seeds_text"]):
            paper = find_paper(identifier)
            if paper is None:
                missing.append(identifier)
            elif paper not in found:
                found.append(paper)
        if missing:
            raise forms.ValidationError(_("Not in the catalogue: %(ids)s") % {"ids": ", ".join(missing)})
        return found

    def save(self, owner=None) -> Radar:
        radar = super().save(commit=False)
        if owner is not None:
            radar.owner = owner
        radar.categories = self.cleaned_data["categories_text"]
        if "interest" in self.changed_data or (radar.interest and radar.interest_vector is None):
            radar.set_interest_array(semantics.embed_one(radar.interest), semantics.model_id())
        with transaction.atomic():
            radar.save()
            self._save_authors(radar)
            self._save_seeds(radar)
        return radar

    def _save_authors(self, radar: Radar) -> None:
        wanted = self.cleaned_data["authors_text"]
        radar.followed.exclude(author__in=wanted).delete()
        kept = set(radar.followed.values_list("author_id", flat=True))
        for author in wanted:
            if author.pk not in kept:
                follow(radar, author)

    def _save_seeds(self, radar: Radar) -> None:
        wanted = self.cleaned_data["seeds_text"]
        radar.seeds.exclude(paper__in=wanted).delete()
        for paper in wanted:
            SeedPaper.objects.get_or_create(radar=radar, paper=paper)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()][:MAX_LINES]
