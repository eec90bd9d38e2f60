"""Errors shared by the source parsers.

A parser that cannot read a body raises ``ParseError`` instead of returning an
empty result, so a maintenance page or a cut-off download is never mistaken
for "no new papers today". ``FetchError`` (transport failures) lives in
``academichub.core.http``; both are shown to the user as they are, so their
messages say what happened and what to do.
"""

from __future__ import annotations


class ParseError(Exception):
    """A body from ``source`` that is not what the parser expects.

    ``source`` names the feed ("arXiv RSS", "arXiv OAI-PMH", "arXiv API") so a
    log line says where the bad data came from; ``code`` carries a protocol
    error code when the service sent one (OAI-PMH ``badResumptionToken``,
    the API's ``incorrect_id_format_for_abc`` ...), so callers can branch on
    it without parsing the message.
    """

    def __init__(self, message: str, *, source: str, code: str | None = None):
        self.source = source
        self.code = code
        self.message = message
        super().__init__(f"{source}: {message}")


def describe_xml_failure(data: bytes, detail: str) -> str:
    """Explain why a body did not parse, guessing the usual culprits.

    The three real-world causes need different actions: an empty body or an
    HTML page means the service had a problem (retry later), a body cut short
    means the download broke (retry now), anything else is malformed data.
    """
    head = data[:512].lstrip().lower()
    if not data.strip():
        return "the response body is empty; the service may be having problems, try again later"
    if head.startswith(b"<!doctype html") or head.startswith(b"<html"):
        return ("the service answered with an HTML page instead of XML (an error or "
                "maintenance page); try again later")  # fmt: skip
    if "premature end" in detail.lower() or "end of data" in detail.lower():
        return (f"the XML is cut short ({detail}); the download was probably interrupted, "
                "so fetch it again")  # fmt: skip
    return f"the body is not well-formed XML ({detail})"


def parse_xml(data: bytes, *, source: str):
    """Parse untrusted XML safely, or raise ``ParseError`` saying why not.

    Entities are not resolved and nothing is fetched from the network, so a
    hostile feed cannot read local files (XXE) or make us call other hosts;
    comments and processing instructions are dropped so they never leak into
    text (one legacy API fixture comments out a ``<published>``).
    """
    from lxml import etree  # lxml is a hard dependency; imported here to keep errors.py light

    if not isinstance(data, (bytes, bytearray)):
        raise TypeError(f"{source}: expected the raw response bytes, got {type(data).__name__}")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             remove_comments=True, remove_pis=True, huge_tree=False)  # fmt: skip
    try:
        root = etree.fromstring(bytes(data), parser)
    except etree.XMLSyntaxError as exc:
        raise ParseError(describe_xml_failure(bytes(data), str(exc)), source=source) from exc
    if root is None:
        raise ParseError(describe_xml_failure(bytes(data), "no root element"), source=source)
    return root
