"""Send only what passes: submitters that plug into filterlib, kept outside the pure core.

``import filterlib`` never imports this package (nor ``http``/``socket``); import it yourself::

    from filterlib.submit import Guard, HmacSigner, Outcome, RestSubmitter

    rest = RestSubmitter("https://api.binance.com", api_key, HmacSigner(secret), timeout=10)
    guard = Guard(rest, filterlib.load_default_exchange_info(), context_provider=my_context)
    response = guard.submit("/api/v3/order", params)

See docs/submitting.md for each outcome and what a bot should do about it. For a bot's tests,
:mod:`filterlib.submit.testing` runs a fake Binance on 127.0.0.1 (imported only when asked).
"""

from __future__ import annotations

from .fakes import Call, DryRunSubmitter, RecordingSubmitter
from .guard import NOT_ABOUT_THE_ORDER, ContextProvider, Guard
from .protocol import Submitter
from .response import CAUSES, Disagreement, OrderLookup, Outcome, Response
from .rest import MAX_RECV_WINDOW, RestSubmitter, new_client_order_id, signed_query_and_body
from .signing import Ed25519Signer, HmacSigner, MissingExtraError, RsaSigner, Signer

__all__ = [
    "CAUSES",
    "MAX_RECV_WINDOW",
    "NOT_ABOUT_THE_ORDER",
    "Call",
    "ContextProvider",
    "Disagreement",
    "DryRunSubmitter",
    "Ed25519Signer",
    "Guard",
    "HmacSigner",
    "MissingExtraError",
    "OrderLookup",
    "Outcome",
    "RecordingSubmitter",
    "Response",
    "RestSubmitter",
    "RsaSigner",
    "Signer",
    "Submitter",
    "new_client_order_id",
    "signed_query_and_body",
]
