"""Family 2, regional distribution (地域分佈): counts, shares and rates per 10,000
residents by district, a test for districts above the city rate, category x district.

Rows are never dropped for their place: another city's districts are listed by name
(in_city false, row_kind 其他縣市) and petitions without a district form one line
未填行政區; rates per 10,000 residents are for the configured city's districts only.

The test. Given the city's cases X over the districts with a population figure and those
districts' population N, a district with population n_i would, if its rate equalled the
city rate, receive x_i ~ Binomial(X, n_i / N) of them (the exact conditional test of
equal Poisson rates). The one-sided p-value is P(Binomial >= x_i); p-values over all
tested districts are adjusted by Benjamini-Hochberg (false discovery rate), and a
district is flagged when its adjusted p-value is below ``alpha`` (default 0.05). With
tens of thousands of cases even small excesses become significant, so read the flag with
the rate ratio beside it.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
from scipy import stats

from metrics import _sql
from metrics.filters import Filters
from metrics.population import LATEST_POPULATION_SQL
from store.vocabulary import CONFIGURED_CITY, NO_DISTRICT

PUBLIC_METRICS = ("district_counts", "category_by_district")

ROW_DISTRICT = "行政區"
ROW_OTHER_CITY = "其他縣市"
PER = 10_000

NOTE_NO_POPULATION = "無人口資料（請載入行政區人口統計）"
NOTE_OTHER_CITY = "非本市行政區，不計比率"
NOTE_NO_DISTRICT = "未填行政區，不計比率"
NOTE_NOT_TESTED = "無全市比率可比較"

DISTRICT_COUNTS_SQL = """
WITH counts AS (
  SELECT district, in_city IS TRUE AS in_city, count(*) AS cases
  FROM petitions WHERE {where} GROUP BY ALL
),
reference AS (SELECT district, town_code FROM districts WHERE city = ?),
pop AS ({population}),
joined AS (
  SELECT coalesce(r.district, c.district, '{none}') AS district,
         CASE WHEN r.district IS NOT NULL THEN TRUE WHEN c.district IS NOT NULL
              THEN c.in_city END AS in_city,
         CASE WHEN r.district IS NOT NULL THEN '{in_city}'
              WHEN c.district IS NULL THEN '{none}' ELSE '{other}' END AS row_kind,
         coalesce(c.cases, 0) AS cases,
         r.town_code
  FROM reference r FULL JOIN counts c ON c.district = r.district AND c.in_city
)
SELECT j.district, j.in_city, j.row_kind, j.cases,
       p.population, p.as_of AS population_as_of, p.source AS population_source
FROM joined j LEFT JOIN pop p ON p.district = j.district AND j.row_kind = '{in_city}'
ORDER BY CASE j.row_kind WHEN '{in_city}' THEN 0 WHEN '{other}' THEN 1 ELSE 2 END,
         j.town_code, j.district
"""

CATEGORY_DISTRICT_SQL = """
WITH c AS (
  SELECT {group} AS {name}, {label} AS district, in_city, count(*) AS cases
  FROM petitions WHERE {where} GROUP BY ALL
)
SELECT {name}, district, in_city, cases,
       cases / sum(cases) OVER (PARTITION BY district, in_city) AS share_in_district,
       cases / sum(cases) OVER (PARTITION BY {name}) AS share_in_group
FROM c
ORDER BY {name}, in_city DESC NULLS LAST, district
"""

CROSS_GROUPINGS = ("category", "subcategory", "channel", "unit", "agency")


def _cutoff(con: duckdb.DuckDBPyConnection, filters: Filters) -> dt.date | None:
    return filters.end or _sql.latest_received(con, filters)


def district_counts(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """地域分佈: petitions by district, share, rate per 10,000 residents vs the city rate.

    One row per district of the configured city (zero-count districts included, in MOI
    town-code order), then one per other city's district with cases (by name, in_city
    false), then a 未填行政區 line when it has cases; row_kind tells which (行政區 /
    其他縣市 / 未填行政區). share = cases / all petitions matching the filters other than
    district (fraction). per_10k = cases / population x 10,000, using each district's
    latest population dated on or before the period end (else the latest receipt date);
    city_per_10k is the same over all districts with a figure, rate_ratio their quotient.
    p_value is the one-sided exact binomial test described in the module docstring,
    p_adjusted its Benjamini-Hochberg adjustment, above_city = p_adjusted < alpha. Where
    no population is loaded the rate columns are NULL and rate_note says why; population
    figures are never invented. A district filter selects rows but the city rate and
    the adjustment still cover the whole city.
    """
    cutoff = _cutoff(con, filters)
    unfiltered = Filters(
        filters.start,
        filters.end,
        filters.agencies,
        filters.units,
        (),
        filters.channels,
        filters.categories,
    )
    where, params = unfiltered.where("received_date")
    sql = DISTRICT_COUNTS_SQL.format(
        where=where,
        population=LATEST_POPULATION_SQL,
        other=ROW_OTHER_CITY,
        none=NO_DISTRICT,
        in_city=ROW_DISTRICT,
    )
    frame = con.execute(sql, [*params, CONFIGURED_CITY, cutoff or dt.date.max]).df()
    frame = _add_rates(frame, alpha)
    if filters.districts:
        frame = frame[frame["district"].isin(filters.districts)].reset_index(drop=True)
    return frame


def _add_rates(frame: pd.DataFrame, alpha: float) -> pd.DataFrame:
    cases = frame["cases"].to_numpy(dtype=float)
    total = cases.sum()
    population = pd.to_numeric(frame["population"], errors="coerce").to_numpy(dtype=float)
    in_city = (frame["row_kind"] == ROW_DISTRICT).to_numpy()
    rated = in_city & ~np.isnan(population) & (population > 0)
    city_cases = cases[rated].sum()
    city_population = population[rated].sum()
    city_rate = city_cases / city_population * PER if city_population > 0 else np.nan

    out = frame.copy()
    out["share"] = cases / total if total > 0 else np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        per_10k = np.where(rated, cases / population * PER, np.nan)
    out["per_10k"] = per_10k
    out["city_per_10k"] = np.where(rated, city_rate, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["rate_ratio"] = np.where(rated & (city_rate > 0), per_10k / city_rate, np.nan)

    tested = rated & (city_cases > 0)
    p_value = np.full(len(out), np.nan)
    p_adjusted = np.full(len(out), np.nan)
    if tested.any():
        share_of_population = population[tested] / city_population
        p_value[tested] = stats.binom.sf(cases[tested] - 1, city_cases, share_of_population)
        p_adjusted[tested] = stats.false_discovery_control(p_value[tested], method="bh")
    out["p_value"] = p_value
    out["p_adjusted"] = p_adjusted
    out["above_city"] = pd.array(
        np.where(tested, (p_adjusted < alpha) & (per_10k > city_rate), None), dtype="boolean"
    )
    note = np.select(
        [
            frame["row_kind"] == ROW_OTHER_CITY,
            frame["row_kind"] == NO_DISTRICT,
            ~rated,
            ~tested,
        ],
        [NOTE_OTHER_CITY, NOTE_NO_DISTRICT, NOTE_NO_POPULATION, NOTE_NOT_TESTED],
        default="",
    )
    out["rate_note"] = pd.Series(note, index=out.index).replace("", None)
    return out


def category_by_district(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    by: str = "category",
) -> pd.DataFrame:
    """類別 x 行政區: petitions per (``by`` value, district), long format.

    ``by`` is category (default), subcategory, channel, unit or agency; NULL values show
    as 未填. district and in_city follow ``district_counts`` (other cities' districts by
    name, a 未填行政區 line).
    share_in_district = cases / the district's cases; share_in_group = cases / the
    ``by`` value's cases (fractions). Unit: cases; only non-zero cells are returned.
    """
    if by not in CROSS_GROUPINGS:
        raise ValueError(f"不支援的分組欄位「{by}」；可用的分組：{'、'.join(CROSS_GROUPINGS)}")
    groups = _sql.group_columns(by, _sql.petition_groupings())
    name, expr = groups[0]
    where, params = filters.where("received_date")
    sql = CATEGORY_DISTRICT_SQL.format(
        group=expr, name=name, label=_sql.DISTRICT_NAME.format(p=""), where=where
    )
    return con.execute(sql, params).df()
