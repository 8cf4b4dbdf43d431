"""Plain pandas baselines of every public metric, for ``bench/bench_metrics.py``.

Each baseline computes one metric with its default arguments from DataFrames read once
from the database (``load_frames``, not timed), following the definition in the metric's
docstring, not its SQL: boolean masks, ``groupby``/``agg``, ``merge``, numpy and scipy.
They are the honest way an analyst would write the same numbers in pandas; the one
concession to speed is that low-cardinality text columns (and the petitioner key) are
read as ``category`` dtype, as any pandas user would for millions of rows.

Baselines import only constants (labels, targets, grade cuts) from ``metrics``, never its
functions, so agreement between the two is a real check. Two are partial, and say so in
``BASELINES``: ``unit_scorecard`` (figures, targets, standing; not the ``notes`` text) and
``monthly_summary`` (figures and changes; not the generated sentences).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import duckdb
import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from scipy import stats

# Labels, constants and calendar arithmetic (add_months...) come from the metrics layer;
# every metric definition below is written again in pandas.
from metrics._sql import NO_DISTRICT, OTHER_CITY, UNSPECIFIED, add_months, month_end, month_start
from metrics.filters import FILTER_COLUMNS, Filters
from metrics.phone_tests import GRADE_LOW, GRADE_NONE, GRADES, LOW_SCORE
from metrics.regional import (
    NOTE_NO_DISTRICT,
    NOTE_NO_POPULATION,
    NOTE_NOT_TESTED,
    NOTE_OTHER_CITY,
    PER,
    ROW_DISTRICT,
)
from metrics.satisfaction import (
    NO_OPINION,
    OVERALL_DIMENSION,
    VERDICT_DOWN,
    VERDICT_INSUFFICIENT,
    VERDICT_NONE,
    VERDICT_TREND_DOWN,
    VERDICT_TREND_NONE,
    VERDICT_TREND_UP,
    VERDICT_UP,
)
from metrics.scorecard import (
    DEFAULT_TARGETS,
    FOLLOW_UP,
    GOOD,
    INDICATORS,
    LOWER_IS_BETTER,
    NO_DATA,
    SEVERE_MARGINS,
    STANDING_ORDER,
    WATCH,
)
from store.vocabulary import CONFIGURED_CITY

PETITION_CATEGORIES = (
    "source_system",
    "agency",
    "unit",
    "channel",
    "category",
    "subcategory",
    "district",
    "petitioner_key",
)
PETITIONS_SQL = """
SELECT source_system, agency, unit, channel, category, subcategory, district, in_city,
       received_at, received_date, due_date, extended_due_date, effective_due_date,
       first_reply_at, closed_at, replied_date, is_open, reply_working_days, on_time,
       reply_satisfaction, petitioner_key
FROM petitions ORDER BY source_system, case_id
"""
SURVEY_FILTERS = ("agencies", "units", "districts")
PHONE_FILTERS = ("agencies", "units")
Z95 = float(stats.norm.ppf(0.975))
ALPHA_BANDS = ((0.9, "優良"), (0.8, "良好"), (0.7, "可接受"), (0.6, "尚可"))


@dataclass
class Frames:
    petitions: pd.DataFrame
    calendar: pd.Series  # working_day_index by day
    districts: pd.DataFrame
    population: pd.DataFrame
    responses: pd.DataFrame
    answers: pd.DataFrame
    items: pd.DataFrame
    phone_tests: pd.DataFrame
    phone_scores: pd.DataFrame
    rubric: pd.DataFrame


def load_frames(con: duckdb.DuckDBPyConnection) -> Frames:
    """Every table the metrics read, as DataFrames (the untimed part of the baseline)."""
    p = con.execute(PETITIONS_SQL).df()
    for column in PETITION_CATEGORIES:
        p[column] = p[column].astype("category")
    for column in ("in_city", "on_time"):
        p[column] = p[column].astype("boolean")
    p["reply_working_days"] = p["reply_working_days"].astype("float64")
    p["reply_satisfaction"] = p["reply_satisfaction"].astype("float64")
    cal = con.execute("SELECT day, working_day_index FROM calendar").df()
    answers = con.execute("SELECT * FROM survey_answers").df()
    answers["score"] = answers["score"].astype("float64")
    for column in ("source_system", "wave", "item_code", "answer"):
        answers[column] = answers[column].astype("category")
    responses = con.execute("SELECT * FROM survey_responses").df()
    responses["in_city"] = responses["in_city"].astype("boolean")
    return Frames(
        petitions=p,
        calendar=cal.set_index("day")["working_day_index"],
        districts=con.execute(
            "SELECT district, town_code FROM districts WHERE city = ?", [CONFIGURED_CITY]
        ).df(),
        population=con.execute("SELECT * FROM district_population").df(),
        responses=responses,
        answers=answers,
        items=con.execute("SELECT * FROM survey_items").df(),
        phone_tests=con.execute("SELECT * FROM phone_tests").df(),
        phone_scores=con.execute("SELECT * FROM phone_test_scores").df(),
        rubric=con.execute("SELECT * FROM phone_rubric").df(),
    )


# ---------------------------------------------------------------- shared helpers


def _ts(day: dt.date) -> pd.Timestamp:
    return pd.Timestamp(day)


def mask(
    frame: pd.DataFrame,
    filters: Filters,
    date_column: str | None,
    applies: tuple[str, ...] = tuple(FILTER_COLUMNS),
) -> np.ndarray:
    """Rows passing the period (on the date of ``date_column``) and dimension filters."""
    keep = np.ones(len(frame), dtype=bool)
    if date_column is not None:
        if filters.start is not None:
            keep &= (frame[date_column] >= _ts(filters.start)).to_numpy()
        if filters.end is not None:
            keep &= (frame[date_column] < _ts(filters.end + dt.timedelta(days=1))).to_numpy()
    for name, column in FILTER_COLUMNS.items():
        values = getattr(filters, name)
        if values and name in applies:
            keep &= frame[column].isin(values).to_numpy()
    return keep


def latest_received(p: pd.DataFrame, filters: Filters) -> dt.date | None:
    day = p.loc[mask(p, filters.with_period(None, None), None), "received_date"].max()
    return None if pd.isna(day) else day.date()


def first_received(p: pd.DataFrame, filters: Filters) -> dt.date | None:
    day = p.loc[mask(p, filters.with_period(None, None), None), "received_date"].min()
    return None if pd.isna(day) else day.date()


def district_label(p: pd.DataFrame) -> pd.Series:
    """Canonical district in the city, 其他縣市 elsewhere (or city unknown), 未填行政區 if NULL."""
    d = p["district"]
    label = d.cat.add_categories([OTHER_CITY, NO_DISTRICT])
    label = label.mask(d.notna() & ~p["in_city"].fillna(False), OTHER_CITY)
    return label.fillna(NO_DISTRICT)


def petition_key(p: pd.DataFrame, name: str, date_column: str = "received_date") -> pd.Series:
    if name == "district":
        return district_label(p).rename("district")
    if name == "month":
        d = p[date_column]
        return (d.dt.year * 100 + d.dt.month).rename("month")
    return p[name]


def grouped_sum(frame: pd.DataFrame, keys: list[pd.Series], columns: list[str]) -> pd.DataFrame:
    """Column sums per group (one overall row without keys), NULL keys labelled 未填."""
    if not keys:
        return frame[columns].sum().to_frame().T
    out = frame.groupby(keys, observed=True, dropna=False)[columns].sum().reset_index()
    return label_groups(out, [k.name for k in keys])


def label_groups(out: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    for name in names:
        if name == "month":
            out[name] = [f"{v // 100:04d}-{v % 100:02d}" for v in out[name].astype(int)]
        elif name != "district":
            out[name] = out[name].astype(object).where(out[name].notna(), UNSPECIFIED)
        else:
            out[name] = out[name].astype(object)
    return out.sort_values(names, kind="stable").reset_index(drop=True) if names else out


def wilson(successes: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.asarray(successes, dtype=float) / n
        denom = 1 + Z95**2 / n
        centre = (p + Z95**2 / (2 * n)) / denom
        half = Z95 / denom * np.sqrt(p * (1 - p) / n + Z95**2 / (4 * n**2))
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, np.nan)


# ---------------------------------------------------------------- 1 timeliness


def closed_cases(p: pd.DataFrame, filters: Filters, date_column: str) -> pd.DataFrame:
    """Closed cases in the period with their data-quality class (0 valid, 1-3 excluded)."""
    c = p[mask(p, filters, date_column) & ~p["is_open"].to_numpy()]
    earliest = np.fmin(c["first_reply_at"].to_numpy(), c["closed_at"].to_numpy())
    seconds = (earliest - c["received_at"].to_numpy()) / np.timedelta64(1, "s")
    missing = (
        c["replied_date"].isna()
        | c["effective_due_date"].isna()
        | c["reply_working_days"].isna()
        | c["on_time"].isna()
    ).to_numpy()
    before = (c["replied_date"] < c["received_date"]).to_numpy() | (seconds < 0)
    quality = np.select([missing, before, seconds <= 60], [1, 2, 3], 0)
    return c.assign(quality=quality)


def _closed_counts(c: pd.DataFrame) -> pd.DataFrame:
    valid = c["quality"].to_numpy() == 0
    on_time = c["on_time"].fillna(False).to_numpy()
    return pd.DataFrame(
        {
            "replied": valid,
            "on_time": valid & on_time,
            "late": valid & ~on_time,
            "excluded_missing_dates": c["quality"].to_numpy() == 1,
            "excluded_reply_before_receipt": c["quality"].to_numpy() == 2,
            "excluded_same_minute": c["quality"].to_numpy() == 3,
        },
        index=c.index,
    )


def on_time_rate(
    f: Frames, filters: Filters, by: tuple[str, ...] = (), date_basis: str = "received"
) -> pd.DataFrame:
    column = {"received": "received_date", "replied": "replied_date"}[date_basis]
    c = closed_cases(f.petitions, filters, column)
    keys = [petition_key(c, b, column) for b in by]
    counts = _closed_counts(c)
    out = grouped_sum(counts, keys, list(counts.columns))
    out.insert(len(by) + 3, "on_time_rate", ratio(out["on_time"], out["replied"]))
    return out


def reply_days(f: Frames, filters: Filters) -> pd.DataFrame:
    c = closed_cases(f.petitions, filters, "received_date")
    d = c.loc[c["quality"] == 0, "reply_working_days"]
    q = c["quality"]
    return pd.DataFrame(
        {
            "replied": [len(d)],
            "median_working_days": [d.quantile(0.5)],
            "p90_working_days": [d.quantile(0.9)],
            "mean_working_days": [d.mean()],
            "max_working_days": [d.max()],
            "excluded_missing_dates": [(q == 1).sum()],
            "excluded_reply_before_receipt": [(q == 2).sum()],
            "excluded_same_minute": [(q == 3).sum()],
        }
    )


def _open_at(f: Frames, filters: Filters, as_of: dt.date, backlog: bool = True) -> pd.DataFrame:
    p = f.petitions
    limit = _ts(as_of)
    received = (p["received_date"] <= limit).to_numpy()
    is_open = p["is_open"].to_numpy()
    still_open = is_open | (p["replied_date"] > limit).to_numpy()
    scope = filters.with_period(None if backlog else filters.start, None)
    return p[received & still_open & mask(p, scope, "received_date")]


def open_cases(
    f: Frames, filters: Filters, by: tuple[str, ...] = (), as_of: dt.date | None = None
) -> pd.DataFrame:
    as_of = as_of or filters.end or latest_received(f.petitions, filters)
    o = _open_at(f, filters, as_of)
    due = o["effective_due_date"]
    flags = pd.DataFrame(
        {
            "open": np.ones(len(o), dtype=bool),
            "open_not_due": (due >= _ts(as_of)).to_numpy(),
            "open_overdue": (due < _ts(as_of)).to_numpy(),
            "open_no_due_date": due.isna().to_numpy(),
        },
        index=o.index,
    )
    out = grouped_sum(flags, [petition_key(o, b) for b in by], list(flags.columns))
    out.insert(len(by), "as_of", _ts(as_of))
    return out


def overdue_aging(f: Frames, filters: Filters) -> pd.DataFrame:
    as_of = filters.end or latest_received(f.petitions, filters)
    o = _open_at(f, filters, as_of)
    o = o[o["effective_due_date"] < _ts(as_of)]
    past_due = f.calendar.get(_ts(as_of)) - o["effective_due_date"].map(f.calendar)
    return pd.DataFrame(
        {
            "as_of": [_ts(as_of)],
            "overdue_open": [len(o)],
            "aging_le_5": [(past_due <= 5).sum()],
            "aging_6_10": [past_due.between(6, 10).sum()],
            "aging_11_30": [past_due.between(11, 30).sum()],
            "aging_gt_30": [(past_due > 30).sum()],
            "aging_outside_calendar": [past_due.isna().sum()],
            "max_working_days_past_due": [past_due.max()],
        }
    )


def extensions(f: Frames, filters: Filters) -> pd.DataFrame:
    p = f.petitions
    c = p[mask(p, filters, "received_date")]
    ext = c["extended_due_date"]
    extended = (ext.notna() & (c["due_date"].isna() | (ext != c["due_date"]))).to_numpy()
    closed = ~c["is_open"].to_numpy()
    on_time = c["on_time"]
    cases, n_ext = len(c), int(extended.sum())
    return pd.DataFrame(
        {
            "cases": [cases],
            "extended": [n_ext],
            "extension_rate": [n_ext / cases if cases else np.nan],
            "extended_on_time": [(extended & closed & on_time.fillna(False).to_numpy()).sum()],
            "extended_late": [(extended & closed & (on_time == False).to_numpy()).sum()],  # noqa: E712
            "extended_open": [(extended & ~closed).sum()],
        }
    )


# ---------------------------------------------------------------- 2 regional


def district_counts(f: Frames, filters: Filters, alpha: float = 0.05) -> pd.DataFrame:
    p = f.petitions
    cutoff = filters.end or latest_received(p, filters) or dt.date.max
    whole_city = Filters(
        filters.start,
        filters.end,
        filters.agencies,
        filters.units,
        (),
        filters.channels,
        filters.categories,
    )
    counts = district_label(p[mask(p, whole_city, "received_date")]).value_counts()
    counts = counts[counts > 0]
    ref = f.districts.assign(row_kind=ROW_DISTRICT, kind_order=0)
    extra = [
        {"district": name, "town_code": None, "row_kind": name, "kind_order": order}
        for order, name in ((1, OTHER_CITY), (2, NO_DISTRICT))
        if name in counts.index
    ]
    rows = pd.concat([ref, pd.DataFrame(extra)], ignore_index=True) if extra else ref
    rows["cases"] = rows["district"].map(counts).fillna(0).astype("int64")
    pop = f.population[f.population["as_of"] <= _ts(cutoff)]
    pop = pop.sort_values("as_of").groupby("district").tail(1)
    pop = pop.rename(columns={"as_of": "population_as_of", "source": "population_source"})
    rows = rows.merge(pop, on="district", how="left")
    rows = rows.sort_values(["kind_order", "town_code", "district"], na_position="last")
    out = rows[
        ["district", "row_kind", "cases", "population", "population_as_of", "population_source"]
    ].reset_index(drop=True)

    cases = out["cases"].to_numpy(dtype=float)
    population = pd.to_numeric(out["population"]).to_numpy(dtype=float)
    rated = (out["row_kind"] == ROW_DISTRICT).to_numpy() & (population > 0)
    city_cases, city_pop = cases[rated].sum(), population[rated].sum()
    city_rate = city_cases / city_pop * PER if city_pop > 0 else np.nan
    per_10k = np.where(rated, ratio(cases, population) * PER, np.nan)
    out["share"] = cases / cases.sum() if cases.sum() > 0 else np.nan
    out["per_10k"] = per_10k
    out["city_per_10k"] = np.where(rated, city_rate, np.nan)
    out["rate_ratio"] = np.where(rated & (city_rate > 0), per_10k / city_rate, np.nan)
    tested = rated & (city_cases > 0)
    p_value = np.full(len(out), np.nan)
    p_adj = np.full(len(out), np.nan)
    if tested.any():
        p_value[tested] = stats.binom.sf(
            cases[tested] - 1, city_cases, population[tested] / city_pop
        )
        p_adj[tested] = stats.false_discovery_control(p_value[tested], method="bh")
    out["p_value"] = p_value
    out["p_adjusted"] = p_adj
    out["above_city"] = pd.array(
        np.where(tested, (p_adj < alpha) & (per_10k > city_rate), None), dtype="boolean"
    )
    kind = out["row_kind"]
    out["rate_note"] = np.select(
        [kind == OTHER_CITY, kind == NO_DISTRICT, ~rated, ~tested],
        [NOTE_OTHER_CITY, NOTE_NO_DISTRICT, NOTE_NO_POPULATION, NOTE_NOT_TESTED],
        default="",
    )
    out["rate_note"] = out["rate_note"].replace("", None)
    if filters.districts:
        out = out[out["district"].isin(filters.districts)].reset_index(drop=True)
    return out


def category_by_district(f: Frames, filters: Filters) -> pd.DataFrame:
    p = f.petitions
    c = p[mask(p, filters, "received_date")]
    out = c.groupby([c["category"], district_label(c)], observed=True, dropna=False).size()
    out = out.rename("cases").reset_index()
    out["category"] = out["category"].astype(object).where(out["category"].notna(), UNSPECIFIED)
    out["district"] = out["district"].astype(object)
    # the labelled category may merge a NULL group into an existing 未填 one
    out = out.groupby(["category", "district"], sort=True)["cases"].sum().reset_index()
    out["share_in_district"] = out["cases"] / out.groupby("district")["cases"].transform("sum")
    out["share_in_group"] = out["cases"] / out.groupby("category")["cases"].transform("sum")
    return out


# ---------------------------------------------------------------- 3 types and spikes


def _category_counts(p: pd.DataFrame, filters: Filters) -> pd.Series:
    c = p.loc[mask(p, filters, "received_date"), "category"]
    counts = c.value_counts(dropna=False)
    counts = counts[counts > 0]
    counts.index = counts.index.astype(object).where(counts.index.notna(), UNSPECIFIED)
    return counts.groupby(level=0).sum()


def type_counts(f: Frames, filters: Filters) -> pd.DataFrame:
    counts = _category_counts(f.petitions, filters).sort_index()
    out = counts.rename("cases").rename_axis("category").reset_index()
    out["share"] = out["cases"] / out["cases"].sum()
    return out


def type_changes(f: Frames, filters: Filters) -> pd.DataFrame:
    p = f.petitions
    first_day = first_received(p, filters)
    last_day = latest_received(p, filters)
    first = first_day.year * 12 + first_day.month - 1
    start_day = month_start(filters.start or first_day)
    end_day = month_start(filters.end or last_day)
    start = start_day.year * 12 + start_day.month - 1
    end = end_day.year * 12 + end_day.month - 1
    window = filters.with_period(add_months(start_day, -12), month_end(end_day))
    c = p[mask(p, window, "received_date")]
    m = c["received_date"].dt.year * 12 + c["received_date"].dt.month - 1
    category = c["category"].astype(object).where(c["category"].notna(), UNSPECIFIED)
    counts = c.groupby([category.rename("category"), m.rename("m")], observed=True).size()
    keys = sorted(counts.index.get_level_values(0).unique())
    months = np.arange(start, end + 1)
    grid = pd.MultiIndex.from_product([keys, months], names=["category", "m"])

    def shifted(lag: int) -> np.ndarray:
        back = pd.MultiIndex.from_arrays([grid.get_level_values(0), grid.get_level_values(1) - lag])
        values = counts.reindex(back, fill_value=0).to_numpy(dtype=float)
        return np.where(grid.get_level_values(1) - lag >= first, values, np.nan)

    out = pd.DataFrame(
        {
            "category": grid.get_level_values(0),
            "month": [f"{v // 12:04d}-{v % 12 + 1:02d}" for v in grid.get_level_values(1)],
            "cases": counts.reindex(grid, fill_value=0).to_numpy(),
            "prev_month_cases": shifted(1),
            "last_year_cases": shifted(12),
        }
    )
    for column, base in (("mom_change", "prev_month_cases"), ("yoy_change", "last_year_cases")):
        out[column] = ratio(out["cases"] - out[base], out[base])
    return out


def top_categories(f: Frames, filters: Filters, n: int = 10) -> pd.DataFrame:
    counts = _category_counts(f.petitions, filters)
    out = counts.rename("cases").rename_axis("category").reset_index()
    out = out.sort_values(["cases", "category"], ascending=[False, True]).reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    out["share"] = out["cases"] / out["cases"].sum()
    out["cumulative_share"] = out["share"].cumsum()
    return out.head(n)


def repeat_petitions(f: Frames, filters: Filters, window_days: int = 30) -> pd.DataFrame:
    p = f.petitions
    lookback_start = filters.start - dt.timedelta(days=window_days) if filters.start else None
    w = p[mask(p, Filters(lookback_start, filters.end), "received_date")]
    keyed = w[w["petitioner_key"].notna()].sort_values("received_at", kind="stable")
    gap = keyed.groupby(["petitioner_key", "category"], observed=True, dropna=False)[
        "received_date"
    ].diff()
    repeat = pd.Series(False, index=w.index)
    repeat.loc[gap.index] = (gap <= pd.Timedelta(days=window_days)).to_numpy()
    in_scope = mask(w, filters, "received_date")
    chosen = w[in_scope]
    is_repeat = repeat[in_scope].to_numpy()
    with_key = int(chosen["petitioner_key"].notna().sum())
    return pd.DataFrame(
        {
            "cases": [len(chosen)],
            "cases_with_key": [with_key],
            "repeat_cases": [int(is_repeat.sum())],
            "repeat_rate": [is_repeat.sum() / with_key if with_key else np.nan],
            "repeat_petitioners": [chosen.loc[is_repeat, "petitioner_key"].nunique()],
        }
    )


def spikes(
    f: Frames,
    filters: Filters,
    min_count: int = 10,
    z_threshold: float = 4.0,
    alpha: float = 0.01,
    baseline: int = 12,
    min_baseline: int = 6,
) -> pd.DataFrame:
    """Series (category, district) x month, seasonal factor of the category, ±12-month
    robust baseline without the month itself, Poisson p, Bonferroni; flagged rows only."""
    p = f.petitions
    first = add_months(filters.start, -baseline) if filters.start else None
    last = add_months(filters.end, baseline + 1) - dt.timedelta(days=1) if filters.end else None
    c = p[mask(p, filters.with_period(first, last), "received_date")]
    m = (c["received_date"].dt.year * 12 + c["received_date"].dt.month - 1).rename("m")
    category = c["category"].astype(object).where(c["category"].notna(), UNSPECIFIED)
    counts = c.groupby([category.rename("category"), district_label(c), m], observed=True).size()
    table = counts.unstack("m", fill_value=0)  # series x month, zero-filled
    lo, hi = table.columns.min(), table.columns.max()
    table = table.reindex(columns=np.arange(lo, hi + 1), fill_value=0)
    table.index = pd.MultiIndex.from_arrays(
        [table.index.get_level_values(i).astype(object) for i in (0, 1)],
        names=["category", "district"],
    )
    table = table.sort_index()
    months = table.columns.to_numpy()
    n = table.to_numpy(dtype=float)

    totals = table.groupby(level="category").sum()  # category x month
    moy_mean = totals.T.groupby(months % 12).mean().T  # category x month-of-year
    level = moy_mean.mean(axis=1)
    factor_moy = moy_mean.div(level.where(level > 0), axis=0)  # NaN when the level is 0
    factor_moy = factor_moy.reindex(columns=range(12))
    factor = factor_moy.loc[table.index.get_level_values("category")].to_numpy()[:, months % 12]
    y = np.where(factor > 0, n / np.where(factor > 0, factor, 1), n)

    padded = np.pad(y, ((0, 0), (baseline, baseline)), constant_values=np.nan)
    windows = np.delete(sliding_window_view(padded, 2 * baseline + 1, axis=1), baseline, axis=2)
    with np.errstate(all="ignore"):
        base_y = np.nanmedian(windows, axis=2)
        mad = np.nanmedian(np.abs(windows - base_y[..., None]), axis=2)
    count = (~np.isnan(windows)).sum(axis=2)
    f1 = np.where(np.isnan(factor), 1.0, factor)
    expected = base_y * f1
    spread = np.fmax(np.fmax(1.4826 * mad * f1, np.sqrt(expected)), 1.0)
    z = (n - expected) / spread

    start = filters.start.year * 12 + filters.start.month - 1 if filters.start else 0
    end = filters.end.year * 12 + filters.end.month - 1 if filters.end else 10**6
    keys = table.index.to_frame(index=False)
    out = pd.DataFrame(
        {
            "category": np.repeat(keys["category"].to_numpy(), len(months)),
            "district": np.repeat(keys["district"].astype(object).to_numpy(), len(months)),
            "m": np.tile(months, len(keys)),
            "cases": n.ravel(),
            "seasonal_factor": f1.ravel(),
            "baseline_months": count.ravel(),
            "expected": expected.ravel(),
            "spread": spread.ravel(),
            "z": z.ravel(),
        }
    )
    out = out[(out["m"] >= start) & (out["m"] <= end)].reset_index(drop=True)
    cases, exp = out["cases"].to_numpy(), out["expected"].to_numpy()
    tested = (out["baseline_months"].to_numpy() >= min_baseline) & ~np.isnan(exp)
    p_value = np.full(len(out), np.nan)
    positive = tested & (exp > 0)
    p_value[positive] = stats.poisson.sf(cases[positive] - 1, exp[positive])
    zero = tested & (exp <= 0)
    p_value[zero] = np.where(cases[zero] > 0, 0.0, 1.0)
    eligible = tested & (cases >= min_count)
    out["p_value"] = p_value
    out["p_adjusted"] = np.minimum(p_value * max(int(eligible.sum()), 1), 1.0)
    out["tested"] = tested
    out["flagged"] = eligible & (out["z"] >= z_threshold) & (out["p_adjusted"] < alpha)
    out.insert(2, "month", [f"{v // 12:04d}-{v % 12 + 1:02d}" for v in out["m"]])
    out = out.drop(columns="m")
    return out[out["flagged"]].sort_values("z", ascending=False).reset_index(drop=True)


# ---------------------------------------------------------------- 4 satisfaction


def _respondents(f: Frames, filters: Filters) -> pd.DataFrame:
    r = f.responses
    return r[mask(r, filters, "responded_on", applies=SURVEY_FILTERS)]


def _survey_counts(
    f: Frames, filters: Filters, by: tuple[str, ...], waves: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """n (Taiwan convention), satisfied, scored and score sum of the 整體 answers per group."""
    a = f.answers
    overall = f.items.loc[f.items["dimension"] == OVERALL_DIMENSION, "item_code"]
    keep = a["item_code"].isin(overall) & (a["score"].notna() | a["answer"].isin(NO_OPINION))
    if waves is not None:
        keep &= a["wave"].isin(waves)
    a = a[keep]
    restricted = filters.start or filters.end or any(getattr(filters, x) for x in SURVEY_FILTERS)
    if restricted or any(b != "wave" for b in by):
        r = _respondents(f, filters)[["source_system", "wave", "respondent_id", "unit"]]
        r = r.assign(unit=r["unit"].fillna(UNSPECIFIED))
        a = a.merge(r, on=["source_system", "wave", "respondent_id"], how="inner")
    a = a.assign(
        wave=a["wave"].astype(object), satisfied=a["score"] >= 4, score_sum=a["score"].fillna(0)
    )
    out = a.groupby(list(by), observed=True).agg(
        n=("score_sum", "size"),
        satisfied=("satisfied", "sum"),
        scored=("score", "count"),
        score_sum=("score_sum", "sum"),
    )
    return out.reset_index()


def survey_satisfaction(f: Frames, filters: Filters, by: tuple[str, ...] = ("wave",)):
    c = _survey_counts(f, filters, by)
    low, high = wilson(c["satisfied"], c["n"])
    out = c[list(by)].copy()
    out["n"] = c["n"]
    out["satisfied"] = c["satisfied"]
    out["rate"] = c["satisfied"] / c["n"]
    out["ci_low"] = low
    out["ci_high"] = high
    out["mean_score"] = ratio(c["score_sum"], c["scored"])
    out["max_sampling_error"] = 100 * 1.96 * np.sqrt(0.25 / c["n"])
    return out


def wave_order(f: Frames, filters: Filters) -> list[str]:
    r = _respondents(f, filters)
    first = r.groupby("wave")["responded_on"].min().rename("first").reset_index()
    return first.sort_values(["first", "wave"], na_position="last")["wave"].tolist()


def _verdict(delta: float, significant: bool, up: str, down: str, none: str) -> str:
    if np.isnan(delta):
        return VERDICT_INSUFFICIENT
    return up if significant and delta > 0 else down if significant and delta < 0 else none


def satisfaction_change(f: Frames, filters: Filters) -> pd.DataFrame:
    waves = wave_order(f, filters)
    wave_from, wave_to = waves[-2], waves[-1]
    c = _survey_counts(f, filters, ("wave",), waves=(wave_from, wave_to)).set_index("wave")
    n1, x1 = c.loc[wave_from, "n"], c.loc[wave_from, "satisfied"]
    n2, x2 = c.loc[wave_to, "n"], c.loc[wave_to, "satisfied"]
    r1, r2 = x1 / n1, x2 / n2
    pooled = (x1 + x2) / (n1 + n2)
    z = (r2 - r1) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    p = 2 * stats.norm.sf(abs(z))
    return pd.DataFrame(
        {
            "wave_from": [wave_from],
            "wave_to": [wave_to],
            "n_from": [float(n1)],
            "rate_from": [r1],
            "n_to": [float(n2)],
            "rate_to": [r2],
            "change_pp": [(r2 - r1) * 100],
            "z": [z],
            "p_value": [p],
            "significant": [p < 0.05],
            "verdict": [_verdict(r2 - r1, p < 0.05, VERDICT_UP, VERDICT_DOWN, VERDICT_NONE)],
        }
    )


def satisfaction_trend(f: Frames, filters: Filters) -> pd.DataFrame:
    """Cochran-Armitage over waves scored 0, 1, 2, ... in time order."""
    order = {w: i for i, w in enumerate(wave_order(f, filters))}
    c = _survey_counts(f, filters, ("wave",))
    c["s"] = c["wave"].map(order).astype(float)
    c = c.sort_values("s", kind="stable")
    n, x, s = (c[k].to_numpy(dtype=float) for k in ("n", "satisfied", "s"))
    big_n, big_x = n.sum(), x.sum()
    s_bar = (n * s).sum() / big_n
    p_bar = big_x / big_n
    t = (x * (s - s_bar)).sum()
    sxx = (n * (s - s_bar) ** 2).sum()
    z = t / np.sqrt(p_bar * (1 - p_bar) * sxx)
    p = 2 * stats.norm.sf(abs(z))
    slope = t / sxx * 100
    rate = x / n
    return pd.DataFrame(
        {
            "waves": [len(c)],
            "first_wave": [c["wave"].iloc[0]],
            "last_wave": [c["wave"].iloc[-1]],
            "n": [int(big_n)],
            "first_rate": [rate[0]],
            "last_rate": [rate[-1]],
            "slope_pp": [slope],
            "z": [z],
            "p_value": [p],
            "significant": [p < 0.05],
            "verdict": [
                _verdict(slope, p < 0.05, VERDICT_TREND_UP, VERDICT_TREND_DOWN, VERDICT_TREND_NONE)
            ],
        }
    )


def _alpha_band(alpha: float) -> str:
    if np.isnan(alpha):
        return "無法計算"
    return next((label for cut, label in ALPHA_BANDS if alpha >= cut), "不佳")


def survey_reliability(f: Frames, filters: Filters) -> pd.DataFrame:
    """Cronbach's alpha per wave over the non-overall items, listwise deletion."""
    items = f.items.loc[f.items["dimension"] != OVERALL_DIMENSION, "item_code"]
    a = f.answers[f.answers["item_code"].isin(items)]
    keys = ["source_system", "wave", "respondent_id"]
    cells = a.groupby([*keys, "item_code"], observed=True)["score"]
    wide = cells.max().unstack("item_code")  # respondent x item, NaN where not scored
    asked = cells.size().unstack("item_code", fill_value=0) > 0
    wide = wide.reindex(index=asked.index, columns=asked.columns)
    r = _respondents(f, filters)[keys].assign(wave=lambda d: d["wave"].astype(object))
    index = asked.index.to_frame(index=False).astype({"wave": object, "source_system": object})
    chosen = index.merge(r, on=keys, how="left", indicator=True)["_merge"].eq("both").to_numpy()
    wide, asked = wide[chosen], asked[chosen]
    rows = []
    for wave, scores in wide.groupby(level="wave", observed=True):
        in_group = asked.loc[scores.index]
        used = in_group.any(axis=0).to_numpy()
        x = scores.loc[:, used]
        complete = x.notna().all(axis=1).to_numpy()
        x = x[complete]
        k = int(used.sum())
        total_var = x.sum(axis=1).var(ddof=1)
        item_var = x.var(ddof=1).fillna(0).sum()
        alpha = k / (k - 1) * (1 - item_var / total_var) if k >= 2 and len(x) >= 2 else np.nan
        rows.append((wave, k, len(scores), len(x), alpha))
    out = pd.DataFrame(rows, columns=["wave", "items", "respondents", "complete", "alpha"])
    out = out.sort_values("wave").reset_index(drop=True)
    out.insert(4, "excluded", out["respondents"] - out["complete"])
    out["band"] = [_alpha_band(v) for v in out["alpha"]]
    return out


def reply_satisfaction(f: Frames, filters: Filters) -> pd.DataFrame:
    p = f.petitions
    c = p[mask(p, filters, "received_date")]
    score = c["reply_satisfaction"]
    g = pd.DataFrame(
        {
            "unit": c["unit"],
            "cases": 1,
            "replied": ~c["is_open"],
            "rated": score.notna(),
            "satisfied": score >= 4,
            "score_sum": score.fillna(0),
        }
    )
    out = grouped_sum(g, [g["unit"]], ["cases", "replied", "rated", "satisfied", "score_sum"])
    out = out.groupby("unit", sort=True).sum().reset_index()  # NULL unit joins 未填
    rated, satisfied = out["rated"].to_numpy(float), out["satisfied"].to_numpy(float)
    low, high = wilson(satisfied, rated)
    out["coverage"] = ratio(rated, out["replied"])
    out["rate"] = ratio(satisfied, rated)
    out["ci_low"] = low
    out["ci_high"] = high
    out["mean_score"] = ratio(out["score_sum"], rated)
    return out[
        [
            "unit",
            "cases",
            "replied",
            "rated",
            "coverage",
            "satisfied",
            "rate",
            "ci_low",
            "ci_high",
            "mean_score",
        ]
    ]


# ---------------------------------------------------------------- 5 phone tests


def phone_grade(score: float) -> str:
    if score is None or np.isnan(score):
        return GRADE_NONE
    return next((label for cut, label in GRADES if score >= cut), GRADE_LOW)


def _calls(f: Frames, filters: Filters) -> pd.DataFrame:
    t = f.phone_tests
    return t[mask(t, filters, "called_at", applies=PHONE_FILTERS)]


def phone_scores(f: Frames, filters: Filters) -> pd.DataFrame:
    t = _calls(f, filters)
    out = (
        t.assign(low=t["total_score"] < LOW_SCORE)
        .groupby("unit", sort=True)
        .agg(
            calls=("total_score", "size"),
            mean_score=("total_score", "mean"),
            min_score=("total_score", "min"),
            calls_below_60=("low", "sum"),
        )
        .reset_index()
    )
    out["grade"] = [phone_grade(s) for s in out["mean_score"]]
    return out


def low_score_calls(f: Frames, filters: Filters) -> pd.DataFrame:
    t = _calls(f, filters)
    t = t[t["total_score"] < LOW_SCORE].sort_values(["total_score", "called_at", "call_id"])
    out = t[["agency", "unit", "call_id", "called_at", "round", "tester_id", "total_score"]]
    out = out.rename(columns={"total_score": "score"}).reset_index(drop=True)
    out["grade"] = [phone_grade(s) for s in out["score"]]
    return out


def weakest_items(f: Frames, filters: Filters) -> pd.DataFrame:
    t = _calls(f, filters)[["source_system", "call_id", "rubric_version"]]
    s = f.phone_scores.merge(t, on=["source_system", "call_id"])
    rubric = f.rubric[["rubric_version", "item_code", "item_text", "category"]]
    out = (
        s.groupby(["rubric_version", "item_code"])
        .agg(calls=("points", "size"), points=("points", "sum"), max_points=("max_points", "sum"))
        .reset_index()
        .merge(rubric, on=["rubric_version", "item_code"], how="left")
    )
    out["achieved_rate"] = ratio(out["points"], out["max_points"])
    out = out.sort_values(["achieved_rate", "rubric_version", "item_code"])
    return out[
        [
            "rubric_version",
            "item_code",
            "item_text",
            "category",
            "calls",
            "points",
            "max_points",
            "achieved_rate",
        ]
    ].reset_index(drop=True)


def phone_round_change(f: Frames, filters: Filters) -> pd.DataFrame:
    all_calls = f.phone_tests
    first_call = all_calls.groupby("round")["called_at"].min().rename("first_call")
    t = all_calls[mask(all_calls, filters.with_period(None, None), None, applies=PHONE_FILTERS)]
    t = t.assign(in_period=mask(t, Filters(filters.start, filters.end), "called_at"))
    per = (
        t.groupby(["unit", "round"])
        .agg(
            calls=("total_score", "size"),
            mean_score=("total_score", "mean"),
            in_period=("in_period", "any"),
        )
        .reset_index()
        .join(first_call, on="round")
        .sort_values(["unit", "first_call", "round"])
    )
    by_unit = per.groupby("unit")
    per["previous_round"] = by_unit["round"].shift()
    per["previous_mean"] = by_unit["mean_score"].shift()
    per["change"] = per["mean_score"] - per["previous_mean"]
    per["grade"] = [phone_grade(s) for s in per["mean_score"]]
    out = per[per["in_period"]]
    return out[
        [
            "unit",
            "round",
            "calls",
            "mean_score",
            "grade",
            "previous_round",
            "previous_mean",
            "change",
        ]
    ].reset_index(drop=True)


def untested_units(f: Frames, filters: Filters) -> pd.DataFrame:
    p = f.petitions
    seen = pd.concat(
        [
            p.loc[p["unit"].notna(), ["agency", "unit"]].astype(object).drop_duplicates(),
            f.responses.loc[f.responses["unit"].notna(), ["agency", "unit"]].astype(object),
            f.phone_tests[["agency", "unit"]].astype(object),
        ]
    ).drop_duplicates()
    with_agency = set(seen.loc[seen["agency"].notna(), "unit"])
    ref = seen[seen["agency"].notna() | ~seen["unit"].isin(with_agency)]
    ref = ref[mask(ref, filters, None, applies=PHONE_FILTERS)]
    t = f.phone_tests
    t = t.assign(in_period=mask(t, filters, "called_at", applies=PHONE_FILTERS))
    tested = t.loc[t["in_period"], ["agency", "unit"]]
    # a call matches on the unit, and on the agency when both sides know one
    hit = ref.merge(tested.drop_duplicates(), on="unit", how="inner", suffixes=("", "_call"))
    hit = hit[
        hit["agency"].isna() | hit["agency_call"].isna() | (hit["agency"] == hit["agency_call"])
    ]
    untested = ref.merge(hit[["agency", "unit"]].drop_duplicates(), how="left", indicator=True)
    untested = untested[untested["_merge"] == "left_only"].drop(columns="_merge")
    last = t.sort_values("called_at").groupby(["agency", "unit"], dropna=False).tail(1)
    last = last[["agency", "unit", "called_at", "round"]]
    matched = untested.merge(last, on="unit", how="left", suffixes=("", "_call"))
    ok = (
        matched["agency"].isna()
        | matched["agency_call"].isna()
        | (matched["agency"] == matched["agency_call"])
    )
    matched.loc[~ok, ["called_at", "round"]] = None
    matched = matched.sort_values("called_at", na_position="first")
    out = matched.groupby(["agency", "unit"], dropna=False, sort=False).tail(1)
    out = out.rename(columns={"called_at": "last_called_at", "round": "last_round"})
    out = out.sort_values(["agency", "unit"], na_position="last")
    return out[["agency", "unit", "last_called_at", "last_round"]].reset_index(drop=True)


# ---------------------------------------------------------------- 6 scorecard, 7 summary


def _unit_figures(f: Frames, filters: Filters, start: dt.date, end: dt.date) -> pd.DataFrame:
    period = filters.with_period(start, end)
    rate = on_time_rate(f, period, by=("unit",), date_basis="replied")
    frame = rate[["unit", "replied", "on_time_rate"]]
    overdue = open_cases(f, period, by=("unit",), as_of=end)[["unit", "open_overdue"]]
    frame = frame.merge(overdue.rename(columns={"open_overdue": "overdue_open"}), how="outer")
    frame["overdue_open"] = frame["overdue_open"].fillna(0)
    slow = filters.with_period(add_months(month_start(end), -11), end)
    survey = survey_satisfaction(f, slow, by=("unit",))[["unit", "n", "rate"]]
    frame = frame.merge(
        survey.rename(columns={"n": "survey_n", "rate": "survey_satisfaction"}), how="outer"
    )
    phone = phone_scores(f, slow)[["unit", "calls", "mean_score"]]
    return frame.merge(
        phone.rename(columns={"calls": "phone_calls", "mean_score": "phone_score"}), how="outer"
    )


def unit_scorecard(f: Frames, filters: Filters) -> pd.DataFrame:
    end = filters.end or latest_received(f.petitions, filters)
    start = filters.start or month_start(end)
    if start.day == 1 and end == month_end(end):
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        prev_start, prev_end = add_months(start, -months), start - dt.timedelta(days=1)
    else:
        prev_end = start - dt.timedelta(days=1)
        prev_start = prev_end - (end - start)
    frame = _unit_figures(f, filters, start, end)
    previous = _unit_figures(f, filters, prev_start, prev_end)[["unit", *INDICATORS]]
    frame = frame.merge(
        previous.add_suffix("_prev").rename(columns={"unit_prev": "unit"}), on="unit", how="left"
    )
    misses = np.zeros(len(frame), dtype=int)
    severe = np.zeros(len(frame), dtype=bool)
    known = np.zeros(len(frame), dtype=bool)
    for name in INDICATORS:
        value = frame[name].to_numpy(dtype=float)
        frame[f"{name}_change"] = value - frame[f"{name}_prev"].to_numpy(dtype=float)
        target, margin = DEFAULT_TARGETS[name], SEVERE_MARGINS[name]
        has = ~np.isnan(value)
        if name in LOWER_IS_BETTER:
            missed, bad = has & (value > target), has & (value > target + margin)
        else:
            missed, bad = has & (value < target), has & (value < target - margin)
        frame[f"{name}_target"] = target
        frame[f"{name}_met"] = pd.array(np.where(has, ~missed, None), dtype="boolean")
        misses += missed
        severe |= bad
        known |= has
    frame["targets_missed"] = misses
    frame["standing"] = np.select(
        [~known, severe | (misses >= 2), misses == 1], [NO_DATA, FOLLOW_UP, WATCH], default=GOOD
    )
    frame.insert(1, "period_start", start)
    frame.insert(2, "period_end", end)
    order = ["unit", "period_start", "period_end", "replied", "survey_n", "phone_calls"]
    for name in INDICATORS:
        order += [name, f"{name}_target", f"{name}_met", f"{name}_prev", f"{name}_change"]
    frame = frame[[*order, "targets_missed", "standing"]]
    rank = frame["standing"].map(STANDING_ORDER)
    return frame.assign(_rank=rank).sort_values(["_rank", "unit"]).drop(columns="_rank")


def _survey_wave(f: Frames, filters: Filters, start: dt.date, end: dt.date):
    r = f.responses[mask(f.responses, filters.with_period(None, None), None, SURVEY_FILTERS)]
    span = r.groupby("wave")["responded_on"].agg(["min", "max"]).reset_index()
    span = span[(span["max"] >= _ts(start)) & (span["max"] <= _ts(end))]
    if span.empty:
        return None
    wave = span.sort_values(["max", "wave"], ascending=False).iloc[0]
    rows = survey_satisfaction(f, filters.with_period(wave["min"].date(), wave["max"].date()))
    row = rows[rows["wave"] == wave["wave"]].iloc[0]
    return wave["wave"], float(row["rate"]), int(row["n"])


def _phone_round(f: Frames, filters: Filters, start: dt.date, end: dt.date):
    t = f.phone_tests[mask(f.phone_tests, filters.with_period(None, None), None, PHONE_FILTERS)]
    span = t.assign(day=t["called_at"].dt.normalize()).groupby("round")["day"]
    span = span.agg(["min", "max"]).reset_index()
    span = span[(span["max"] >= _ts(start)) & (span["max"] <= _ts(end))]
    if span.empty:
        return None
    chosen = span.sort_values(["max", "round"], ascending=False).iloc[0]
    calls = _calls(f, filters.with_period(chosen["min"].date(), chosen["max"].date()))
    calls = calls[calls["round"] == chosen["round"]]
    return chosen["round"], float(calls["total_score"].mean()), len(calls)


def monthly_summary(f: Frames, filters: Filters) -> pd.DataFrame:
    """Figures only: value, n, detail, previous/last-year figures and changes."""
    base = filters.with_period(None, None)
    p = f.petitions
    this = month_start(filters.end or latest_received(p, base))
    months = (this, add_months(this, -1), add_months(this, -12))
    first = month_start(first_received(p, base))
    rows = []

    def row(indicator, kind, values, n=None, detail=None):
        value, prev, last = values
        changes = []
        for other in (prev, last):
            if other is None or value is None or (kind == "relative" and other == 0):
                changes.append(None)
            else:
                changes.append((value - other) / other if kind == "relative" else value - other)
        rows.append((indicator, value, n, detail, prev, changes[0], last, changes[1], kind))

    received = []
    for m in months:
        period = base.with_period(m, month_end(m))
        received.append(int(mask(p, period, "received_date").sum()) if m >= first else None)
    row("received", "relative", received)
    rates, counts = [], []
    for m in months:
        r = on_time_rate(f, base.with_period(m, month_end(m)), date_basis="replied").iloc[0]
        counts.append(int(r["replied"]))
        rates.append(float(r["on_time_rate"]) if r["replied"] else None)
    row("on_time_rate", "points", rates, n=counts[0])
    overdue = []
    for m in months:
        end = month_end(m)
        if m < first:
            overdue.append(None)
            continue
        o = open_cases(f, base.with_period(None, end), as_of=end)
        overdue.append(int(o["open_overdue"].iloc[0]))
    row("overdue_open", "count_difference", overdue)
    rates, counts = [], []
    for m in months:
        c = p[mask(p, base.with_period(m, month_end(m)), "received_date")]
        rated = int(c["reply_satisfaction"].notna().sum())
        counts.append(rated)
        rates.append(float((c["reply_satisfaction"] >= 4).sum() / rated) if rated else None)
    row("reply_satisfaction", "points", rates, n=counts[0])
    quarter = dt.date(this.year, 3 * ((this.month - 1) // 3) + 1, 1)
    current = _survey_wave(f, base, quarter, month_end(this))
    if current is not None:
        previous = _survey_wave(f, base, add_months(quarter, -3), quarter - dt.timedelta(1))
        last = _survey_wave(
            f, base, add_months(quarter, -12), add_months(quarter, -9) - dt.timedelta(1)
        )
        values = (current[1], previous and previous[1], last and last[1])
        row("survey_satisfaction", "points", values, n=current[2], detail=current[0])
    current = _phone_round(f, base, this, month_end(this))
    if current is not None:
        previous = _phone_round(f, base, dt.date.min, this - dt.timedelta(1))
        last = _phone_round(f, base, months[2], month_end(months[2]))
        values = (current[1], previous and previous[1], last and last[1])
        row("phone_score", "points_score", values, n=current[2], detail=current[0])
    columns = [
        "indicator",
        "value",
        "n",
        "detail",
        "previous",
        "previous_change",
        "last_year",
        "last_year_change",
        "change_kind",
    ]
    out = pd.DataFrame(rows, columns=columns)
    out.insert(0, "month", this.strftime("%Y-%m"))
    return out


# ---------------------------------------------------------------- registry


class Baseline(NamedTuple):
    fn: Callable[[Frames, Filters], pd.DataFrame]
    note: str  # empty for a full baseline


BASELINES: dict[str, Baseline] = {
    "on_time_rate": Baseline(on_time_rate, ""),
    "reply_days": Baseline(reply_days, ""),
    "open_cases": Baseline(open_cases, ""),
    "overdue_aging": Baseline(overdue_aging, ""),
    "extensions": Baseline(extensions, ""),
    "district_counts": Baseline(district_counts, ""),
    "category_by_district": Baseline(category_by_district, ""),
    "type_counts": Baseline(type_counts, ""),
    "type_changes": Baseline(type_changes, ""),
    "top_categories": Baseline(top_categories, ""),
    "repeat_petitions": Baseline(repeat_petitions, ""),
    "spikes": Baseline(spikes, ""),
    "survey_satisfaction": Baseline(survey_satisfaction, ""),
    "satisfaction_change": Baseline(satisfaction_change, ""),
    "satisfaction_trend": Baseline(satisfaction_trend, ""),
    "survey_reliability": Baseline(survey_reliability, ""),
    "reply_satisfaction": Baseline(reply_satisfaction, ""),
    "phone_scores": Baseline(phone_scores, ""),
    "low_score_calls": Baseline(low_score_calls, ""),
    "weakest_items": Baseline(weakest_items, ""),
    "phone_round_change": Baseline(phone_round_change, ""),
    "untested_units": Baseline(untested_units, ""),
    "unit_scorecard": Baseline(
        unit_scorecard, "partial baseline: figures, targets and standing; not the notes text"
    ),
    "monthly_summary": Baseline(
        monthly_summary, "partial baseline: figures and changes; not labels or sentences"
    ),
}
