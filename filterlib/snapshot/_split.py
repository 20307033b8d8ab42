"""The JSON splitter of a lazy load: cuts the ``symbols`` array out of the bytes, one symbol at a
time, without parsing the document whole.
"""

from __future__ import annotations

import re
from typing import Any, Final

import orjson

from ..exceptions import SnapshotError
from ._decode import _unwrap
from ._fields import _MISSING

_WS: Final = b" \t\n\r"  # JSON's whitespace, and nothing else


_SYMBOL_START: Final = re.compile(rb'\{[ \t\n\r]*"symbol"[ \t\n\r]*:')


_SYMBOLS_OPEN: Final = re.compile(rb'"symbols"[ \t\n\r]*:[ \t\n\r]*\[[ \t\n\r]*\Z')


_OBJECT_THEN_CLOSE: Final = re.compile(rb"\}[ \t\n\r]*\]")


_PLACEHOLDER: Final = "filterlib-lazy-symbols-placeholder"


def _split_symbols(data: bytes) -> tuple[dict[str, Any], list[tuple[object, bytes]]] | None:
    """Cut the ``symbols`` array out of the JSON without parsing the document whole.

    Candidate element starts are the objects whose first key is ``"symbol"`` (as Binance writes
    every symbol). Each element between two starts must parse on its own as a JSON object, the
    gaps must be whitespace and one comma, and the rest of the document, with the array
    replaced by a placeholder string, must parse and hold the placeholder where ``_build``
    reads ``symbols``. A valid JSON value ends exactly at its closing brace, so when all of
    that holds the cut is exact and the whole document is valid JSON. Otherwise (another
    layout, invalid JSON) returns None and the caller parses the document whole.

    Returns the rest of the document and, per element, its ``symbol`` value and compact JSON.
    The elements are parsed one at a time, so memory never holds the whole parsed document.
    """
    starts = [m.start() for m in _SYMBOL_START.finditer(data)]
    if not starts or _PLACEHOLDER.encode() in data:
        return None
    opened = _SYMBOLS_OPEN.search(data, max(0, starts[0] - 4096), starts[0])
    if opened is None:
        return None
    loads, dumps, ws = orjson.loads, orjson.dumps, _WS
    pieces: list[tuple[object, bytes]] = []
    close = -1
    try:
        for i, start in enumerate(starts):
            if i + 1 < len(starts):
                end = starts[i + 1]
                while data[end - 1] in ws:
                    end -= 1
                if data[end - 1] != 0x2C:  # ","
                    return None
                end -= 1
                while data[end - 1] in ws:
                    end -= 1
                piece = data[start:end]
                raw = loads(piece)
            else:
                for tries, found in enumerate(_OBJECT_THEN_CLOSE.finditer(data, start)):
                    if tries == 32:
                        return None
                    piece = data[start : found.start() + 1]
                    try:
                        raw = loads(piece)
                    except orjson.JSONDecodeError:
                        continue
                    close = found.end()
                    break
                else:
                    return None
            if type(raw) is not dict:
                return None
            if b"\n" in piece:  # pretty-printed: keep the compact form
                piece = dumps(raw)
            pieces.append((raw.get("symbol", _MISSING), piece))
        bracket = opened.start() + opened.group().rindex(b"[")
        placeholder = b'"' + _PLACEHOLDER.encode() + b'"'
        rest = loads(b"".join((data[:bracket], placeholder, data[close:])))
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):  # encode: a piece nested too deep
        return None
    if type(rest) is not dict:
        return None
    try:
        top = rest if "symbols" in rest else _unwrap(rest, None)
    except SnapshotError:
        return None
    if top.get("symbols") != _PLACEHOLDER:
        return None
    return rest, pieces
