"""Rejected rows: stored with their reasons, every cell masked, fast at any count.

A rejected row is kept so that the person who exported the file can find and fix
it, but never with personal data in clear. Every cell of the stored row is masked:

- a cell of a personal-data column (the mapping's ``[pii]`` columns and an address
  column the district is taken from) is replaced whole by 〔已遮蔽〕;
- every other cell goes through ``pii.mask_text(cell, known)``, where ``known``
  holds the row's personal-data cells, so a name or phone repeated in a subject or
  in a wrong column is masked too, as are the patterns (IDs, phones, e-mails, house
  numbers) wherever they stand.

A malformed row (more or fewer fields than the header) cannot be matched to the
header by position: with d fields missing or extra, the value of the personal
column at position j sits anywhere from j - d to j + d (a missing field before it
moves it left, an extra one right). Every cell in those windows counts as
personal: it is masked whole and is a known value for the other cells. That is
exact for the shapes a broken row has (fields left out, an unquoted delimiter, a
line broken inside a cell); a row both missing and gaining fields could move a
personal value further, and then only the patterns protect it.

Speed: a year whose every row fails is 240,000 rows of some twenty cells. The cells
are tested in bulk (``pii.ANY_PATTERN``, an RE2 expression that matches wherever a
masking pattern could, on the half-width text, with pyarrow; and a substring test
of the row's own personal values), ``mask_text`` runs only on the cells flagged,
and DuckDB builds the JSON and inserts the rows from Arrow in one statement.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from etl import pii, validate
from etl.reader import Table
from etl.text import halfwidth

MASKED = "〔已遮蔽〕"
_SEPARATOR = "\x00"  # joins a row's cells for one substring test
_FULL_WIDTH = "[\uff01-\uff5e\u3000]"  # what etl.text.halfwidth converts


@dataclass
class RejectedRows:
    """Rows of one shape (the same keys), ready to mask and store."""

    keys: list[str]  # JSON keys: the header, or header names and 第N欄 for extra cells
    columns: list[np.ndarray]  # one object array of text cells per key
    numbers: np.ndarray  # 1-based data row numbers
    reasons: np.ndarray  # reason text per row
    personal: set[int]  # positions (in keys) of cells that count as personal data


def well_formed(table: Table, texts: pd.Series, personal: set[str]) -> RejectedRows:
    """The rows of ``table.frame`` named by ``texts`` (reason per frame index)."""
    header = list(table.frame.columns)
    at = table.frame.index.get_indexer(texts.index)
    return RejectedRows(
        keys=header,
        columns=[table.frame[c].to_numpy(dtype=object)[at] for c in header],
        numbers=np.asarray(table.row_numbers, dtype=np.int64)[at],
        reasons=texts.to_numpy(dtype=object),
        personal={i for i, h in enumerate(header) if h in personal},
    )


def malformed(table: Table, personal: set[str]) -> list[RejectedRows]:
    """The malformed and blank rows of ``table``, grouped by length (see the module
    docstring for which of their cells count as personal)."""
    header = list(table.frame.columns)
    width = len(header)
    targets = [i for i, h in enumerate(header) if h in personal]
    by_length: dict[int, list[tuple[int, list[str]]]] = defaultdict(list)
    for number, cells in table.malformed:
        by_length[len(cells)].append((number, cells))
    groups = []
    for length, rows in sorted(by_length.items()):
        shift = abs(length - width)
        window = {p for j in targets for p in range(j - shift, j + shift + 1) if 0 <= p < length}
        reasons = [
            validate.BLANK_ROW
            if not any(c.strip() for c in cells)
            else validate.MALFORMED_ROW.format(found=len(cells), expected=width)
            for _, cells in rows
        ]
        groups.append(
            RejectedRows(
                keys=[header[i] if i < width else f"第{i + 1}欄" for i in range(length)],
                columns=[np.array([c[i] for _, c in rows], dtype=object) for i in range(length)],
                numbers=np.array([n for n, _ in rows], dtype=np.int64),
                reasons=np.array(reasons, dtype=object),
                personal=window,
            )
        )
    return groups


def store(con: duckdb.DuckDBPyConnection, batch_id: int, groups: list[RejectedRows]) -> int:
    """Mask and insert the rows into ``rejects``; returns how many were stored."""
    stored = 0
    for group in groups:
        if not len(group.numbers):
            continue
        cells = mask_cells(group.columns, group.personal)
        names = [f"c{i}" for i in range(len(cells))]  # identifiers made here, not from input
        frame = pa.table(
            {**dict(zip(names, (pa.array(c, type=pa.string()) for c in cells), strict=True)),
             "row_number": pa.array(group.numbers, type=pa.int32()),
             "reason": pa.array(group.reasons, type=pa.string())}
        )  # fmt: skip
        pairs = ", ".join(f"?, {n}" for n in names)
        con.register("rejects_source", frame)
        try:
            con.execute(
                f"INSERT INTO rejects SELECT ?, row_number, json_object({pairs}), reason "  # noqa: S608 (c0..cN made above)
                "FROM rejects_source",
                [batch_id, *group.keys],
            )
        finally:
            con.unregister("rejects_source")
        stored += len(group.numbers)
    return stored


def mask_cells(columns: list[np.ndarray], personal: set[int]) -> list[np.ndarray]:
    """Every cell masked (see the module docstring); ``personal`` are column positions."""
    if not columns:
        return []
    known_cells = [columns[p] for p in sorted(personal)]
    # The row's own personal values as mask_text looks for them: half-width, stripped,
    # two characters or more.
    forms = [
        tuple(f for f in (v.strip() for v in values) if len(f) >= 2)
        for values in zip(*(_halfwidth_view(c)[0] for c in known_cells), strict=True)
    ] if known_cells else [()] * len(columns[0])  # fmt: skip
    out: list[np.ndarray] = []
    views: dict[int, tuple[np.ndarray, pa.Array]] = {}
    for i, cells in enumerate(columns):
        if i in personal:
            out.append(np.where(cells != "", MASKED, "").astype(object))
        else:
            views[i] = _halfwidth_view(cells)
            out.append(cells)
    if not views:
        return out
    # Rows where one of the row's own values occurs in some other cell (one test per
    # row on its cells joined; the cells are tested one by one only in those rows).
    joined = (_SEPARATOR.join(parts) for parts in zip(*(v for v, _ in views.values()), strict=True))
    own = np.fromiter(
        (bool(f) and any(x in text for x in f) for text, f in zip(joined, forms, strict=True)),
        dtype=bool,
        count=len(forms),
    )
    for i, (view, arrow) in views.items():
        flagged = pc.match_substring_regex(arrow, pii.ANY_PATTERN).fill_null(False)
        pattern = flagged.to_numpy(zero_copy_only=False)
        # A cell in which none of the row's values occurs masks the same without them.
        mine = np.zeros(len(view), dtype=bool)
        for k in np.flatnonzero(own):
            mine[k] = any(x in view[k] for x in forms[k])
        hits = np.flatnonzero(pattern | mine)
        if len(hits):
            cells = columns[i].copy()
            for k in hits:
                known = tuple(c[k] for c in known_cells if c[k]) if mine[k] else ()
                cells[k] = pii.mask_text(str(cells[k]), known)
            out[i] = cells
    return out


def _halfwidth_view(cells: np.ndarray) -> tuple[np.ndarray, pa.Array]:
    """``halfwidth`` of every cell, as objects and as Arrow; converted only where a
    full-width character occurs (found in bulk), the other cells are their own view."""
    arrow = pa.array(cells, type=pa.string(), from_pandas=True)
    wide = pc.match_substring_regex(arrow, _FULL_WIDTH).fill_null(False)
    at = np.flatnonzero(wide.to_numpy(zero_copy_only=False))
    if not len(at):
        return cells, arrow
    view = cells.copy()
    view[at] = [halfwidth(v) for v in cells[at]]
    return view, pa.array(view, type=pa.string())


def top_reasons(
    reasons: validate.Reasons, groups: list[RejectedRows], limit: int = 5
) -> list[tuple[str, int]]:
    """The most frequent rules among the rejected rows: (label, rows), most first."""
    counts: dict[str, int] = defaultdict(int)
    for label, hits, _ in reasons.rules():
        counts[label] += hits
    for group in groups:
        for text in group.reasons:
            counts[text] += 1
    return sorted(counts.items(), key=lambda item: -item[1])[:limit]


def list_rejects(con: duckdb.DuckDBPyConnection, batch_id: int) -> pd.DataFrame:
    """The rejected rows of a batch: row number, reason, and the (masked) raw row."""
    return con.execute(
        "SELECT row_number, reason, raw FROM rejects WHERE batch_id = ? ORDER BY row_number",
        [batch_id],
    ).df()
