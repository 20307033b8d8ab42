"""The one-method interface every submitter implements (httpx's transports are the model)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from .response import Response

__all__ = ["Submitter"]


@runtime_checkable
class Submitter(Protocol):
    """Sends ``params`` to ``endpoint`` (for example ``/api/v3/order``) and returns the answer.

    Implementations never raise for an answer Binance gives, nor for a network failure: those
    are outcomes of the :class:`~filterlib.submit.Response`. They raise only when called wrongly
    (:class:`~filterlib.UsageError`). Wrappers such as :class:`~filterlib.submit.Guard` are
    submitters too, so they stack.
    """

    def submit(self, endpoint: str, params: Mapping[str, object]) -> Response: ...
