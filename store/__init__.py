"""The shared database layer under both ``etl`` and ``metrics``: connections, the
copy-and-replace write session, the small key/value ``meta`` table, and the vocabulary
(codes and names) that the loader writes and the metrics read.

Nothing here knows how a table is filled or what a figure means; it imports neither
``etl`` nor ``metrics``.
"""
