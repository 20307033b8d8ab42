"""``python -m filterlib``: the same command line as ``filterlib``."""

from __future__ import annotations

from .cli import main

raise SystemExit(main())
