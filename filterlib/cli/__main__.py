"""``python -m filterlib.cli``: the same command line as ``filterlib``."""

from __future__ import annotations

from .app import main

raise SystemExit(main())
