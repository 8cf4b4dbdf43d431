"""Sample satisfaction survey: one wave a quarter, about 1,100 respondents a wave at scale 1.

Answers come from one latent satisfaction per respondent plus item noise, so the
13 items correlate the way real scales do (Cronbach's alpha near 0.9), with a
slight rise across waves for trend analysis to find. Non-substantive answers
(無意見 6, 不知道 9, 拒答 0) are about 3% of cells, more for the premises items
when the interview was by phone.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from etl.samplegen import catalog
from etl.samplegen.reference import calendar, check_period, districts
from store.months import add_months

WAVE_SIZE = 1_100
MIN_WAVE_SIZE = 60
ITEMS = tuple(f"Q{i:02d}" for i in range(1, 14))
PREMISES_ITEMS = ("Q01", "Q02", "Q03")  # 洽公環境: a phone respondent often has no view
COLUMNS = {
    "調查波次": "text", "問卷編號": "id", "機關": "text", "受訪單位": "text", "調查方式": "text",
    "居住行政區": "district", "性別": "text", "年齡層": "text", "填答日期": "date",
    **{item: "score" for item in ITEMS},
}  # fmt: skip
MODES = ("臨櫃", "電話", "網路")
MODE_P = (0.5, 0.3, 0.2)
MODE_EFFECT = (0.1, 0.0, -0.15)
AGES = ("未滿20歲", "20-29歲", "30-39歲", "40-49歲", "50-59歲", "60歲以上")
AGE_P = (0.03, 0.15, 0.2, 0.22, 0.2, 0.2)
# Latent scale: answer = 1 + number of cut points below the respondent's item value.
CUTS = (-1.9, -1.0, 0.0, 2.0)
ITEM_BIAS = (0.15, -0.1, 0.0, 0.25, 0.1, 0.3, 0.05, 0.1, -0.25, -0.15, -0.05, -0.1, 0.05)


def waves(start: dt.date, months: int) -> list[tuple[str, dt.date]]:
    """(label, fieldwork month) for each quarter whose middle month lies in the period."""
    first = start.replace(day=1)
    end = check_period(first, months)
    out = []
    for i in range(months):
        month = add_months(first, i)
        if month.month % 3 == 2 and month < end:
            out.append((f"{month.year}Q{(month.month - 1) // 3 + 1}", month))
    return out


def build(seed: int, start: dt.date, months: int, scale: float) -> pd.DataFrame:
    """Survey responses, one row per respondent, COLUMNS in order."""
    rng = np.random.default_rng([seed, 2])
    d, cal = districts(), calendar()
    units = catalog.SERVICE_UNITS
    unit_effect = rng.normal(0, 0.25, len(units))
    frames = []
    for w, (label, month) in enumerate(waves(start, months)):
        n = max(MIN_WAVE_SIZE, round(WAVE_SIZE * scale * rng.uniform(0.96, 1.04)))
        mode = rng.choice(3, n, p=MODE_P)
        unit = rng.integers(0, len(units), n)
        # Fieldwork runs over the first three weeks of the month; counter and phone
        # interviews happen on working days only.
        o = cal.offset(month)
        days = np.arange(o, o + 21)
        working = days[cal.working[days]]
        day = np.where(mode == 2, rng.choice(days, n), rng.choice(working, n))
        mean = 1.2 + 0.04 * w + unit_effect[unit] + np.array(MODE_EFFECT)[mode]
        theta = rng.normal(0, 1, n)
        latent = (
            mean[:, None]
            + theta[:, None]
            + np.array(ITEM_BIAS)
            + rng.normal(0, 1.0, (n, len(ITEMS)))
        )
        score = 1 + (latent[:, :, None] > np.array(CUTS)).sum(axis=2)
        u = rng.random((n, len(ITEMS)))
        premises = np.isin(ITEMS, PREMISES_ITEMS)[None, :] & (mode == 1)[:, None]
        no_view = u < np.where(premises, 0.10, 0.018)
        score = np.where(no_view, 6, score)
        score = np.where((u >= 0.5) & (u < 0.506), 9, score)
        score = np.where((u >= 0.6) & (u < 0.603), 0, score)
        answers = pd.DataFrame(score, columns=list(ITEMS)).astype("Int64")
        answers = answers.mask((u >= 0.7) & (u < 0.703))  # a few items left blank
        dist = rng.choice(len(d.names), n, p=d.weight)
        sex = np.array(["男", "女", ""], dtype=object)[rng.choice(3, n, p=(0.48, 0.51, 0.01))]
        frames.append(
            pd.DataFrame(
                {
                    "調查波次": label,
                    "問卷編號": [f"{label}-{i:04d}" for i in range(1, n + 1)],
                    "機關": np.array([a for a, _ in units], dtype=object)[unit],
                    "受訪單位": np.array([u_ for _, u_ in units], dtype=object)[unit],
                    "調查方式": np.array(MODES, dtype=object)[mode],
                    "居住行政區": np.where(
                        rng.random(n) < 0.01, "", np.array(d.names, dtype=object)[dist]
                    ),
                    "性別": sex,
                    "年齡層": np.array(AGES, dtype=object)[rng.choice(len(AGES), n, p=AGE_P)],
                    "填答日期": cal.to_datetime64(day).astype("datetime64[s]"),
                }
            ).join(answers)
        )
    return pd.concat(frames, ignore_index=True)[list(COLUMNS)]
