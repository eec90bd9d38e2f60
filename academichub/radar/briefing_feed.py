"""A radar's papers for a briefing: the feed's own ranking over any [start, end] window.

``settings.BRIEFINGS_RADAR_FEED`` points here. The briefing of a radar
should read the papers the radar itself would put first, so this calls the
feed's public pieces (``candidates_for``, ``profile_for``) and the one
scoring function, ``core.ranking.score_candidates``; nothing is re-ranked.
Two differences from the feed page, both on purpose: a briefing covers the
whole window, so papers the feed has already shown are kept (the page hides
them), and there is no MMR step (a briefing finds its own themes; it wants
the ranking itself). Papers the owner disliked stay out, as in the feed.
Ownership is checked by the caller (``briefings.services.own_radar``).
"""

from __future__ import annotations

from datetime import date

from academichub.briefings.services import MAX_PAPERS, papers_in_order
from academichub.core import ranking
from academichub.papers.models import Paper
from academichub.radar.feed import candidates_for, profile_for
from academichub.radar.models import Radar, Rating, radar_pk


def ranked_papers(radar_id, start: date | None, end: date | None, *, limit: int = MAX_PAPERS) -> list[Paper]:
    """The radar's papers announced in [start, end], best first, at most ``limit`` (none for an unknown radar)."""
    radar = Radar.objects.filter(pk=radar_pk(radar_id)).first()
    if radar is None or start is None or end is None or start > end:
        return []
    candidates = candidates_for(start, end)
    if not len(candidates):
        return []
    profile = profile_for(radar, with_vectors=candidates.vectors is not None)
    disliked = Rating.objects.filter(user_id=radar.owner_id, value=-1).values_list("paper_id", flat=True)
    ranked = ranking.score_candidates(candidates, profile, limit=limit, hidden=list(disliked))
    return papers_in_order([item.paper_id for item in ranked.items[:limit]])
