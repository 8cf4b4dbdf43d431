"""dashboard.figures: a figure is built once per distinct arguments and shared."""

from __future__ import annotations

from dashboard import charts, figures


def test_same_arguments_same_figure_built_once(monkeypatch):
    calls = []

    def builder(labels, values, *, title=""):
        calls.append(1)
        return charts.bars(labels, values, [str(v) for v in values], axis_title=title)

    first = figures.build(builder, ["a", "b"], [1, 2], title="x")
    again = figures.build(builder, ["a", "b"], [1, 2], title="x")
    assert again is first and len(calls) == 1
    other = figures.build(builder, ["a", "b"], [1, 3], title="x")  # another value: rebuilt
    renamed = figures.build(builder, ["a", "b"], [1, 2], title="y")  # another text: rebuilt
    assert other is not first and renamed is not first and len(calls) == 3
    assert [row["value"] for row in other["layer"][0]["data"]["values"]] == [1, 3]


def test_least_recently_used_dropped(monkeypatch):
    monkeypatch.setattr(figures, "MAX_FIGURES", 2)
    figures._store().figures.clear()
    figures._store().size = 0
    a = figures.build(charts.bars, ["a"], [1], ["1"])
    figures.build(charts.bars, ["b"], [2], ["2"])
    figures.build(charts.bars, ["c"], [3], ["3"])
    assert len(figures._store().figures) == 2
    assert figures.build(charts.bars, ["a"], [1], ["1"]) is not a  # dropped, built anew


def test_memory_bounded_by_the_specs_size(monkeypatch):
    monkeypatch.setattr(figures, "MAX_SPEC_CHARS", 1)  # every new figure pushes the last out
    figures._store().figures.clear()
    figures._store().size = 0
    figures.build(charts.bars, ["a"], [1], ["1"])
    b = figures.build(charts.bars, ["b"], [2], ["2"])
    assert list(v[0] for v in figures._store().figures.values()) == [b]
    assert figures._store().size == sum(v[1] for v in figures._store().figures.values())
