"""Translations: compiled at run time with polib, complete for every string."""

from __future__ import annotations

import ast
import gettext
import os
import re
import shutil
from pathlib import Path

import polib
import pytest

from academichub.i18n import PACKAGE_DIR, catalogues, compile_messages

ZH_PO = PACKAGE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
GETTEXT_CALLS = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy"}
TRANSLATE_TAG = re.compile(r"""{%\s*(?:translate|trans)\s+(["'])(.*?)\1(?:\s+(?:noop|as\s+\w+))*\s*%}""")
BLOCK_TAG = re.compile(
    r"{%\s*(?:blocktranslate|blocktrans)\b([^%]*)%}(.*?){%\s*end(?:blocktranslate|blocktrans)\s*%}", re.S
)


def test_compile_only_when_missing_or_stale(tmp_path):
    po = tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    shutil.copy(ZH_PO, po)
    assert compile_messages(tmp_path) == [po.with_suffix(".mo")]
    assert compile_messages(tmp_path) == []  # up to date: nothing written
    later = po.with_suffix(".mo").stat().st_mtime + 10
    os.utime(po, (later, later))
    assert compile_messages(tmp_path) == [po.with_suffix(".mo")]
    with po.with_suffix(".mo").open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    assert catalogue.gettext("Today") == "今日"
    assert catalogue.ngettext("%(n)d author", "%(n)d authors", 7) % {"n": 7} == "7 位作者"


def test_the_project_catalogue_is_found_and_compiled():
    assert ZH_PO in catalogues()
    compile_messages()
    assert ZH_PO.with_suffix(".mo").stat().st_mtime >= ZH_PO.stat().st_mtime


@pytest.mark.parametrize("po_path", catalogues(), ids=lambda p: str(p.relative_to(PACKAGE_DIR)))
def test_every_catalogue_entry_is_translated(po_path):
    po = polib.pofile(str(po_path))
    assert po.metadata["Plural-Forms"].startswith("nplurals=1")
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


def test_reference_screen_wording():
    po = {e.msgid: e for e in polib.pofile(str(ZH_PO))}
    assert po["Explore the frontier of research worldwide."].msgstr == "探索全球前沿学术脉络"
    assert po["Academic Intelligence · Curated Daily"].msgstr == "Academic Intelligence · Curated Daily"
    glossary = {"Another batch": "换一批", "Author": "作者", "Get trending papers in your email inbox": "订阅每日热门论文"}
    for msgid, expected in glossary.items():
        if msgid in po:  # the pages that use them may not exist yet
            assert po[msgid].msgstr == expected


def _python_strings(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name in GETTEXT_CALLS:
            args = node.args[1:] if name.startswith("pgettext") else node.args  # pgettext(context, msgid)
            if args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
                found.add(args[0].value)
    return found


def _template_strings(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    found = {m.group(2) for m in TRANSLATE_TAG.finditer(text)}
    for options, body in BLOCK_TAG.findall(text):
        if "{% plural" in body or "context" in options:
            continue
        if "trimmed" in options:
            body = " ".join(body.split())
        found.add(re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", body))
    return found


def _source_strings() -> dict[str, Path]:
    strings = {}
    for path in PACKAGE_DIR.rglob("*"):
        if "migrations" in path.parts:
            continue
        if path.suffix == ".py":
            strings.update(dict.fromkeys(_python_strings(path), path))
        elif path.suffix in {".html", ".txt"} and "templates" in path.parts:
            strings.update(dict.fromkeys(_template_strings(path), path))
    return strings


@pytest.mark.parametrize("language", ["zh_Hans"])
def test_every_string_in_the_source_has_a_translation(language):
    """Fails when a page gains a string nobody translated. Fix: add the msgid/msgstr
    pair to the app's own catalogue, academichub/<app>/locale/zh_Hans/LC_MESSAGES/django.po
    (or the project's academichub/locale/...), or run `django-admin makemessages -l zh_Hans`
    from the app's directory and fill in the new msgstr lines."""
    # Each app may keep its own catalogue (academichub/<app>/locale/...); Django
    # merges them, so a string counts as translated when any catalogue has it.
    translated = {
        entry.msgid
        for path in catalogues()
        if path.parts[-3] == language
        for entry in polib.pofile(str(path)).translated_entries()
    }
    missing = {s: str(p.relative_to(PACKAGE_DIR)) for s, p in _source_strings().items() if s not in translated}
    assert missing == {}
