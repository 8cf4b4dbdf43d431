"""Sample telephone courtesy tests: two rounds a year, every service unit called each round.

Points per rubric item follow a per-call quality plus persistent unit
weaknesses (a few units always lose points on transfers, or answer slowly), so
item-level analysis has a pattern to find. Totals are mostly 75-98, with a few
calls under 60 that the report must flag.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from etl.samplegen import catalog
from etl.samplegen.reference import calendar, check_period

# (column, max points, rubric category) as in sample_data/mappings/svcq_phone_tests.toml.
RUBRIC = (
    ("R01", 15, "接聽速度"), ("R02", 10, "電話禮貌"), ("R03", 10, "電話禮貌"),
    ("R04", 10, "電話禮貌"), ("R05", 5, "電話禮貌"), ("R06", 15, "服務內容"),
    ("R07", 10, "服務內容"), ("R08", 10, "服務內容"), ("R09", 5, "轉接處理"),
    ("R10", 5, "轉接處理"), ("R11", 5, "轉接處理"),
)  # fmt: skip
COLUMNS = {
    "測試編號": "id", "機關": "text", "受測單位": "text", "測試時間": "datetime",
    "測試輪次": "text", "測試人員": "id", **{col: "score" for col, _, _ in RUBRIC},
}  # fmt: skip
ROUND_WINDOWS = {1: ((3, 1), (6, 30)), 2: ((9, 1), (11, 30))}
TESTERS = tuple(f"T{i:02d}" for i in range(1, 9))
HOTLINE = "1999話務中心"  # the hotline is called three times a round


def rounds(start: dt.date, months: int) -> list[tuple[str, dt.date, dt.date]]:
    """(label, first day, last day) of each round's calling window inside the period."""
    first = start.replace(day=1)
    end = check_period(first, months) - dt.timedelta(days=1)
    out = []
    for year in range(first.year, end.year + 1):
        for number, ((m0, d0), (m1, d1)) in ROUND_WINDOWS.items():
            lo = max(dt.date(year, m0, d0), first)
            hi = min(dt.date(year, m1, d1), end)
            if (hi - lo).days >= 7:
                out.append((f"{year}-{number}", lo, hi))
    return out


def build(seed: int, start: dt.date, months: int, scale: float = 1.0) -> pd.DataFrame:
    """Test calls, one row per call, COLUMNS in order. The number of calls does not scale."""
    rng = np.random.default_rng([seed, 3])
    cal = calendar()
    units = catalog.SERVICE_UNITS
    categories = np.array([c for _, _, c in RUBRIC])
    maxima = np.array([m for _, m, _ in RUBRIC], dtype=float)
    # Persistent weaknesses: some units always mishandle transfers, some answer slowly.
    weakness = np.zeros((len(units), len(RUBRIC)))
    order = rng.permutation(len(units))
    weakness[np.ix_(order[:4], np.flatnonzero(categories == "轉接處理"))] = -0.55
    weakness[np.ix_(order[4:6], np.flatnonzero(categories == "接聽速度"))] = -0.45
    weakness[np.ix_(order[6:8], np.flatnonzero(categories == "服務內容"))] = -0.2
    frames = []
    for r, (label, lo, hi) in enumerate(rounds(start, months)):
        calls = np.ones(len(units), dtype=int) + (rng.random(len(units)) < 0.2)
        calls[[u for _, u in units].index(HOTLINE)] = 3
        unit = np.repeat(np.arange(len(units)), calls)
        n = len(unit)
        days = np.arange(cal.offset(lo), cal.offset(hi) + 1)
        day = rng.choice(days[cal.working[days]], n)
        morning = rng.random(n) < 0.5
        secs = np.where(
            morning,
            rng.integers(8 * 3600 + 1800, 12 * 3600, n),
            rng.integers(13 * 3600 + 1800, 17 * 3600, n),
        )
        called = cal.to_datetime64(day).astype("datetime64[s]") + secs.astype("timedelta64[s]")
        quality = np.clip(rng.normal(0.9 + 0.01 * r, 0.06, n), 0, 1)
        bad = rng.random(n) < 0.03  # the odd call that goes badly wrong
        quality = np.where(bad, rng.normal(0.5, 0.08, n), quality)
        share = np.clip(
            quality[:, None] + weakness[unit] + rng.normal(0, 0.1, (n, len(RUBRIC))), 0, 1
        )
        points = np.round(share * maxima).astype(int)
        # Answering speed is all or nothing in practice: within four rings, a little late, or not.
        speed = np.select([share[:, 0] > 0.8, share[:, 0] > 0.5], [15, 8], 0)
        points[:, 0] = speed
        testers = rng.choice(len(TESTERS), 4, replace=False)
        order_ = np.lexsort((unit, called))
        frame = pd.DataFrame(
            {
                "測試編號": "",
                "機關": np.array([a for a, _ in units], dtype=object)[unit],
                "受測單位": np.array([u for _, u in units], dtype=object)[unit],
                "測試時間": called,
                "測試輪次": label,
                "測試人員": np.array(TESTERS, dtype=object)[rng.choice(testers, n)],
                **{col: points[:, i] for i, (col, _, _) in enumerate(RUBRIC)},
            }
        ).iloc[order_]
        frame["測試編號"] = [f"PT{label}-{i:03d}" for i in range(1, n + 1)]
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    for col, _, _ in RUBRIC:
        out[col] = out[col].astype("Int64")
    return out[list(COLUMNS)]
