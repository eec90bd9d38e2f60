"""A three-page OAI-PMH harvest made of real recorded pages, chained by tokens.

Page 1 is scirate's complete 1,000-record arXivRaw page (its own real token);
pages 2 and 3 are hepcrawl's trimmed ListRecords pages (3 records each, arXiv
format). Page 2 gets a resumptionToken element pointing at page 3 — the
only edit — so the harvest has a middle page and a last one.
"""

from __future__ import annotations

from pathlib import Path

from academichub.core.arxiv_oai import parse_oai
from tests.httpserver import Reply

PAGE1 = "arxiv_oai/scirate_ListRecords_arXivRaw_2014-01-16_token_496549-95001.xml"
PAGE2 = "arxiv_oai/hepcrawl_ListRecords_arXiv_set-physics-hep-ex_2017-12-14.xml"
PAGE3 = "arxiv_oai/hepcrawl_ListRecords_arXiv_set-physics-hep-th_2017-12-14.xml"
TOKEN1 = "496549|96001"
TOKEN2 = "page-3-token"


def pages(fixtures: Path) -> dict[str | None, bytes]:
    first = (fixtures / PAGE1).read_bytes()
    second = (fixtures / PAGE2).read_bytes().replace(
        b"</ListRecords>", f"<resumptionToken cursor='1000'>{TOKEN2}</resumptionToken></ListRecords>".encode()
    )
    return {None: first, TOKEN1: second, TOKEN2: (fixtures / PAGE3).read_bytes()}


def distinct_ids(fixtures: Path) -> set[str]:
    return {r.arxiv_id for body in pages(fixtures).values() for r in parse_oai(body).records}


def responder(fixtures: Path, delays: dict[str | None, float] | None = None):
    """Answer by resumptionToken, as an OAI-PMH server does."""
    bodies = pages(fixtures)
    delays = delays or {}

    def answer(request) -> Reply:
        token = request.param("resumptionToken")
        if token not in bodies:
            body = ("<?xml version='1.0'?><OAI-PMH xmlns='http://www.openarchives.org/OAI/2.0/'>"
                    "<error code='badResumptionToken'>expired</error></OAI-PMH>")  # fmt: skip
            return Reply(200, body=body, headers={"Content-Type": "text/xml"})
        return Reply(200, body=bodies[token], headers={"Content-Type": "text/xml"}, delay=delays.get(token, 0))

    return answer
