"""Codes and names written by the loader and read by the metrics: one definition each.

The loader derives these values once at load time (``etl.petitions``); every metric,
the command line and the dashboard read them through the names below, never as bare
numbers or copied strings.
"""

from __future__ import annotations

from enum import IntEnum

# The city whose 38 districts are the reference (in_city = TRUE); rows elsewhere are
# kept and marked, never dropped.
CONFIGURED_CITY = "高雄市"


class ReplyQuality(IntEnum):
    """Data quality of a closed petition for the timeliness figures (petitions.reply_quality).

    Checked in this order, the first that applies wins; NULL while the case is open.
    """

    VALID = 0
    MISSING_DATES = 1  # no reply/closure date, due date, working days or on-time flag
    REPLY_BEFORE_RECEIPT = 2  # first reply or closure earlier than receipt
    SAME_MINUTE = 3  # first reply or closure within SAME_MINUTE_SECONDS of receipt


# A reply or closure this soon after receipt is a system closure or a duplicate, not an answer.
SAME_MINUTE_SECONDS = 60

# Result columns counting the closed cases left out of timeliness figures, by code.
EXCLUSION_COLUMNS: dict[ReplyQuality, str] = {
    ReplyQuality.MISSING_DATES: "excluded_missing_dates",
    ReplyQuality.REPLY_BEFORE_RECEIPT: "excluded_reply_before_receipt",
    ReplyQuality.SAME_MINUTE: "excluded_same_minute",
}

# Survey items: the dimension of the overall question(s) unless a mapping names another,
# and the order of svcq's template dimensions (others sort after them, by name).
OVERALL_DIMENSION = "整體"
TEMPLATE_DIMENSIONS = ("洽公環境", "服務禮儀", "服務專業性", "服務措施", OVERALL_DIMENSION)

# How missing values are labelled in grouped results.
UNSPECIFIED = "未填"
NO_DISTRICT = "未填行政區"

# How a rejected row's reasons are written: several reasons joined by REASON_SEPARATOR,
# each naming its rule before the first value it quotes (「…」), so reasons group by rule.
REASON_SEPARATOR = "；"
VALUE_QUOTE = "「"
