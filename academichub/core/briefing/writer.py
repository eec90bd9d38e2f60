"""Step 5 with a model: the LLM writes the overview and each theme from the structure and abstracts.

The model sees, per section, only the theme's key phrases and a numbered
excerpt of its papers (never "what it knows"), and must cite [n]. What it
returns goes through the grounding check; with a cascade, an answer that
loses citations or sentences there is retried on the strong model; a
section that still has nothing grounded (or whose call failed) is written
by the offline engine instead and counted as regenerated. Cross-domain
links, notable papers and trends are structural facts and always come
from the analysis, so they are identical whichever engine runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from academichub.core.briefing.analysis import Analysis
from academichub.core.briefing.compose import OfflineWriter
from academichub.core.briefing.grounding import check_sentences, parse_paragraphs
from academichub.core.briefing.llm import Backend, Completion, LLMError, tiers_of
from academichub.core.briefing.model import Briefing, Grounding, Section, Usage
from academichub.core.briefing.text import clip_words, sentences

Progress = Callable[[str, str], None]  # (stage, text so far)

SYSTEM = {
    "en": ("You are a research analyst writing a literature briefing. Use ONLY the numbered papers given. "
           "End every sentence with the number of the paper it comes from in square brackets, like [3]. "
           "Use only the numbers listed. Do not add numbers, names or facts that are not in the papers. "
           "Write plain English sentences, no lists, no headings."),
    "zh": ("你是撰写文献简报的研究分析师。只能使用下面给出的编号论文。每句话结尾用方括号标出来源论文编号，如[3]。"
           "只能使用列出的编号。不要添加论文中没有的数字、名称或事实。用简体中文写连贯的句子，不要列表，不要标题。"),
}  # fmt: skip
ASK_THEME = {"en": "Theme: {label} ({count} papers)\nPapers:\n{papers}\n\nWrite {n} sentences on what is new in this theme, citing [n].",
             "zh": "主题：{label}（{count} 篇论文）\n论文：\n{papers}\n\n写 {n} 句话，说明这个主题的新进展，并用[n]引用。"}  # fmt: skip
ASK_OVERVIEW = {"en": "Themes of {count} papers:\n{themes}\n\nWrite 2 sentences summarising the period, citing [n].",
                "zh": "{count} 篇论文的主题：\n{themes}\n\n写 2 句话概括这一时段，并用[n]引用。"}  # fmt: skip


@dataclass
class SectionJob:
    section: Section  # the offline version: the fallback, and the title/kind to keep
    prompt: str
    allowed: set[int]
    context: str  # numbers the prompt itself states (counts) may be repeated


class LLMWriter(OfflineWriter):
    """The offline writer with the overview and the themes written by a model."""

    def __init__(self, analysis: Analysis, backend: Backend, language: str = "en", *, scope: str = "",
                 window: str = "", on_progress: Progress | None = None, papers_per_theme: int = 5,
                 excerpt_words: int = 60, max_tokens: int = 320):  # fmt: skip
        super().__init__(analysis, language, scope=scope, window=window)
        self.backend, self.on_progress = backend, on_progress or (lambda stage, text: None)
        self.papers_per_theme, self.excerpt_words, self.max_tokens = papers_per_theme, excerpt_words, max_tokens
        self.usage, self.report = Usage(), Grounding()
        self.engine = backend.model

    def sections(self) -> list[Section]:
        offline = super().sections()
        return [self._write(self._job(s)) if s.kind in ("overview", "theme") else s for s in offline]

    def briefing(self) -> Briefing:
        result = super().briefing()
        result.usage, result.grounding, result.engine = self.usage, self.report, self.engine
        return result

    # ---------------------------------------------------------------- prompts

    def _excerpt(self, i: int) -> str:
        paper = self.a.papers[i]
        lead = " ".join(sentences(paper.abstract)[:3])
        return f"[{self.n(i)}] {paper.title}. {clip_words(lead, self.excerpt_words)}"

    def _job(self, section: Section) -> SectionJob:
        if section.kind == "overview":
            return self._overview_job(section)
        theme = self.a.themes[section.theme]
        chosen = list(dict.fromkeys(theme.representatives + theme.members))[: self.papers_per_theme]
        papers = "\n".join(self._excerpt(i) for i in chosen)
        count = len(theme.members)
        prompt = ASK_THEME[self.lang].format(label=theme.label, count=count, papers=papers, n=3)
        return SectionJob(section, prompt, {self.n(i) for i in chosen}, f"{count} 3")

    def _overview_job(self, section: Section) -> SectionJob:
        lines, allowed = [], set()
        for theme in self.a.themes[:6]:
            reps = theme.representatives[:2]
            allowed.update(self.n(i) for i in reps)
            titles = "; ".join(f"[{self.n(i)}] {clip_words(self.a.papers[i].title, 14)}" for i in reps)
            lines.append(f"- {theme.label} ({len(theme.members)} papers): {titles}")
        count = len(self.a.papers)
        prompt = ASK_OVERVIEW[self.lang].format(count=count, themes="\n".join(lines))
        context = " ".join([str(count), str(len(self.a.themes))] + [str(len(t.members)) for t in self.a.themes])
        return SectionJob(section, prompt, allowed, context)

    # ---------------------------------------------------------------- generation

    def _write(self, job: SectionJob) -> Section:
        """Try each tier until one answer is fully grounded; else the best partial one; else offline.

        An answer is usable only when at least half of its kept sentences cite
        a paper: prose that cites nothing is not a grounded briefing.
        """
        sources = {self.n(i): f"{p.title} {p.abstract}" for i, p in enumerate(self.a.papers)}
        best, lost = None, None
        for tier in tiers_of(self.backend):
            completion = self._call(tier, job)
            if completion is None:
                continue
            kept, report = check_sentences(parse_paragraphs(completion.text), job.allowed, sources, context=job.context)
            usable = bool(kept) and 2 * report.cited_sentences >= len(kept)  # at most half uncited
            if usable and not report.dropped_sentences and not report.unresolved_removed:
                return self._accept(job, kept, report, completion.model)
            if usable:
                best = (kept, report, completion.model)
            else:
                lost = report
        if best is not None:
            return self._accept(job, *best)
        return self._fallback(job, lost)

    def _call(self, tier: Backend, job: SectionJob) -> Completion | None:
        stage = job.section.title
        streamed: list[str] = []

        def token(piece: str) -> None:
            streamed.append(piece)
            self.on_progress(stage, "".join(streamed))

        try:
            completion = tier.complete(job.prompt, system=SYSTEM[self.lang], max_tokens=self.max_tokens, on_token=token)
        except LLMError as exc:
            self.usage.errors.append(f"{job.section.title}: {exc.code}: {exc}")
            return None
        self._count(completion)
        return completion

    def _count(self, completion: Completion) -> None:
        usage = self.usage
        usage.calls += 1
        usage.cached_calls += int(completion.cached)
        usage.prompt_tokens += completion.prompt_tokens
        usage.completion_tokens += completion.completion_tokens
        usage.cost += completion.cost
        if completion.model not in usage.models:
            usage.models.append(completion.model)

    def _accept(self, job: SectionJob, kept, report: Grounding, model: str) -> Section:
        self.report.add(report)
        section = job.section
        return Section(section.kind, section.title, kept, theme=section.theme, engine=model)

    def _fallback(self, job: SectionJob, report: Grounding | None) -> Section:
        """Nothing grounded came back: the offline section stands in, and the loss is counted."""
        if report is not None:
            self.report.unresolved_removed += report.unresolved_removed
            self.report.unsupported_numbers += report.unsupported_numbers
            self.report.dropped_sentences += report.dropped_sentences
        self.report.regenerated_sections += 1
        return job.section
