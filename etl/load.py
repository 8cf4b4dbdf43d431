"""Loading a file: read, map, validate, write, and account for every row.

For every batch, rows read = loaded (new) + updated (changed) + unchanged +
rejected; the batches table enforces it with a CHECK. Records are keyed by
(source system, id) and carry a hash of their canonical content, so loading the
same file twice changes no record, and a later export of the same cases updates
them in place. The whole load runs in a private copy of the database that
replaces the live file only when complete (see ``store.db.write_session``).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from etl import database, districts, petitions, phone_tests, pii, row_hash, surveys, validate
from etl.deadlines import DUE_DATES_SQL
from etl.keyfile import key_path_for, secret_for
from etl.mapping import Mapping, MappingError, default_mapping, load_mapping
from etl.reader import ReadError, Table, read_table
from etl.validate import Reasons
from store.db import scalar

Progress = Callable[[str, int, int], None]
MASKED = "〔已遮蔽〕"


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

    @property
    def outcome(self) -> str:
        return "partial" if self.rows_rejected else "success"


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
) -> LoadResult:
    """Load one export file. Raises ReadError, MappingError or etl.keyfile.KeyFileError with
    a Chinese message; on any failure the database is left as it was."""
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
                            progress=progress)  # fmt: skip
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
) -> LoadResult:
    """Load a table already read into a prepared database open for writing (the body
    of ``load_file``; tests call it on an in-memory database). The caller owns the
    transaction: ``load_file`` runs it inside a write session."""
    started = dt.datetime.now()
    clock = time.perf_counter()
    raw = mapping.extract(table.frame)
    resolver = districts.resolver_for(mapping.district_lists)
    reasons = Reasons(raw.index)
    progress("檢核與正規化", 0, table.rows_read)
    others = [d for d in resolver.districts if d.city != districts.CONFIGURED_CITY]
    if others:  # the configured city's are in place since the schema was created
        districts.store(con, others)
    batch_id = int(scalar(con, "SELECT nextval('batch_ids')"))
    writer = _WRITERS[kind]
    counts = writer(con, raw, table, mapping, resolver, secret, reasons, batch_id, progress)
    rejected = _store_rejects(con, batch_id, table, mapping, raw, reasons)
    result = LoadResult(
        batch_id=batch_id,
        kind=kind,
        file_name=file_name,
        encoding=table.encoding,
        rows_read=table.rows_read,
        rows_loaded=counts[0],
        rows_updated=counts[1],
        rows_unchanged=counts[2],
        rows_rejected=rejected,
        seconds=0.0,
        top_reasons=_top_reasons(con, batch_id),
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


# ---------------------------------------------------------------- writers per kind


def _write_petitions(con, raw, table, mapping, resolver, secret, reasons, batch_id, progress):
    spec = mapping.fields.get("district")
    prepared = petitions.prepare(
        raw, mapping.source_system, resolver, secret, bool(spec and spec.address), reasons,
        formats=mapping.date_formats(),
    )  # fmt: skip
    _reject_duplicates(prepared, ["source_system", "case_id"], table, "案件編號", reasons)
    good = prepared[~reasons.rejected()]
    progress("檢核與正規化", table.rows_read, table.rows_read)
    _stage(con, "petitions_stage", good.assign(rid=good.index),
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


def _write_surveys(con, raw, table, mapping, resolver, secret, reasons, batch_id, progress):
    responses, answers = surveys.prepare(raw, mapping, resolver, reasons)
    _reject_duplicates(
        responses, ["source_system", "wave", "respondent_id"], table, "問卷編號", reasons
    )
    ok = ~reasons.rejected()
    good = responses[ok].assign(rid=responses[ok].index)
    answers = answers[answers["row"].isin(good.index)]
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


def _write_phone_tests(con, raw, table, mapping, resolver, secret, reasons, batch_id, progress):
    calls, scores = phone_tests.prepare(raw, mapping, reasons)
    _reject_duplicates(calls, ["source_system", "call_id"], table, "測試編號", reasons)
    ok = ~reasons.rejected()
    good = calls[ok].assign(rid=calls[ok].index)
    scores = scores[scores["row"].isin(good.index)]
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
    frame: pd.DataFrame, key: list[str], table: Table, label: str, reasons: Reasons
) -> None:
    numbers = pd.Series(table.row_numbers, index=frame.index)
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

    ``target``, ``stage`` and column names come from the fixed lists of this package,
    never from input. A child table (answers, item scores) is replaced for every
    new or changed parent; its stage rows carry the parent's ``row`` index.
    """
    _check_identifiers(target, stage, *key, *columns, *hash_extra, *(child[:2] if child else ()),
                       *(child[2] if child else ()))  # fmt: skip
    keys = ", ".join(key)
    cols = ", ".join(columns)
    same_key = " AND ".join(f"t.{k} = u.{k}" for k in key)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE upsert_stage AS "  # noqa: S608 (identifiers checked above)
        f"SELECT *, {row_hash.expression(row_hash.column_types(con, target), columns, hash_extra)} "
        f"AS row_hash FROM {stage}"
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
    if child is not None:
        child_table, child_stage, child_columns = child
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
    return int(loaded), int(updated), int(unchanged)


def _store_rejects(
    con, batch_id: int, table: Table, mapping: Mapping, raw: pd.DataFrame, reasons: Reasons
) -> int:
    pii_columns = set(mapping.personal_columns())
    header = list(table.frame.columns)

    def masked(cells: dict[str, str]) -> str:
        # The row's own personal values are masked wherever they appear, then patterns.
        known = tuple(str(v) for k, v in cells.items() if k in pii_columns and v)
        safe = {
            k: (MASKED if k in pii_columns and v else pii.mask_text(str(v), known))
            for k, v in cells.items()
        }
        return json.dumps(safe, ensure_ascii=False)

    rows = []
    mask = reasons.rejected()
    numbers = table.row_numbers
    for idx in mask[mask].index:
        rows.append(
            (batch_id, numbers[idx], masked(table.frame.loc[idx].to_dict()), reasons.text(idx))
        )
    for number, cells in table.malformed:
        named = {(header[i] if i < len(header) else f"第{i + 1}欄"): c for i, c in enumerate(cells)}
        reason = (
            validate.BLANK_ROW
            if not any(c.strip() for c in cells)
            else validate.MALFORMED_ROW.format(found=len(cells), expected=len(header))
        )
        rows.append((batch_id, number, masked(named), reason))
    if rows:
        con.executemany("INSERT INTO rejects VALUES (?, ?, ?, ?)", rows)
    return len(rows)


def _top_reasons(
    con: duckdb.DuckDBPyConnection, batch_id: int, limit: int = 5
) -> list[tuple[str, int]]:
    reasons = con.execute("SELECT reason FROM rejects WHERE batch_id = ?", [batch_id]).fetchall()
    counts: Counter[str] = Counter()
    for (text,) in reasons:
        for part in text.split("；"):
            # Group by rule, not by value: the part before the first quoted value.
            counts[part.split("「")[0].rstrip("：") or part] += 1
    return counts.most_common(limit)


def list_rejects(con: duckdb.DuckDBPyConnection, batch_id: int) -> pd.DataFrame:
    """The rejected rows of a batch: row number, reason, and the (masked) raw row."""
    return con.execute(
        "SELECT row_number, reason, raw FROM rejects WHERE batch_id = ? ORDER BY row_number",
        [batch_id],
    ).df()
