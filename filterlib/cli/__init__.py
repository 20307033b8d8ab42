"""``filterlib``: the command line.

:func:`main` runs it (the ``filterlib`` console script and ``python -m filterlib``). The parser
and the dispatch are in :mod:`filterlib.cli.app`; each command has its module: ``check``
(:mod:`filterlib.cli.check`, reading orders with :mod:`filterlib.cli.inputs` and writing the
verdicts with :mod:`filterlib.cli.outputs` and :mod:`filterlib.cli.html`), ``explain``
(:mod:`filterlib.cli.explain`), ``diff`` (:mod:`filterlib.cli.diff`), ``snapshot fetch`` and
``snapshot validate`` (:mod:`filterlib.cli.snapshot`) and ``snapshot info``
(:mod:`filterlib.cli.info`). The logic they share with programs (the snapshot diff, the rules
that concern an order) lives in the library, not here.

Exit status: 0 every order passes, 1 some order fails (rejected; with ``--fail-on``, also
unchecked rules or warnings), 2 unusable input (bad snapshot, unreadable file, or any order that
could not be checked). The contract is in docs/cli.md.
"""

from __future__ import annotations

from .app import main
from .check import EXIT_OK, EXIT_REJECTED, EXIT_UNUSABLE

__all__ = ["EXIT_OK", "EXIT_REJECTED", "EXIT_UNUSABLE", "main"]
