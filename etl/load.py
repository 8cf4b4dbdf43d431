"""Loading a file: read, map, validate, write, and account for every row.

For every batch, rows read = loaded (new) + updated (changed) + unchanged +
rejected; the batches table enforces it with a CHECK. Records are keyed by
(source system, id) and carry a hash of their canonical content, so loading the
same file twice changes no record, and a later export of the same cases updates
them in place. The whole load runs in a private copy of the database that
replaces the live file only when complete (see ``store.db.write_session``).

Stages: read (``etl.reader``), map (``Mapping.extract``), check (each kind's
``prepare`` collects reasons per row, ``etl.validate``), write (stage, derive,
upsert), and store the rejected rows, masked (``etl.rejects``).

Stopping early (``etl.early_stop``): the first 1,000 data rows are checked before
the rest; when one rule rejects at least 90 % of them, the load stops with that rule
and a hint. An aborted batch writes no row of the file into petitions, surveys or
phone tests (nor other cities' districts or survey items); it records

- a ``batches`` row with outcome ``aborted``, where rows_read counts the rows
  examined (the first 1,000 data rows, or the whole file if shorter), all of them
  counted as rejected, so that rows_read = loaded + updated + unchanged + rejected
  holds with 0 + 0 + 0 + examined;
- one ``rejects`` row for each examined row: its own reasons if it failed, else a
  reason saying it passed but the file was stopped. ``svcq rejects`` lists exactly
  what was examined, and every row counted as rejected has its reason.

``LoadResult.stop`` then carries the rule, the counts, the hint and the message to
show (with the batch id); the caller exits with an error. ``stop_early=False``
checks and loads the whole file whatever its reject rate (benchmarks, tests).
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from etl import (
    database,
    districts,
    early_stop,
    petitions,
    phone_tests,
    rejects,
    row_hash,
    surveys,
    validate,
)
from etl.deadlines import DUE_DATES_SQL
from etl.districts import DistrictResolver
from etl.early_stop import EarlyStop
from etl.keyfile import key_path_for, secret_for
from etl.mapping import Mapping, MappingError, default_mapping, load_mapping
from etl.reader import ReadError, Table, read_table
from etl.rejects import list_rejects
from etl.validate import Reasons
from store.db import scalar

__all__ = ["EarlyStop", "LoadResult", "list_rejects", "load_file", "load_table"]

Progress = Callable[[str, int, int], None]


@dataclass
class LoadResult:
    batch_id: int
    kind: str
    file_name: str
    encoding: str
    rows_read: int
    rows_loaded: int
    rows_updated: int
    rows_unchanged: int
    rows_rejected: int
    seconds: float
    top_reasons: list[tuple[str, int]] = field(default_factory=list)
    absent_columns: list[str] = field(default_factory=list)  # optional columns not in the file
    # [pii] columns the file did not have (allowed): the CLI says so once.
    absent_pii: list[str] = field(default_factory=list)
    stop: EarlyStop | None = None  # set when the load stopped early; nothing was loaded

    @property
    def outcome(self) -> str:
        if self.stop is not None:
            return "aborted"
        return "partial" if self.rows_rejected else "success"

    @property
    def aborted(self) -> bool:
        return self.stop is not None


def _noop(stage: str, done: int, total: int) -> None:
    return None


def resolve_mapping(kind: str, mapping_path: Path | None) -> Mapping:
    mapping = load_mapping(mapping_path) if mapping_path else default_mapping(kind)
    if mapping.kind != kind:
        raise MappingError(f"對照檔 {mapping.name} 是 {mapping.kind} 用的，不能載入 {kind}")
    return mapping


def load_file(
    db_path: Path | str,
    kind: str,
    path: Path | str,
    *,
    mapping_path: Path | str | None = None,
    encoding: str | None = None,
    progress: Progress = _noop,
    stop_early: bool = True,
) -> LoadResult:
    """Load one export file. Raises ReadError, MappingError or etl.keyfile.KeyFileError with
    a Chinese message; on any failure the database is left as it was. A file that stops
    early (see the module docstring) returns a result with ``stop`` set: its batch is
    recorded as aborted and ``result.stop.message`` says why, with a hint."""
    clock = time.perf_counter()
    db_path, path = Path(db_path), Path(path)
    mapping = resolve_mapping(kind, Path(mapping_path) if mapping_path else None)
    progress("讀取檔案", 0, 1)
    table = read_table(path, encoding=encoding or mapping.encoding, sheet=mapping.sheet)
    mapping.check_columns(list(table.frame.columns), path.name)
    if not table.rows_read:  # an empty batch would say a load happened when nothing did
        raise ReadError(f"{path.name} 只有標題列，沒有任何資料列；沒有可載入的內容")
    progress("讀取檔案", 1, 1)
    with database.write_session(db_path) as con:
        # Under the writer lock: the key is this database's own (fingerprint checked),
        # created only for a database that has none yet.
        secret = secret_for(con, key_path_for(db_path), db_path)
        result = load_table(con, kind, table, mapping, secret, file_name=path.name,
                            progress=progress, stop_early=stop_early)  # fmt: skip
    result.seconds = time.perf_counter() - clock
    return result


def load_table(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    table: Table,
    mapping: Mapping,
    secret: bytes,
    *,
    file_name: str,
    progress: Progress = _noop,
    stop_early: bool = True,
) -> LoadResult:
    """Load a table already read into a prepared database open for writing (the body
    of ``load_file``; tests call it on an in-memory database). The caller owns the
    transaction: ``load_file`` runs it inside a write session."""
    started = dt.datetime.now()
    clock = time.perf_counter()
    resolver = districts.resolver_for(mapping.district_lists)
    personal = set(mapping.personal_columns())
    batch_id = int(scalar(con, "SELECT nextval('batch_ids')"))
    progress("檢核與正規化", 0, table.rows_read)
    limit = early_stop.PROBE_ROWS if stop_early else None
    checked = _check(kind, table, mapping, resolver, secret, up_to=limit)
    stop = None
    if limit is not None:
        broken = rejects.malformed(checked.table, personal)
        stop = early_stop.decide(checked.reasons, broken, checked.examined, table.rows_read)
    if stop is None and checked.examined < table.rows_read:
        checked = _check(kind, table, mapping, resolver, secret)
    progress("檢核與正規化", table.rows_read, table.rows_read)
    if stop is None:
        counts = _write(con, kind, checked, mapping, resolver, batch_id, progress)
    else:
        stop = dataclasses.replace(stop, batch_id=batch_id)
        counts = (0, 0, 0)
    rejected, top = _store_rejects(con, batch_id, checked, personal, stop)
    result = LoadResult(
        batch_id=batch_id,
        kind=kind,
        file_name=file_name,
        encoding=table.encoding,
        rows_read=checked.examined,
        rows_loaded=counts[0],
        rows_updated=counts[1],
        rows_unchanged=counts[2],
        rows_rejected=rejected,
        seconds=0.0,
        top_reasons=top,
        stop=stop,
        absent_columns=mapping.absent_optional(list(table.frame.columns)),
        absent_pii=mapping.absent_personal_columns(list(table.frame.columns)),
    )
    con.execute(
        "INSERT INTO batches (batch_id, kind, file_name, file_sha256, mapping, encoding, "
        "rows_read, rows_loaded, rows_updated, rows_unchanged, rows_rejected, started_at, "
        "finished_at, outcome, data_as_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [batch_id, kind, file_name, table.sha256, mapping.name, table.encoding, result.rows_read,
         result.rows_loaded, result.rows_updated, result.rows_unchanged, rejected, started,
         dt.datetime.now(), result.outcome, mapping.data_as_of(table.frame)],
    )  # fmt: skip
    progress("寫入資料庫", 1, 1)
    result.seconds = time.perf_counter() - clock
    return result


@dataclass
class _Checked:
    """The checked rows of a table (or of its first rows): typed rows and reasons."""

    table: Table  # the rows checked
    examined: int  # data rows checked, malformed ones included
    rows: pd.DataFrame  # canonical typed rows, one per frame row
    children: pd.DataFrame | None  # survey answers / item scores, by parent ``row``
    reasons: Reasons


def _check(kind: str, table: Table, mapping: Mapping, resolver: DistrictResolver, secret: bytes,
           *, up_to: int | None = None) -> _Checked:  # fmt: skip
    """Map and validate the data rows numbered up to ``up_to`` (all when None)."""
    if up_to is not None and table.rows_read > up_to:
        k = bisect.bisect_right(table.row_numbers, up_to)
        table = Table(
            frame=table.frame.iloc[:k],
            row_numbers=table.row_numbers[:k],
            encoding=table.encoding,
            malformed=[m for m in table.malformed if m[0] <= up_to],
            sha256=table.sha256,
        )
    raw = mapping.extract(table.frame)
    reasons = Reasons(raw.index)
    rows, children = _PREPARE[kind](raw, table.row_numbers, mapping, resolver, secret, reasons)
    return _Checked(table, table.rows_read, rows, children, reasons)


def _store_rejects(con: duckdb.DuckDBPyConnection, batch_id: int, checked: _Checked,
                   personal: set[str], stop: EarlyStop | None) -> tuple[int, list[tuple[str, int]]]:  # fmt: skip
    """Store the rejected rows (masked); returns their count and the top reasons.

    After an early stop every examined row is stored, those that passed with a
    reason saying the file was stopped (see the module docstring).
    """
    texts = checked.reasons.texts()
    if stop is not None:
        passed = checked.rows.index.difference(texts.index)
        texts = pd.concat([texts, pd.Series(stop.not_loaded(), index=passed, dtype=object)])
        texts = texts.sort_index()
    broken = rejects.malformed(checked.table, personal)
    groups = [rejects.well_formed(checked.table, texts, personal), *broken]
    return rejects.store(con, batch_id, groups), rejects.top_reasons(checked.reasons, broken)


def _write(con: duckdb.DuckDBPyConnection, kind: str, checked: _Checked, mapping: Mapping,
           resolver: DistrictResolver, batch_id: int, progress: Progress) -> tuple[int, int, int]:  # fmt: skip
    """Write the rows that passed; returns (loaded, updated, unchanged)."""
    others = [d for d in resolver.districts if d.city != districts.CONFIGURED_CITY]
    if others:  # the configured city's are in place since the schema was created
        districts.store(con, others)
    ok = ~checked.reasons.rejected()
    good = checked.rows[ok].assign(rid=checked.rows.index[ok])
    children = checked.children
    if children is not None:
        children = children[children["row"].isin(good.index)]
    return _WRITERS[kind](con, good, children, mapping, batch_id, progress)


# ---------------------------------------------------------------- each kind: check, write


def _prepare_petitions(raw, row_numbers, mapping, resolver, secret, reasons):
    spec = mapping.fields.get("district")
    prepared = petitions.prepare(
        raw, mapping.source_system, resolver, secret, bool(spec and spec.address), reasons,
        formats=mapping.date_formats(),
    )  # fmt: skip
    _reject_duplicates(prepared, ["source_system", "case_id"], row_numbers, "案件編號", reasons)
    return prepared, None


def _write_petitions(con, good, children, mapping, batch_id, progress):
    _stage(con, "petitions_stage", good,
           dates=("received_date", "given_due_date", "extended_due_date"))  # fmt: skip
    con.execute(
        petitions.DERIVE_SQL.format(
            stage="petitions_stage",
            due_sql=DUE_DATES_SQL.format(staging="petitions_stage"),
            reply_quality=petitions.REPLY_QUALITY_SQL,
        )
    )
    progress("寫入資料庫", 0, 1)
    con.execute(petitions.TOUCHED_SQL)
    counts = _upsert(
        con, "petitions", "petitions_final", petitions.KEY, petitions.COLUMNS, batch_id
    )
    con.execute(petitions.REPEAT_GAP_SQL.format(scope=petitions.TOUCHED_PAIRS))
    con.execute(petitions.MONTHLY_SQL.format(**petitions.TOUCHED_MONTHS))
    return counts


def _prepare_surveys(raw, row_numbers, mapping, resolver, secret, reasons):
    responses, answers = surveys.prepare(raw, mapping, resolver, reasons)
    key = ["source_system", "wave", "respondent_id"]
    _reject_duplicates(responses, key, row_numbers, "問卷編號", reasons)
    return responses, answers


def _write_surveys(con, good, answers, mapping, batch_id, progress):
    con.executemany(
        "INSERT OR REPLACE INTO survey_items VALUES (?, ?, ?, ?, ?)",
        [(i.code, i.text, i.dimension, i.is_overall, n) for n, i in enumerate(mapping.items)],
    )
    _stage(con, "survey_stage", good, dates=("responded_on",))
    _stage(con, "answers_stage", answers)
    progress("寫入資料庫", 0, 1)
    return _upsert(con, "survey_responses", "survey_stage", surveys.KEY, surveys.COLUMNS, batch_id,
                   hash_extra=("answers_signature",),
                   child=("survey_answers", "answers_stage", surveys.ANSWER_COLUMNS))  # fmt: skip


def _prepare_phone_tests(raw, row_numbers, mapping, resolver, secret, reasons):
    calls, scores = phone_tests.prepare(raw, mapping, reasons)
    _reject_duplicates(calls, ["source_system", "call_id"], row_numbers, "測試編號", reasons)
    return calls, scores


def _write_phone_tests(con, good, scores, mapping, batch_id, progress):
    con.executemany(
        "INSERT OR REPLACE INTO phone_rubric VALUES (?, ?, ?, ?, ?)",
        [
            (mapping.rubric_version, r.code, r.text, r.category, r.max_points)
            for r in mapping.rubric
        ],
    )
    _stage(con, "calls_stage", good)
    _stage(con, "scores_stage", scores)
    progress("寫入資料庫", 0, 1)
    return _upsert(con, "phone_tests", "calls_stage", phone_tests.KEY, phone_tests.COLUMNS, batch_id,
                   hash_extra=("points_signature",),
                   child=("phone_test_scores", "scores_stage", phone_tests.SCORE_COLUMNS))  # fmt: skip


_PREPARE = {
    "petitions": _prepare_petitions,
    "surveys": _prepare_surveys,
    "phone-tests": _prepare_phone_tests,
}
_WRITERS = {
    "petitions": _write_petitions,
    "surveys": _write_surveys,
    "phone-tests": _write_phone_tests,
}


# ---------------------------------------------------------------- shared steps


def _stage(
    con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame, *, dates: tuple[str, ...] = ()
) -> None:
    """Copy a frame into a temp table; ``dates`` are cast from pandas' timestamps to DATE.

    The frame goes over as Arrow: DuckDB scanning Python string objects is several
    times slower. ``name`` and ``dates`` come from this module, never from input.
    """
    con.register("stage_source", pa.Table.from_pandas(frame, preserve_index=False))
    casts = ", ".join(f"CAST({c} AS DATE) AS {c}" for c in dates)
    replace = f" REPLACE ({casts})" if casts else ""
    _check_identifiers(name, *dates)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT *{replace} FROM stage_source")  # noqa: S608 (identifiers checked)
    con.unregister("stage_source")


def _reject_duplicates(
    frame: pd.DataFrame, key: list[str], row_numbers: list[int], label: str, reasons: Reasons
) -> None:
    numbers = pd.Series(row_numbers, index=frame.index)
    validate.duplicates_keep_last(frame[key], numbers, label, reasons)


_IDENTIFIERS = frozenset(
    {"petitions", "survey_responses", "survey_answers", "phone_tests", "phone_test_scores",
     "petitions_final", "petitions_stage", "survey_stage", "answers_stage", "calls_stage",
     "scores_stage", "given_due_date", "responded_on",
     "answers_signature", "points_signature", *petitions.COLUMNS, *surveys.COLUMNS, *surveys.ANSWER_COLUMNS,
     *phone_tests.COLUMNS, *phone_tests.SCORE_COLUMNS}
)  # fmt: skip


def _check_identifiers(*names: str) -> None:
    """SQL identifiers are interpolated, so they must come from the schema's own lists."""
    unknown = [n for n in names if n not in _IDENTIFIERS]
    if unknown:
        raise ValueError(f"internal: identifiers not in the allow-list: {unknown}")


def _upsert(
    con: duckdb.DuckDBPyConnection,
    target: str,
    stage: str,
    key: tuple[str, ...],
    columns: tuple[str, ...],
    batch_id: int,
    *,
    hash_extra: tuple[str, ...] = (),
    child: tuple[str, str, tuple[str, ...]] | None = None,
) -> tuple[int, int, int]:
    """Insert new records, replace changed ones; returns (loaded, updated, unchanged).

    Three steps: hash the staged rows and compare them with the stored ones by key
    (``_compare``), write the new and changed ones (``_write_changed``), and replace
    the child rows (answers, item scores) of every new or changed parent
    (``_replace_children``; the child stage rows carry the parent's ``row`` index).
    ``target``, ``stage`` and column names come from the fixed lists of this package,
    never from input; each step checks them against the allow-list.
    """
    counts = _compare(con, target, stage, key, columns, hash_extra)
    _write_changed(con, target, key, columns, batch_id)
    if child is not None:
        _replace_children(con, key, *child)
    return counts


def _compare(
    con: duckdb.DuckDBPyConnection,
    target: str,
    stage: str,
    key: tuple[str, ...],
    columns: tuple[str, ...],
    hash_extra: tuple[str, ...],
) -> tuple[int, int, int]:
    """Hash the staged rows (temp table ``upsert_stage``), count them as new, changed or
    unchanged against ``target``, and keep the new and changed ones (``upsert_changed``)."""
    _check_identifiers(target, stage, *key, *columns, *hash_extra)
    keys = ", ".join(key)
    digest = row_hash.expression(row_hash.column_types(con, target), columns, hash_extra)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE upsert_stage AS SELECT *, {digest} AS row_hash FROM {stage}"  # noqa: S608 (identifiers checked above)
    )
    loaded, updated, unchanged = con.execute(
        f"""
        SELECT count(*) FILTER (WHERE t.row_hash IS NULL),
               count(*) FILTER (WHERE t.row_hash <> s.row_hash),
               count(*) FILTER (WHERE t.row_hash = s.row_hash)
        FROM upsert_stage s LEFT JOIN {target} t USING ({keys})
        """  # noqa: S608 (identifiers checked above)
    ).fetchall()[0]
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE upsert_changed AS
        SELECT s.* FROM upsert_stage s LEFT JOIN {target} t USING ({keys})
        WHERE t.row_hash IS NULL OR t.row_hash <> s.row_hash
        """  # noqa: S608 (identifiers checked above)
    )
    return int(loaded), int(updated), int(unchanged)


def _write_changed(
    con: duckdb.DuckDBPyConnection,
    target: str,
    key: tuple[str, ...],
    columns: tuple[str, ...],
    batch_id: int,
) -> None:
    """Write ``upsert_changed`` into ``target``, tagged with the batch."""
    _check_identifiers(target, *key, *columns)
    cols = ", ".join(columns)
    same_key = " AND ".join(f"t.{k} = u.{k}" for k in key)
    # New records go in with a plain INSERT; only changed ones need the slower OR REPLACE.
    con.execute(
        f"INSERT INTO {target} ({cols}, row_hash, batch_id) "  # noqa: S608 (identifiers checked above)
        f"SELECT {cols}, row_hash, ? FROM upsert_changed u "
        f"WHERE NOT EXISTS (SELECT 1 FROM {target} t WHERE {same_key})",
        [batch_id],
    )
    con.execute(
        f"INSERT OR REPLACE INTO {target} ({cols}, row_hash, batch_id) "  # noqa: S608 (identifiers checked above)
        f"SELECT {cols}, row_hash, ? FROM upsert_changed u "
        f"WHERE EXISTS (SELECT 1 FROM {target} t WHERE {same_key} "
        f"AND t.row_hash <> u.row_hash)",
        [batch_id],
    )


def _replace_children(
    con: duckdb.DuckDBPyConnection,
    key: tuple[str, ...],
    child_table: str,
    child_stage: str,
    child_columns: tuple[str, ...],
) -> None:
    """Replace the child rows of every parent in ``upsert_changed`` with the staged ones."""
    _check_identifiers(child_table, child_stage, *key, *child_columns)
    match = " AND ".join(f"c.{k} = u.{k}" for k in key)
    con.execute(
        f"DELETE FROM {child_table} c WHERE EXISTS (SELECT 1 FROM upsert_changed u WHERE {match})"  # noqa: S608 (identifiers checked above)
    )
    parent_cols = ", ".join(f"u.{k}" for k in key)
    child_only = ", ".join(f"x.{c}" for c in child_columns if c not in key)
    con.execute(
        f"INSERT INTO {child_table} ({', '.join(child_columns)}) "  # noqa: S608 (identifiers checked above)
        f"SELECT {parent_cols}, {child_only} FROM {child_stage} x JOIN upsert_changed u ON x.row = u.rid"
    )
