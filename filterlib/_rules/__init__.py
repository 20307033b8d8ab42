"""The rules after the request layer, one small function each (python-jsonschema's keywords).

Each function yields :class:`~filterlib._verdict.Violation` for what it finds broken and
:class:`~filterlib._verdict.Unchecked` for what it could not judge; ``common`` holds their shared
arithmetic. The engine decides which violation Binance reports, from the catalogue's order.
"""
