"""Step 5, offline engine: a briefing from templates and sentences extracted from abstracts.

No model is needed: every sentence is either a template filled with facts
from the analysis (counts, key phrases, categories, bridges, trends) or a
sentence copied from an abstract, and each one cites the papers it rests
on. English and Chinese share the same structure and citations; extracted
sentences stay in the abstract's own language (quoted), as a reader
expects of a source quotation.
"""

from __future__ import annotations

from academichub.core import taxonomy
from academichub.core.briefing.analysis import Analysis
from academichub.core.briefing.model import (LANGUAGES, Briefing, Bridge, CatalogueEntry, Grounding, Section,
                                             Sentence, Theme)  # fmt: skip
from academichub.core.briefing.text import clip_words, contribution, open_question

T = {
    "en": {
        "overview": "Overview", "links": "Cross-domain links", "notable": "Notable papers and why",
        "trends": "Trends and open questions", "theme": "Theme {n}: {label}",
        "intro": "{count} papers on {scope} ({window}) fall into {k} themes; the largest are {names} {cites}.",
        "intro_one": "{count} papers on {scope} ({window}) form one theme, {names} {cites}.",
        "fields": "They come from {fields}.",
        "theme_size": "{count} papers ({share}% of the set) work on {phrases}.",
        "new": "“{title}”: {sentence}",
        "grew": "Its share rose from {before}% to {now}% against the previous window.",
        "fell": "Its share fell from {before}% to {now}% against the previous window.",
        "held": "Its share held at about {now}% (previous window: {before}%).",
        "fresh": "It has no counterpart in the previous window: a new theme.",
        "between": "“{title}” sits between “{a}” and “{b}”: {sentence}",
        "travel": "“{phrase}” travels across fields: {fields}.",
        "listed": "“{title}” is listed in both {fields}, linking them.",
        "no_links": "No paper in this window closely links two themes or fields.",
        "why": "“{title}”: {reasons}.",
        "rising": "“{phrase}” appears in {now} papers, up from {before} in the previous window.",
        "open": "“{title}” leaves open: {sentence}",
        "r_top": "ranked first for this scope", "r_venue": "{arg}", "r_bridge": "bridges {arg}",
        "r_central": "the most central paper of theme {arg}", "r_code": "code released",
        "r_signals": "{arg} upvotes elsewhere", "r_ranked": "ranked #{arg}",
        "and": " and ", "sep": ", ", "field": "{code} ({name})", "count": "{label} ({n})",
        "venue_note": "accepted/published at {arg}",
    },
    "zh": {
        "overview": "概览", "links": "跨领域关联", "notable": "值得关注的论文及理由",
        "trends": "趋势与开放问题", "theme": "主题 {n}：{label}",
        "intro": "{scope}（{window}）共 {count} 篇论文，可归为 {k} 个主题，最大的是{names}{cites}。",
        "intro_one": "{scope}（{window}）共 {count} 篇论文，构成一个主题：{names}{cites}。",
        "fields": "论文来自{fields}。",
        "theme_size": "{count} 篇论文（占 {share}%）围绕{phrases}展开。",
        "new": "《{title}》：“{sentence}”",
        "grew": "与上一时段相比，该主题占比由 {before}% 升至 {now}%。",
        "fell": "与上一时段相比，该主题占比由 {before}% 降至 {now}%。",
        "held": "该主题占比约为 {now}%，与上一时段（{before}%）持平。",
        "fresh": "上一时段没有与之对应的论文，是新出现的主题。",
        "between": "《{title}》介于“{a}”与“{b}”之间：“{sentence}”",
        "travel": "“{phrase}”跨领域出现于{fields}。",
        "listed": "《{title}》同时列于{fields}，连接了这两个领域。",
        "no_links": "本时段没有论文紧密连接两个主题或领域。",
        "why": "《{title}》：{reasons}。",
        "rising": "“{phrase}”出现在 {now} 篇论文中，上一时段为 {before} 篇。",
        "open": "《{title}》留下的开放问题：“{sentence}”",
        "r_top": "在此范围中排名第一", "r_venue": "{arg}", "r_bridge": "连接{arg}",
        "r_central": "主题 {arg} 中最具代表性的论文", "r_code": "已公开代码",
        "r_signals": "在其他平台获得 {arg} 个赞", "r_ranked": "排名第 {arg}",
        "and": "与", "sep": "、", "field": "{code}（{name}）", "count": "“{label}”（{n} 篇）",
        "venue_note": "已被 {arg} 接收/发表",
    },
}


def cite(numbers: list[int]) -> str:
    return "".join(f"[{n}]" for n in numbers)


class OfflineWriter:
    """Writes every section of a briefing from an ``Analysis`` without a model."""

    engine = "offline"

    def __init__(self, analysis: Analysis, language: str = "en", *, scope: str = "", window: str = ""):
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
        self.a, self.lang, self.t = analysis, language, T[language]
        self.scope, self.window = scope or "—", window or "—"

    # ---------------------------------------------------------------- helpers

    def n(self, index: int) -> int:
        return self.a.n(index)

    def title(self, index: int, words: int = 14) -> str:
        return clip_words(self.a.papers[index].title, words)

    def field_name(self, code: str) -> str:
        found = taxonomy.category(code)
        if not found:
            return code
        return self.t["field"].format(code=code, name=found.name_zh if self.lang == "zh" else found.name_en)

    def join(self, items: list[str]) -> str:
        if len(items) <= 1:
            return "".join(items)
        return self.t["sep"].join(items[:-1]) + self.t["and"] + items[-1]

    def theme_name(self, theme: Theme) -> str:
        return " / ".join(theme.phrases[:2]) or f"#{theme.id + 1}"

    # ---------------------------------------------------------------- sections

    def sections(self) -> list[Section]:
        out = [self.overview()]
        out += [self.theme(theme) for theme in self.a.themes]
        out += [self.links(), self.notable(), self.trends()]
        return [s for s in out if s.sentences]

    def overview(self) -> Section:
        themes = self.a.themes
        if not themes:
            return Section("overview", self.t["overview"])
        big = themes[:2]
        names = self.join([self.t["count"].format(label=self.theme_name(t), n=len(t.members)) for t in big])
        cites = [self.n(t.representatives[0]) for t in big]
        key = "intro" if len(themes) > 1 else "intro_one"
        intro = self.t[key].format(count=len(self.a.papers), scope=self.scope, window=self.window, k=len(themes),
                                   names=names, cites="").strip()  # fmt: skip
        sentences = [Sentence(intro.rstrip("。."), cites)]
        fields = self._field_counts()
        if len(fields) > 1:
            text = self.t["fields"].format(fields=self.join([f"{self.field_name(c)} {n}" for c, (n, _) in fields[:4]]))
            sentences.append(Sentence(text.rstrip("。."), [self.n(i) for _, (_, i) in fields[:4]]))
        return Section("overview", self.t["overview"], sentences)

    def _field_counts(self) -> list[tuple[str, tuple[int, int]]]:
        counts: dict[str, list[int]] = {}
        for i, paper in enumerate(self.a.papers):
            counts.setdefault(paper.primary, []).append(i)
        ranked = sorted(counts.items(), key=lambda kv: -len(kv[1]))
        return [(code, (len(members), members[0])) for code, members in ranked if code]

    def theme(self, theme: Theme) -> Section:
        t, reps = self.t, theme.representatives
        phrases = self.join([f"“{p}”" for p in theme.phrases[:3]]) or self.theme_name(theme)
        share = round(100 * theme.share_now)
        sentences = [Sentence(t["theme_size"].format(count=len(theme.members), share=share, phrases=phrases).rstrip("。."),
                              [self.n(i) for i in reps])]  # fmt: skip
        for i in reps[:2]:
            said = contribution(self.a.papers[i].abstract)
            if said:
                sentences.append(Sentence(t["new"].format(title=self.title(i), sentence=said.rstrip(".")), [self.n(i)]))
        trend = self._theme_trend(theme)
        if trend:
            sentences.append(Sentence(trend.rstrip("。."), [self.n(reps[0])]))
        title = t["theme"].format(n=theme.id + 1, label=theme.label)
        return Section("theme", title, sentences, theme=theme.id)

    def _theme_trend(self, theme: Theme) -> str:
        if theme.share_before is None:
            return ""
        now, before = round(100 * theme.share_now), round(100 * theme.share_before)
        if before == 0:
            return self.t["fresh"]
        key = "grew" if now >= before * 1.25 else "fell" if now <= before * 0.8 else "held"
        return self.t[key].format(now=now, before=before)

    def links(self) -> Section:
        sentences = [s for s in (self._bridge(b) for b in self._spread(self.a.bridges)) if s]
        if not sentences:
            sentences = [Sentence(self.t["no_links"].rstrip("。."))]
        return Section("links", self.t["links"], sentences)

    def _spread(self, bridges: list[Bridge], limit: int = 6) -> list[Bridge]:
        """A mix of the three kinds, best first within each, one sentence per paper."""
        kinds: dict[str, list[Bridge]] = {}
        for bridge in bridges:
            kinds.setdefault(bridge.kind, []).append(bridge)
        out, seen = [], set()
        while len(out) < limit and any(kinds.values()):
            for kind in ("method_travel", "between_themes", "cross_listed"):
                if kinds.get(kind) and len(out) < limit:
                    bridge = kinds[kind].pop(0)
                    if bridge.kind == "method_travel" or bridge.papers[0] not in seen:
                        out.append(bridge)
                        seen.update(bridge.papers)
        return out

    def _bridge(self, bridge: Bridge) -> Sentence | None:
        t, i = self.t, bridge.papers[0]
        if bridge.kind == "method_travel":
            fields = self.join([self.field_name(f) for f in bridge.fields])
            return Sentence(t["travel"].format(phrase=bridge.phrase, fields=fields).rstrip("。."),
                            [self.n(j) for j in bridge.papers])  # fmt: skip
        if bridge.kind == "between_themes":
            a, b = (self.theme_name(self.a.themes[x]) for x in bridge.themes[:2])
            said = contribution(self.a.papers[i].abstract, max_words=30).rstrip(".")
            return Sentence(t["between"].format(title=self.title(i), a=a, b=b, sentence=said), [self.n(i)])
        fields = self.join([self.field_name(f) for f in bridge.fields[:2]])
        return Sentence(t["listed"].format(title=self.title(i), fields=fields).rstrip("。."), [self.n(i)])

    def notable(self) -> Section:
        sentences = []
        for i, reasons in self.a.notable:
            words = self.join([self._reason(code, arg) for code, arg in reasons])
            sentences.append(Sentence(self.t["why"].format(title=self.title(i), reasons=words).rstrip("。."), [self.n(i)]))
        return Section("notable", self.t["notable"], sentences)

    def _reason(self, code: str, arg: str) -> str:
        if code == "venue":
            return self.t["venue_note"].format(arg=arg)
        if code == "central":
            return self.t["r_central"].format(arg=int(arg) + 1)
        if code == "bridge":
            parts = arg.split("|")
            labels = [self.field_name(p) if not p.isdigit() else self.theme_name(self.a.themes[int(p)]) for p in parts]
            return self.t["r_bridge"].format(arg=self.join(labels))
        return self.t[f"r_{code}"].format(arg=arg)

    def trends(self) -> Section:
        t, sentences = self.t, []
        for trend in self.a.rising:
            text = t["rising"].format(phrase=trend.phrase, now=trend.now, before=trend.before)
            sentences.append(Sentence(text.rstrip("。."), [self.n(i) for i in trend.papers]))
        for i in self._open_questions():
            said = open_question(self.a.papers[i].abstract).rstrip(".")
            sentences.append(Sentence(t["open"].format(title=self.title(i), sentence=said), [self.n(i)]))
        return Section("trends", t["trends"], sentences)

    def _open_questions(self, limit: int = 3) -> list[int]:
        """Papers whose abstracts name an open problem, one per theme first."""
        found = [i for i, p in enumerate(self.a.papers) if open_question(p.abstract)]
        by_theme: dict[int, int] = {}
        for i in found:
            by_theme.setdefault(int(self.a.clustering.labels[i]), i)
        chosen = list(by_theme.values())[:limit]
        return chosen + [i for i in found if i not in chosen][: limit - len(chosen)]

    def briefing(self) -> Briefing:
        return Briefing(self.lang, self.sections(), catalogue(self.a), self.a.themes, self.a.bridges,
                        Grounding(), engine=self.engine, papers_in=len(self.a.papers),
                        meta={"scope": self.scope, "window": self.window, "k": self.a.clustering.k,
                              "silhouette": round(self.a.clustering.silhouette, 4), "tried": self.a.clustering.tried})  # fmt: skip


def catalogue(analysis: Analysis) -> list[CatalogueEntry]:
    return [CatalogueEntry(analysis.n(i), p.key, p.title, p.arxiv_id, p.url) for i, p in enumerate(analysis.papers)]

