"""Submitters for tests: one that records calls and answers from a script, one that never sends."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping

from attrs import frozen

from ..exceptions import UsageError
from .response import Response

__all__ = ["Call", "DryRunSubmitter", "RecordingSubmitter"]


@frozen
class Call:
    """One ``submit`` call as received (the parameters are copied)."""

    endpoint: str
    params: Mapping[str, object]


class RecordingSubmitter:
    """Records every call in ``calls`` and answers with the scripted ``responses`` in turn.

    Without a script every call is ACCEPTED with ``{}``. With one, a call past its end raises
    :class:`~filterlib.UsageError`, the one exception a submitter raises (it is called wrongly):
    a test that sends more than it scripted has a bug worth seeing.
    """

    def __init__(self, responses: Iterable[Response] = ()) -> None:
        self.calls: list[Call] = []
        self._script = deque(responses)
        self._scripted = bool(self._script)

    def submit(self, endpoint: str, params: Mapping[str, object]) -> Response:
        self.calls.append(Call(endpoint, dict(params)))
        if not self._scripted:
            return Response.accepted()
        if not self._script:
            raise UsageError(
                f"RecordingSubmitter: no scripted response left for call {len(self.calls)}"
            )
        return self._script.popleft()


class DryRunSubmitter:
    """Answers every call as ``POST /api/v3/order/test`` does (HTTP 200, ``{}``); sends nothing.

    Behind a :class:`~filterlib.submit.Guard` it runs a bot end to end on filterlib's check
    alone. ``calls`` keeps what would have been sent.
    """

    def __init__(self) -> None:
        self.calls: list[Call] = []

    def submit(self, endpoint: str, params: Mapping[str, object]) -> Response:
        self.calls.append(Call(endpoint, dict(params)))
        return Response.accepted()
