"""Survey satisfaction (滿意度): rate, interval, sampling error, change and trend across waves.

Reads survey_answers joined to survey_responses (respondent attributes, period on
``responded_on``) and survey_items (dimension). Only aggregates leave DuckDB.
Rates are fractions in [0, 1]; sampling errors and changes are in percentage points.
Cronbach's alpha is in ``metrics.reliability``; petitions' reply satisfaction in
``metrics.reply_satisfaction``.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import numpy as np
import pandas as pd
from scipy.stats import norm

from metrics import stats
from metrics._sql import DISTRICT_NAME, IN_CITY, IN_CITY_COLUMN, UNSPECIFIED, with_agency
from metrics.filters import Filters

PUBLIC_METRICS = ("survey_satisfaction", "satisfaction_change", "satisfaction_trend")

# `by` name -> SQL expression (the only identifiers ever put into the query).
# Missing respondent attributes show as 未填; districts outside the city as 其他縣市.
BY_COLUMNS = {
    "wave": "a.wave",
    "dimension": "i.dimension",
    "item": "a.item_code",
    "unit": f"coalesce(r.unit, '{UNSPECIFIED}')",
    "agency": f"coalesce(r.agency, '{UNSPECIFIED}')",
    "mode": f"coalesce(r.mode, '{UNSPECIFIED}')",
    "district": DISTRICT_NAME.format(p="r."),
    "sex": f"coalesce(r.sex, '{UNSPECIFIED}')",
    "age_group": f"coalesce(r.age_group, '{UNSPECIFIED}')",
    "month": "strftime(r.responded_on, '%Y-%m')",
}
SURVEY_FILTERS = ("agencies", "units", "districts")
PERIOD_COLUMN = "responded_on"

SATISFIED_MIN_SCORE = 4  # 滿意 (4) and 非常滿意 (5)
NO_OPINION = ("無意見", "不知道")

# Which answers form the denominator. Substantive answers carry a score 1..5.
CONVENTIONS = {
    # Taiwan practice: no-opinion answers count, refusals and blanks do not.
    "taiwan": f"(a.score IS NOT NULL OR a.answer IN ({', '.join(repr(x) for x in NO_OPINION)}))",
    # Only the five scale points.
    "substantive_only": "a.score IS NOT NULL",
}

# Which items a figure pools: see ``items_clause``.
Items = str | tuple[str, ...] | None

COLUMNS = ["n", "satisfied", "rate", "ci_low", "ci_high", "mean_score", "max_sampling_error"]

CHANGE_COLUMNS = [
    "wave_from",
    "wave_to",
    "n_from",
    "rate_from",
    "n_to",
    "rate_to",
    "change_pp",
    "z",
    "p_value",
    "significant",
    "verdict",
]

TREND_COLUMNS = [
    "waves",
    "first_wave",
    "last_wave",
    "n",
    "first_rate",
    "last_rate",
    "slope_pp",
    "z",
    "p_value",
    "significant",
    "verdict",
]

VERDICT_UP = "顯著上升"
VERDICT_DOWN = "顯著下降"
VERDICT_NONE = "無顯著差異"
VERDICT_TREND_UP = "顯著上升趨勢"
VERDICT_TREND_DOWN = "顯著下降趨勢"
VERDICT_TREND_NONE = "無顯著趨勢"
VERDICT_INSUFFICIENT = "資料不足"

# {respondents} joins survey_responses (as r) only when a filter or grouping needs it:
# joining every answer to its respondent is most of the cost of the query.
COUNTS_SQL = """
SELECT * FROM (
    SELECT {select}
           count(*) AS n,
           count(*) FILTER (WHERE a.score >= ?) AS satisfied,
           count(a.score) AS scored,
           sum(a.score) AS score_sum
    FROM survey_answers a
    {respondents}
    JOIN survey_items i ON i.item_code = a.item_code
    WHERE {where} AND {waves} AND {items} AND {valid}
    GROUP BY ALL
    HAVING count(*) > 0
)
ORDER BY {order}
"""

# No hand-written wave pre-filter: DuckDB's dynamic join filters already skip the waves
# outside the period, and an IN (SELECT wave ...) beside the convention's OR made the
# plan three times slower.
RESPONDENTS_JOIN = """
    JOIN survey_responses r
      ON r.source_system = a.source_system AND r.wave = a.wave
     AND r.respondent_id = a.respondent_id"""
RESPONDENT_BY = ("unit", "agency", "mode", "district", "sex", "age_group", "month")


# Waves in time order: by their first response date, then by label.
WAVE_ORDER_SQL = """
SELECT r.wave
FROM survey_responses r
WHERE {where}
GROUP BY r.wave
ORDER BY min(r.responded_on) NULLS LAST, r.wave
"""


def check_by(by: Sequence[str], allowed: Sequence[str]) -> tuple[str, ...]:
    """Validate grouping names against an allow-list (ValueError in Traditional Chinese);
    a unit is grouped with its agency (``_sql.with_agency``)."""
    if isinstance(by, str):
        by = (by,)
    by = tuple(by)
    for name in by:
        if name not in allowed:
            raise ValueError(f"不支援的分組欄位：{name}（可用：{'、'.join(allowed)}）")
    if len(set(by)) != len(by):
        raise ValueError(f"分組欄位重複：{'、'.join(by)}")
    return with_agency(by) if "agency" in allowed else by


def key_columns(by: Sequence[str], *, item_text: bool = False) -> list[str]:
    """The result's key columns for a grouping: district brings in_city after it, and
    item its item_text when asked."""
    out = []
    for b in by:
        out.append(b)
        if b == "district":
            out.append(IN_CITY_COLUMN)
        if b == "item" and item_text:
            out.append("item_text")
    return out


def _check_convention(convention: str) -> str:
    if convention not in CONVENTIONS:
        raise ValueError(f"不支援的滿意度計算方式：{convention}（可用：{'、'.join(CONVENTIONS)}）")
    return CONVENTIONS[convention]


def items_clause(items: Items, dimension: str | None = None) -> tuple[str, list]:
    """SQL over survey_items (as ``i``) choosing the items a figure pools, and its parameters.

    ``items``: None (the overall items, or with ``dimension`` every item of it),
    "overall" (items the mapping marks overall), "all", or a tuple of item codes;
    ``dimension`` further keeps the items of that dimension.
    """
    clauses, params = [], []
    if items is None:
        clauses.append("TRUE" if dimension is not None else "i.is_overall")
    elif items == "overall":
        clauses.append("i.is_overall")
    elif items == "all":
        clauses.append("TRUE")
    elif isinstance(items, str) or not items:
        raise ValueError(
            f"題目須為 'overall'（整體題）、'all'（全部題目）或題目代碼的 tuple：{items!r}"
        )
    else:
        codes = tuple(items)
        clauses.append(f"i.item_code IN ({', '.join('?' for _ in codes)})")
        params += list(codes)
    if dimension is not None:
        clauses.append("i.dimension = ?")
        params.append(dimension)
    return " AND ".join(clauses), params


def _order_expr(name: str) -> str:
    # dimensions and items in the order of the mapping (survey_items.position)
    if name in ("dimension", "item"):
        return f"_position, {name}"
    return f"{name} NULLS LAST"


def _counts(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    by: tuple[str, ...],
    convention: str,
    items: Items,
    dimension: str | None,
    waves: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Answers, satisfied answers and score sums per group, straight from SQL."""
    valid = _check_convention(convention)
    items_sql, items_params = items_clause(items, dimension)
    where, params = filters.where(PERIOD_COLUMN, alias="r", applies=SURVEY_FILTERS)
    waves_sql, waves_params = "TRUE", []
    if waves is not None:
        waves_sql, waves_params = f"a.wave IN ({', '.join('?' for _ in waves)})", list(waves)
    select = "".join(f"{BY_COLUMNS[b]} AS {b}, " for b in by)
    if "district" in by:
        select += f"{IN_CITY.format(p='r.')} AS {IN_CITY_COLUMN}, "
    if "item" in by:
        select += "i.item_text AS item_text, "
    if "item" in by or "dimension" in by:
        select += "min(i.position) AS _position, "
    order = ", ".join(_order_expr(b) for b in by) or "1"
    respondents, join_params = "", []
    if params or any(b in RESPONDENT_BY for b in by):
        respondents, join_params = RESPONDENTS_JOIN, []
    sql = COUNTS_SQL.format(
        select=select,
        respondents=respondents,
        where=where,
        waves=waves_sql,
        items=items_sql,
        valid=valid,
        order=order,
    )
    all_params = [SATISFIED_MIN_SCORE, *join_params, *params, *waves_params, *items_params]
    return con.execute(sql, all_params).df()


def _with_rates(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    n = df["n"].to_numpy(dtype=float)
    satisfied = df["satisfied"].to_numpy(dtype=float)
    low, high = stats.wilson_interval(satisfied, n)
    scored = df["scored"].to_numpy(dtype=float)
    score_sum = df["score_sum"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(scored > 0, score_sum / np.where(scored > 0, scored, 1), np.nan)
    # One constructor call: assigning column by column costs more than the query here.
    columns = {key: df[key].to_numpy() for key in keys}
    columns.update(
        n=n.astype("int64"),
        satisfied=satisfied.astype("int64"),
        rate=satisfied / n,
        ci_low=low,
        ci_high=high,
        mean_score=mean,
        max_sampling_error=stats.max_sampling_error_pp(n),
    )
    out = pd.DataFrame(columns)
    for key in keys:  # keep the key columns' dtypes (e.g. str)
        out[key] = out[key].astype(df[key].dtype)
    return out


def survey_satisfaction(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    by: tuple[str, ...] = ("wave",),
    convention: str = "taiwan",
    items: Items = None,
    dimension: str | None = None,
) -> pd.DataFrame:
    """Satisfaction rate (滿意度) of survey answers, with n, Wilson 95% interval and mean score.

    rate = (非常滿意 + 滿意) / n. Under ``convention="taiwan"`` n counts every valid
    answer: the five scale points plus 無意見/不知道; 拒答, 未答 and any other
    non-substantive code are excluded. ``"substantive_only"`` also excludes 無意見/不知道.
    Unit: fraction in [0, 1]; ci_low/ci_high: Wilson score interval (95%);
    mean_score: mean of the 1-5 scores over substantive answers only;
    max_sampling_error: 1.96·sqrt(0.25/n) in percentage points. Grain: one row per
    ``by`` group (wave, dimension, item, unit, agency, mode, district, sex, age_group,
    month YYYY-MM of the response; ``item`` adds item_text). ``items`` and ``dimension``
    choose the items pooled (default: the items the mapping marks overall; see
    ``items_clause``); dimensions and items are listed in the mapping's order. Period on
    responded_on (respondents without a date drop out when a period is set); filters on
    agency, unit, district. With several items pooled, n
    counts answers, not respondents, so the interval is too narrow.
    """
    by = check_by(by, tuple(BY_COLUMNS))
    keys = key_columns(by, item_text=True)
    df = _counts(con, filters, by, convention, items, dimension)
    if df.empty:
        return pd.DataFrame(columns=[*keys, *COLUMNS])
    return _with_rates(df, keys)


def wave_order(con: duckdb.DuckDBPyConnection, filters: Filters) -> list[str]:
    """The waves under the filters in time order (first response date, then label)."""
    where, params = filters.where(PERIOD_COLUMN, alias="r", applies=SURVEY_FILTERS)
    rows = con.execute(WAVE_ORDER_SQL.format(where=where), params).fetchall()
    return [row[0] for row in rows]


def satisfaction_change(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    wave_from: str | None = None,
    wave_to: str | None = None,
    by: tuple[str, ...] = (),
    convention: str = "taiwan",
    items: Items = None,
    dimension: str | None = None,
    significance: float = 0.05,
) -> pd.DataFrame:
    """Change of the satisfaction rate between two waves, with a pooled two-proportion z-test.

    change_pp = (rate_to - rate_from) in percentage points; z and the two-sided
    p_value from the pooled two-proportion z-test; the verdict calls a change 顯著上升
    or 顯著下降 only when p < ``significance`` (0.05), else 無顯著差異, and 資料不足
    when a wave has no answers in the group. Rates as in ``survey_satisfaction``
    (same convention and items). Default waves: the last two in time order under
    the filters. Grain: one row per ``by`` group (by from the same list, without wave).
    """
    by = check_by(by, tuple(b for b in BY_COLUMNS if b != "wave"))
    if wave_from is None or wave_to is None:
        waves = wave_order(con, filters)
        if len(waves) < 2:
            return pd.DataFrame(columns=[*key_columns(by), *CHANGE_COLUMNS])
        wave_from = waves[-2] if wave_from is None else wave_from
        wave_to = waves[-1] if wave_to is None else wave_to
    if wave_from == wave_to:
        raise ValueError(f"比較的兩個波次相同：{wave_from}")
    keys = key_columns(by)
    df = _counts(
        con, filters, ("wave", *by), convention, items, dimension, waves=(wave_from, wave_to)
    )
    if df.empty:
        return pd.DataFrame(columns=[*keys, *CHANGE_COLUMNS])
    df = df[["wave", *keys, "n", "satisfied"]]
    before = df[df["wave"] == wave_from].drop(columns="wave")
    after = df[df["wave"] == wave_to].drop(columns="wave")
    if keys:
        merged = before.merge(after, on=keys, how="outer", suffixes=("_from", "_to"))
        merged = merged.sort_values(keys, na_position="last", kind="stable")
    else:
        merged = pd.DataFrame(
            {
                "n_from": before["n"].to_numpy()[:1] if len(before) else [np.nan],
                "satisfied_from": before["satisfied"].to_numpy()[:1] if len(before) else [np.nan],
                "n_to": after["n"].to_numpy()[:1] if len(after) else [np.nan],
                "satisfied_to": after["satisfied"].to_numpy()[:1] if len(after) else [np.nan],
            }
        )
    n1 = merged["n_from"].to_numpy(dtype=float)
    x1 = merged["satisfied_from"].to_numpy(dtype=float)
    n2 = merged["n_to"].to_numpy(dtype=float)
    x2 = merged["satisfied_to"].to_numpy(dtype=float)
    z, p = stats.two_proportion_ztest(x1, n1, x2, n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate_from, rate_to = x1 / n1, x2 / n2
    out = merged[keys].copy().reset_index(drop=True)
    out["wave_from"] = wave_from
    out["wave_to"] = wave_to
    out["n_from"] = n1
    out["rate_from"] = rate_from
    out["n_to"] = n2
    out["rate_to"] = rate_to
    out["change_pp"] = (rate_to - rate_from) * 100
    out["z"] = z
    out["p_value"] = p
    significant = np.nan_to_num(p, nan=1.0) < significance
    out["significant"] = significant
    out["verdict"] = _verdicts(
        rate_to - rate_from, significant, VERDICT_UP, VERDICT_DOWN, VERDICT_NONE
    )
    return out


def _verdicts(delta, significant, up: str, down: str, none: str) -> list[str]:
    return [
        VERDICT_INSUFFICIENT
        if np.isnan(d)
        else (up if s and d > 0 else down if s and d < 0 else none)
        for d, s in zip(np.asarray(delta, dtype=float), significant, strict=True)
    ]


def satisfaction_trend(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    by: tuple[str, ...] = (),
    convention: str = "taiwan",
    items: Items = None,
    dimension: str | None = None,
    significance: float = 0.05,
) -> pd.DataFrame:
    """Trend of the satisfaction rate across waves, by the Cochran-Armitage trend test.

    Waves are scored 0, 1, 2, ... in time order (first response date, then label) over
    all waves under the filters, so a group missing a wave keeps the spacing. slope_pp:
    least-squares change of the rate per wave in percentage points; z and two-sided
    p_value of the Cochran-Armitage test (= score test of a linear probability trend;
    with two waves it equals the pooled two-proportion z-test). Verdict 顯著上升趨勢 /
    顯著下降趨勢 only at p < ``significance``; 資料不足 with fewer than two waves. Rates
    as in ``survey_satisfaction``. Grain: one row per ``by`` group (without wave).
    """
    by = check_by(by, tuple(b for b in BY_COLUMNS if b != "wave"))
    keys = key_columns(by)
    df = _counts(con, filters, ("wave", *by), convention, items, dimension)
    if df.empty:
        return pd.DataFrame(columns=[*keys, *TREND_COLUMNS])
    order = {w: i for i, w in enumerate(wave_order(con, filters))}
    df = df[["wave", *keys, "n", "satisfied"]].copy()
    df["s"] = df["wave"].map(order).astype(float)
    df = df.sort_values("s", kind="stable")
    df["ns"] = df["n"] * df["s"]
    df["ns2"] = df["n"] * df["s"] ** 2
    df["xs"] = df["satisfied"] * df["s"]
    df["rate"] = df["satisfied"] / df["n"]
    if not keys:
        df["_all"] = 0
    group_keys = keys or ["_all"]
    g = df.groupby(group_keys, dropna=False, sort=True)
    sums = g[["n", "satisfied", "ns", "ns2", "xs"]].sum()
    trend = stats.cochran_armitage_from_sums(
        sums["n"], sums["satisfied"], sums["ns"], sums["ns2"], sums["xs"]
    )
    out = pd.DataFrame(index=sums.index)
    out["waves"] = g.size()
    out["first_wave"] = g["wave"].first()
    out["last_wave"] = g["wave"].last()
    out["n"] = sums["n"].astype("int64")
    out["first_rate"] = g["rate"].first()
    out["last_rate"] = g["rate"].last()
    few = out["waves"].to_numpy() < 2
    out["slope_pp"] = np.where(few, np.nan, np.asarray(trend.slope, dtype=float) * 100)
    out["z"] = np.where(few, np.nan, trend.z)
    out["p_value"] = np.where(few, np.nan, trend.p_value)
    significant = np.nan_to_num(out["p_value"].to_numpy(dtype=float), nan=1.0) < significance
    out["significant"] = significant
    delta = np.where(few, np.nan, np.nan_to_num(out["slope_pp"].to_numpy(dtype=float)))
    out["verdict"] = _verdicts(
        delta, significant, VERDICT_TREND_UP, VERDICT_TREND_DOWN, VERDICT_TREND_NONE
    )
    out = out.reset_index()
    if not keys:
        out = out.drop(columns="_all")
    return out[[*keys, *TREND_COLUMNS]]


def sampling_error_sentence(n: int, *, z: float = stats.SAMPLING_ERROR_Z) -> str:
    """The report sentence for the maximum sampling error of n answers (z = 1.96 → 95%).

    E.g. n = 1,068 gives 「在95%信心水準下，抽樣誤差為正負3.0個百分點」 (one decimal).
    """
    if n is None or n <= 0:
        raise ValueError(f"樣本數須大於 0：{n}")
    level = round((1 - 2 * float(norm.sf(z))) * 100)
    error = stats.max_sampling_error_pp(n, z)
    return f"在{level}%信心水準下，抽樣誤差為正負{error:.1f}個百分點"
