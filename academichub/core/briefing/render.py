"""A briefing as Markdown (export, e-mail) with each [n] linked to its paper."""

from __future__ import annotations

from collections.abc import Callable

from academichub.core.briefing.model import Briefing, CatalogueEntry, Sentence

HEADINGS = {"en": ("References", "Grounding"), "zh": ("参考文献", "引用核验")}


def sentence_text(sentence: Sentence, language: str, mark: Callable[[int], str] | None = None) -> str:
    marks = "".join(mark(n) if mark else f"[{n}]" for n in sentence.cites)
    end = "。" if language == "zh" else "."
    body = sentence.text.rstrip()
    if body.endswith(("。", ".", "!", "?", "”", "\"")) and not marks:
        return body
    return f"{body.rstrip('。.')}{' ' if language != 'zh' and marks else ''}{marks}{end}"


def to_markdown(briefing: Briefing, *, title: str = "", link: Callable[[CatalogueEntry], str] | None = None) -> str:
    link = link or (lambda entry: entry.url)
    lines = [f"# {title}", ""] if title else []
    for section in briefing.sections:
        lines += [f"## {section.title}", ""]
        lines.append(" ".join(sentence_text(s, briefing.language) for s in section.sentences))
        lines.append("")
    cited = briefing.cited_numbers()
    refs, _ = HEADINGS.get(briefing.language, HEADINGS["en"])
    lines += [f"## {refs}", ""]
    for n in sorted(cited):
        entry = briefing.entry(n)
        if entry is None:
            continue
        target = link(entry)
        name = f"arXiv:{entry.arxiv_id} " if entry.arxiv_id else ""
        lines.append(f"[{n}] {name}{entry.title}" + (f" <{target}>" if target else ""))
    return "\n".join(lines).rstrip() + "\n"
