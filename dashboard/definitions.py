"""A figure's written definition, one click away under every chart: what is counted,
what is excluded, whether higher is better.

The text is the one the metrics are documented with, never a copy: in Chinese the
metric's paragraph of docs/metrics.md (shipped inside the package as
``metrics/definitions.md``, a link to it), in English the metric function's docstring.
"""

from __future__ import annotations

import functools
import inspect
import re
from importlib import resources

from metrics import registry


@functools.cache
def _doc() -> str:
    return resources.files("metrics").joinpath("definitions.md").read_text(encoding="utf-8")


def chinese(name: str) -> str | None:
    """The bullet of docs/metrics.md that defines metric ``name`` (with its sub-bullets)."""
    lines = _doc().splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(f"- **`{name}`**")), None)
    if start is None:
        return None
    out = [lines[start]]
    for line in lines[start + 1 :]:
        if not line.strip() or line.startswith(("- ", "#")):
            break
        out.append(line)
    # One paragraph per (sub-)bullet: continuation lines join their bullet, CJK lines tight.
    items: list[str] = []
    for line in out:
        bullet = re.match(r"^\s*- ", line)
        text = line.strip().removeprefix("- ")
        if bullet or not items:
            items.append(text)
        else:
            glue = "" if re.search(r"[^\x00-\x7f]$", items[-1]) else " "
            items[-1] += glue + text
    return items[0] + "".join(f"\n- {item}" for item in items[1:])


def english(name: str) -> str | None:
    """The docstring of metric function ``name``."""
    fn = registry.all_functions().get(name)
    return inspect.getdoc(fn) if fn is not None else None


def definition(name: str, lang: str) -> str:
    """The definition of metric ``name`` in ``lang``; the other language's when missing."""
    first, second = (chinese, english) if lang == "zh" else (english, chinese)
    return first(name) or second(name) or name


def direction(name: str) -> str | None:
    """higher / lower / neither / mixed: whether a bigger figure of metric ``name`` is better."""
    return registry.DIRECTION.get(name)
