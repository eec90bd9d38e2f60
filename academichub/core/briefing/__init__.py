"""Grounded cross-domain briefings, pure Python (no Django).

select (token budget) → cluster into themes (silhouette picks k) → label
themes (c-TF-IDF) → find bridges → write (offline templates, or an LLM
through ``llm``) → verify every citation (``grounding``).
"""

from academichub.core.briefing.model import Briefing, BriefPaper, Grounding, Section, Sentence, Usage
from academichub.core.briefing.pipeline import build_briefing

__all__ = ["BriefPaper", "Briefing", "Grounding", "Section", "Sentence", "Usage", "build_briefing"]
