"""Sample petitions: about 20,000 a month at scale 1, with the shape of Kaohsiung's data.

Counts are drawn per (month, district, category) cell from the population
weights, a seasonal profile and the category mix, then spread over the days of
the month by a weekday and holiday profile. Cell counts are binomial with at
most 1.7 times their expectation, so no cell looks like a hot spot by chance:
the one planted spike (``PLANTED_SPIKE``) is the only thing an anomaly check
should find. Replies follow the loader's own working-day calendar, so on-time
rates computed by the loader come out as generated (about 92% on time).
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import numpy as np
import pandas as pd

from etl.samplegen import catalog, pii
from etl.samplegen.reference import CITY, PRECINCT, calendar, check_period, districts

MONTHLY_CASES = 20_000
# Clean header → value type; the variants format each column by its type.
COLUMNS = {
    "案件編號": "id", "機關": "text", "承辦單位": "text", "陳情管道": "text",
    "案件類別": "text", "案件子類別": "text", "行政區": "district", "受理時間": "datetime",
    "限辦日期": "date", "展延後期限": "date", "展延原因": "text", "首次回覆時間": "datetime",
    "結案時間": "datetime", "案件狀態": "text", "回覆滿意度": "score", "陳情主旨": "text",
    "陳情人姓名": "text", "身分證字號": "id", "聯絡電話": "digits", "電子郵件": "text",
    "聯絡地址": "digits",
}  # fmt: skip
# Not in the clean file: where the case is, written only by the legacy layout.
LOCATION = "_案件地址"

# Month-of-year profile (Jan..Dec): summer typhoon and rain months bring more cases.
SEASON = (0.97, 0.96, 0.98, 0.98, 1.0, 1.05, 1.1, 1.13, 1.1, 1.02, 0.98, 0.96)
# Monday carries the weekend's backlog; weekends are quiet.
WEEKDAY = (1.08, 1.0, 1.0, 1.0, 0.97, 0.55, 0.45)
SPIKE_FACTOR = 3.3
MAX_OVER_EXPECTED = 1.7  # binomial cap: n = ceil(λ * 1.7) trials


class Spike(NamedTuple):
    category: str
    district: str
    month: dt.date  # first day of the month


# A construction site's night work in 前鎮區 in July 2025: the category's cases more than
# triple, most of them 噪音 on 中華五路.
PLANTED_SPIKE = Spike("環境與動物保護", "前鎮區", dt.date(2025, 7, 1))
SPIKE_SUB = "噪音"
SPIKE_ROAD = "中華五路"

HOURS_SPOKEN = (0.2, 0.15, 0.1, 0.1, 0.1, 0.2, 0.5, 1, 3, 6, 7, 6, 4, 5, 6, 6, 5, 4, 3, 3, 2.5, 2, 1.2, 0.6)  # fmt: skip
HOURS_ONLINE = (0.8, 0.5, 0.3, 0.3, 0.3, 0.5, 1, 2, 3, 4.5, 5, 5, 4, 4, 5, 5, 5, 4, 3.5, 4, 4.5, 4.5, 3.5, 2)  # fmt: skip
# Personal data a petitioner gives, by channel group (spoken, online, office):
# name, phone, national id, e-mail, address.
PII_SHARE = {
    "spoken": (0.97, 0.97, 0.08, 0.05, 0.35),
    "online": (0.97, 0.55, 0.20, 0.95, 0.30),
    "office": (0.99, 0.85, 0.60, 0.15, 0.90),
}
SATISFACTION_ON_TIME = (0.06, 0.06, 0.12, 0.31, 0.45)  # P(1..5)
SATISFACTION_LATE = (0.20, 0.20, 0.25, 0.20, 0.15)


def _cells(rng: np.random.Generator, scale: float, first: dt.date, months: int) -> tuple:
    """Expected and drawn case counts per (month, district, category)."""
    d, cal = districts(), calendar()
    o0 = cal.offset(first)
    o1 = cal.offset(check_period(first, months))
    day = np.arange(o0, o1)
    stamp = cal.to_datetime64(day)
    month = (stamp.astype("datetime64[M]") - np.datetime64(first, "M")).astype(int)
    weekday = (stamp.astype(int) + 3) % 7  # 1970-01-01 was a Thursday
    w = np.array(WEEKDAY)[weekday]
    w = np.where(~cal.working[day] & (weekday < 5), 0.5, w)  # a holiday on a weekday
    w = np.where(cal.working[day] & (weekday >= 5), 0.9, w)  # 補行上班 Saturday
    w = np.where(cal.lunar_new_year[day], 0.35, w)
    month_w = np.bincount(month, weights=w, minlength=months)
    moy = (np.datetime64(first, "M") + np.arange(months)).astype(int) % 12
    # Season and a 3%-a-year growth are centred on 1, so the average month is MONTHLY_CASES.
    growth = 1 + 0.03 * (np.arange(months) - (months - 1) / 2) / 12
    seasonal = np.array(SEASON)[moy] / np.mean(SEASON)
    per_month = MONTHLY_CASES * scale * seasonal * growth * month_w / (w.mean() * 30.44)

    cats = catalog.CATEGORIES
    mix = np.tile([c.weight for c in cats], (len(d.names), 1))
    names = catalog.CATEGORY_NAMES
    county = ~d.original_city
    mix[county, names.index("交通規劃與裁決")] *= 0.8
    mix[county, names.index("環境與動物保護")] *= 1.1
    mix[d.mountain, names.index("交通規劃與裁決")] *= 0.6
    mix[d.mountain, names.index("都市建設與發展")] *= 1.15
    mix /= mix.sum(axis=1, keepdims=True)
    season = np.array([c.season for c in cats])[:, moy].T  # (month, category)
    raw = d.weight[None, :, None] * mix[None, :, :] * season[:, None, :]
    expected = per_month[:, None, None] * raw / raw.sum(axis=(1, 2), keepdims=True)
    spike = _spike_cell(first, months)
    if spike is not None:
        expected[spike] *= SPIKE_FACTOR
    trials = np.maximum(np.ceil(expected * MAX_OVER_EXPECTED), 1).astype(np.int64)
    counts = rng.binomial(trials, expected / trials)
    return counts, day, month, w, spike


def _spike_cell(first: dt.date, months: int) -> tuple[int, int, int] | None:
    s = PLANTED_SPIKE
    m = (s.month.year - first.year) * 12 + s.month.month - first.month
    if not 0 <= m < months:
        return None
    return m, districts().index(s.district), catalog.CATEGORY_NAMES.index(s.category)


def _choose(
    rng: np.random.Generator, groups: np.ndarray, tables: dict[int, np.ndarray]
) -> np.ndarray:
    """For each row, an index drawn from the probability vector of its group."""
    out = np.zeros(len(groups), dtype=np.int64)
    for g in np.unique(groups):
        rows = np.flatnonzero(groups == g)
        p = tables[int(g)]
        out[rows] = rng.choice(len(p), len(rows), p=p)
    return out


def _seconds_of_day(rng: np.random.Generator, hours: tuple, n: int) -> np.ndarray:
    p = np.array(hours) / sum(hours)
    return rng.choice(24, n, p=p) * 3600 + rng.integers(0, 3600, n)


def _office_seconds(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(8 * 3600 + 1800, 17 * 3600 + 1800, n)


def build(seed: int, start: dt.date, months: int, scale: float) -> pd.DataFrame:
    """The petitions as a typed frame: COLUMNS in order, plus the hidden LOCATION column."""
    rng = np.random.default_rng([seed, 1])
    d, cal = districts(), calendar()
    first = start.replace(day=1)
    counts, day, month_of_day, w, spike = _cells(rng, scale, first, months)
    months_, dist, cat = np.unravel_index(
        np.repeat(np.arange(counts.size), counts.ravel()), counts.shape
    )
    n = len(dist)

    # Day within the month by the daily profile, then a time of day by channel.
    cum = np.cumsum(w)
    before = np.concatenate(
        [[0.0], np.bincount(month_of_day, weights=w, minlength=months).cumsum()]
    )
    target = before[months_] + rng.random(n) * (before[months_ + 1] - before[months_])
    recv_day = day[np.minimum(np.searchsorted(cum, target, side="right"), len(day) - 1)]

    subs = [c.subs for c in catalog.CATEGORIES]
    sub_names = [s.name for group in subs for s in group]
    sub_offset = np.cumsum([0] + [len(g) for g in subs])
    sub_p = {
        i: np.array([s.weight for s in g]) / sum(s.weight for s in g) for i, g in enumerate(subs)
    }
    sub = sub_offset[cat] + _choose(rng, cat, sub_p)
    if spike is not None:
        in_spike = (months_ == spike[0]) & (dist == spike[1]) & (cat == spike[2])
        noise = sub_offset[spike[2]] + [s.name for s in subs[spike[2]]].index(SPIKE_SUB)
        sub = np.where(in_spike & (rng.random(n) < 0.75), noise, sub)
    else:
        in_spike = np.zeros(n, dtype=bool)

    channels = np.array(catalog.CHANNELS, dtype=object)
    channel = rng.choice(len(channels), n, p=catalog.CHANNEL_WEIGHTS)
    no_district = rng.random(n) < 0.005  # mostly mayor-mailbox policy opinions
    channel = np.where(no_district, np.where(rng.random(n) < 0.8, 1, 3), channel)
    dist = np.where(no_district, -1, dist)

    # Repeat petitioners: a follow-up takes the person of an earlier case in the same
    # district and category some 2-25 days before.
    rel = (recv_day - day[0]) * 86400 + _seconds_of_day(rng, HOURS_ONLINE, n)
    group = np.where(dist >= 0, dist * 100 + cat, -1)
    key = group.astype(np.int64) * 10**10 + rel
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    follow = (rng.random(n) < 0.09) & (dist >= 0)
    look = key - rng.integers(2 * 86400, 25 * 86400, n)
    j = np.searchsorted(sorted_key, look, side="right") - 1
    prev = order[np.maximum(j, 0)]
    ok = follow & (j >= 0) & (group[prev] == group) & (rel - rel[prev] < 30 * 86400)
    root = np.where(ok, prev, np.arange(n))
    while not np.array_equal(root[root], root):
        root = root[root]
    follows = root != np.arange(n)
    sub = np.where(follows & (rng.random(n) < 0.8), sub[root], sub)
    channel = np.where(follows & (rng.random(n) < 0.7), channel[root], channel)
    working = cal.working[recv_day]
    office = np.isin(channel, [catalog.CHANNELS.index(c) for c in catalog.OFFICE_CHANNELS])
    channel = np.where(office & ~working, 0, channel)
    office &= working
    spoken = np.isin(channel, [catalog.CHANNELS.index(c) for c in catalog.SPOKEN_CHANNELS])
    secs = np.where(
        office,
        _office_seconds(rng, n),
        np.where(
            spoken, _seconds_of_day(rng, HOURS_SPOKEN, n), _seconds_of_day(rng, HOURS_ONLINE, n)
        ),
    )
    received = cal.to_datetime64(recv_day).astype("datetime64[s]") + secs.astype("timedelta64[s]")

    agency, unit = _route(rng, sub, dist)
    out = _timeline(rng, recv_day, channels[channel], first, months)
    people = _people(rng, root, dist, channel, office, spoken)
    location, subject = _subjects(rng, sub, dist, in_spike & (np.array(sub_names, dtype=object)[sub] == SPIKE_SUB),
                                  people, spoken)  # fmt: skip

    names = np.array(d.names, dtype=object)
    frame = pd.DataFrame(
        {
            "案件編號": "",
            "機關": agency,
            "承辦單位": unit,
            "陳情管道": channels[channel],
            "案件類別": np.array(catalog.CATEGORY_NAMES, dtype=object)[cat],
            "案件子類別": np.array(sub_names, dtype=object)[sub],
            "行政區": np.where(dist >= 0, names[np.maximum(dist, 0)], ""),
            "受理時間": received,
            **out,
            "陳情主旨": subject,
            "陳情人姓名": people["name"],
            "身分證字號": people["national_id"],
            "聯絡電話": people["phone"],
            "電子郵件": people["email"],
            "聯絡地址": people["address"],
            LOCATION: location,
        }
    )
    frame = frame.sort_values("受理時間", kind="stable").reset_index(drop=True)
    ym = frame["受理時間"].dt.strftime("%Y%m").to_numpy(dtype=object)
    seq = frame.groupby(ym).cumcount().to_numpy() + 1
    frame["案件編號"] = "P" + ym + np.strings.zfill(seq.astype(str), 6).astype(object)
    return frame[[*COLUMNS, LOCATION]]


def _route(
    rng: np.random.Generator, sub: np.ndarray, dist: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Handling agency and unit of each case, tied to its subcategory and district."""
    d = districts()
    all_subs = [s for c in catalog.CATEGORIES for s in c.subs]
    routes = [(i, r) for i, s in enumerate(all_subs) for r in s.routes]
    agencies = np.empty((len(routes) + len(all_subs), len(d.names)), dtype=object)
    units = np.empty_like(agencies)
    for k, (_, r) in enumerate(routes):
        for j, name in enumerate(d.names):
            fill = {"d": name, "p": PRECINCT[name]}
            agencies[k, j] = r.agency.format(**fill)
            units[k, j] = r.unit.format(**fill)
    for i, s in enumerate(all_subs):  # rows for cases without a district
        agencies[len(routes) + i, :], units[len(routes) + i, :] = s.fallback_route()
    tables = {}
    for i, s in enumerate(all_subs):
        ids = [k for k, (owner, _) in enumerate(routes) if owner == i]
        for county in (0, 1):
            wanted = ("all", "county" if county else "city")
            p = np.zeros(len(routes))
            p[ids] = [r.weight if r.scope in wanted else 0.0 for r in s.routes]
            tables[i * 2 + county] = p / p.sum()
    county = (~d.original_city[np.maximum(dist, 0)]).astype(int)
    route = _choose(rng, sub * 2 + county, tables)
    route = np.where(dist >= 0, route, len(routes) + sub)
    col = np.maximum(dist, 0)
    return agencies[route, col], units[route, col]


def _timeline(rng: np.random.Generator, recv_day: np.ndarray, channel: np.ndarray,
              first: dt.date, months: int) -> dict[str, object]:  # fmt: skip
    """Due dates, extensions, first reply, closure, status and the petitioner's rating."""
    cal = calendar()
    n = len(recv_day)
    end_day = cal.offset(check_period(first, months))
    end = np.datetime64(check_period(first, months), "s")
    fast = np.isin(channel, catalog.FAST_CHANNELS)
    policy_due = np.where(fast, cal.add_working(recv_day, 6), cal.roll_forward(recv_day + 30))
    written = channel == "書面"
    given = written & (rng.random(n) < 0.7)
    short = given & (rng.random(n) < 0.3)  # 速件: the office set 14 days
    given_due = cal.roll_forward(recv_day + np.where(short, 14, 30))
    base_due = np.where(given, given_due, policy_due)

    u = rng.random(n)
    tail = 31 + np.minimum(rng.exponential(20, n), 170).astype(int)  # at most ~10 months
    k_fast = np.select(
        [u < 0.70, u < 0.92, u < 0.97, u < 0.99],
        [
            rng.integers(1, 4, n),
            rng.integers(4, 7, n),
            rng.integers(7, 16, n),
            rng.integers(16, 31, n),
        ],
        tail,
    )
    k_slow = np.select(
        [u < 0.40, u < 0.75, u < 0.92, u < 0.97],
        [
            rng.integers(1, 6, n),
            rng.integers(6, 16, n),
            rng.integers(16, 22, n),
            rng.integers(22, 31, n),
        ],
        tail,
    )
    k = np.where(fast, k_fast, np.where(short, np.ceil(k_fast * 1.6).astype(int), k_slow))
    reply_day = cal.add_working(recv_day, k)

    extended = (rng.random(n) < 0.05) & (base_due < end_day - 3)
    ext_due = cal.roll_forward(base_due + rng.integers(10, 31, n))
    lo = np.maximum(cal.wdi[base_due] - 1, cal.wdi[recv_day] + 1)
    hi = np.maximum(cal.wdi[ext_due], lo)
    on_time = lo + (rng.random(n) * (hi - lo + 1)).astype(int)
    late = cal.wdi[ext_due] + rng.integers(1, 11, n)
    ext_reply = cal.working_day_at[np.where(rng.random(n) < 0.85, on_time, late)]
    reply_day = np.where(extended, ext_reply, reply_day)

    def at(days: np.ndarray, secs: np.ndarray) -> np.ndarray:
        return cal.to_datetime64(days).astype("datetime64[s]") + secs.astype("timedelta64[s]")

    reply = at(reply_day, _office_seconds(rng, n))
    c = rng.random(n)
    close_days = np.select([c < 0.75, c < 0.95], [0, rng.integers(1, 4, n)], rng.integers(4, 16, n))
    closed = np.where(
        close_days == 0,
        reply + rng.integers(300, 3 * 3600, n).astype("timedelta64[s]"),
        at(cal.add_working(reply_day, close_days), _office_seconds(rng, n)),
    )
    stuck = (rng.random(n) < 0.0015) & (recv_day < end_day - 45)  # old cases nobody answered
    replied = (reply < end) & ~stuck
    is_closed = replied & (closed < end)
    effective = np.where(extended, ext_due, base_due)
    late_reply = reply_day > effective
    rated = replied & (rng.random(n) < 0.16)
    score = np.where(
        late_reply,
        rng.choice(5, n, p=SATISFACTION_LATE) + 1,
        rng.choice(5, n, p=SATISFACTION_ON_TIME) + 1,
    )
    nat = np.datetime64("NaT", "s")
    reasons = np.array(catalog.EXTENSION_REASONS, dtype=object)
    return {
        "限辦日期": np.where(given, cal.to_datetime64(base_due).astype("datetime64[s]"), nat),
        "展延後期限": np.where(extended, cal.to_datetime64(ext_due).astype("datetime64[s]"), nat),
        "展延原因": np.where(extended, reasons[rng.integers(0, len(reasons), n)], ""),
        "首次回覆時間": np.where(replied, reply, nat),
        "結案時間": np.where(is_closed, closed, nat),
        "案件狀態": np.where(is_closed, "已結案", "處理中").astype(object),
        "回覆滿意度": pd.Series(score).where(rated).astype("Int64"),
    }


def _people(rng: np.random.Generator, root: np.ndarray, dist: np.ndarray, channel: np.ndarray,
            office: np.ndarray, spoken: np.ndarray) -> dict[str, np.ndarray]:  # fmt: skip
    """Petitioners' personal data; a repeat petitioner gives the same data every time."""
    d = districts()
    roots, person = np.unique(root, return_inverse=True)
    m = len(roots)
    female = rng.random(m) < 0.52
    group = np.where(office[roots], "office", np.where(spoken[roots], "spoken", "online"))
    share = np.array([PII_SHARE[g] for g in ("spoken", "online", "office")])
    gi = np.select([group == "spoken", group == "online"], [0, 1], 2)
    gives = rng.random((m, 5)) < share[gi]
    gives[:, 3] |= channel[roots] == catalog.CHANNELS.index("電子郵件")
    values = (
        pii.names(rng, female),
        pii.phones(rng, m),
        pii.national_ids(rng, female),
        pii.emails(rng, m),
        pii.addresses(rng, d, dist[roots]),
    )
    keys = ("name", "phone", "national_id", "email", "address")
    return {
        k: np.where(gives[:, i], v, "")[person]
        for i, (k, v) in enumerate(zip(keys, values, strict=True))
    }


def _subjects(rng: np.random.Generator, sub: np.ndarray, dist: np.ndarray, spike_noise: np.ndarray,
              people: dict[str, np.ndarray], spoken: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Case location (for the legacy layout) and subject text, some embedding personal data."""
    d = districts()
    n = len(sub)
    all_subs = [s for c in catalog.CATEGORIES for s in c.subs]
    templates = [(i, t) for i, s in enumerate(all_subs) for t in s.templates]
    before = np.array(
        [t.split("{loc}")[0] if "{loc}" in t else "" for _, t in templates], dtype=object
    )
    after = np.array([t.split("{loc}")[-1] for _, t in templates], dtype=object)
    t_off = np.searchsorted([i for i, _ in templates], np.arange(len(all_subs)))
    t_cnt = np.bincount([i for i, _ in templates], minlength=len(all_subs))
    t = t_off[sub] + (rng.random(n) * t_cnt[sub]).astype(int)
    t = np.where(spike_noise & (rng.random(n) < 0.8), t_off[sub], t)  # night construction work

    road = pii.roads(rng, d, dist)
    road = np.where(spike_noise, SPIKE_ROAD, road)
    road2 = pii.roads(rng, d, dist)
    number = rng.integers(1, 420, n).astype(str).astype(object) + "號"
    crossing = (rng.random(n) < 0.25) & (road2 != road)
    suffix = np.array(["前", "附近", "旁", "對面", ""], dtype=object)[rng.integers(0, 5, n)]
    loc = np.where(crossing, road + "與" + road2 + "交叉口", road + number + suffix)
    loc = np.where(dist >= 0, loc, "")
    names = np.array(d.names, dtype=object)[np.maximum(dist, 0)]
    spot = np.where(crossing, road + "與" + road2 + "交叉口", road + number)
    location = np.where(dist >= 0, CITY + names + spot, "")
    has_loc = np.array(["{loc}" in text for _, text in templates])
    body = before[t] + np.where(has_loc[t], loc, "") + after[t]

    # Some subjects embed the petitioner's own data, so masking has something to do.
    idx = np.flatnonzero(rng.random(n) < 0.15)
    name, phone, nid, mail, addr = (
        people[k][idx] for k in ("name", "phone", "national_id", "email", "address")
    )
    form = rng.integers(0, 5, len(idx))
    b = body[idx]
    embedded = np.select(
        [
            (form == 0) & (name != "") & (phone != ""),
            (form == 1) & (name != "") & (nid != ""),
            (form == 2) & (mail != ""),
            (form == 3) & (name != "") & (addr != ""),
            (form == 4) & (name != "") & spoken[idx],
        ],
        [
            "本人" + name + "（" + phone + "）反映" + b,
            "我是" + name + "，身分證字號" + nid + "，" + b,
            b + "，請回覆至" + mail,
            "住" + addr + "的" + name + "反映：" + b,
            name + "來電：" + b,
        ],
        b,
    )
    subject = body.copy()
    subject[idx] = embedded
    return location, subject
