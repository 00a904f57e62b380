"""Chart builders: what they print where (the browser tests judge how it looks)."""

from __future__ import annotations

import re

from api.render import charts


def test_values_of_horizontal_bars_start_after_the_bar_end() -> None:
    """A short bar's value begins right of its end, never across the category labels."""
    svg = str(charts.money_bars([("Greeting", "0.50"), ("Dinner", "123456.78")],
                                "Spend by kind", currency="EUR"))
    values = re.findall(r'<text text-anchor="([a-z]+)" x="([-0-9.]+)"[^>]*class="value"', svg)
    assert len(values) == 2
    assert all(anchor == "start" and float(x) > 0 for anchor, x in values)


def test_whole_ticks_count_in_whole_numbers() -> None:
    """0 1 for one flag; at most nine ticks, evenly spaced, reaching the highest count."""
    assert charts.whole_ticks(1) == [0, 1]
    for highest in range(1, 500):
        ticks = charts.whole_ticks(highest)
        assert ticks[0] == 0 and ticks[-1] >= highest and len(ticks) <= 9
        assert len({b - a for a, b in zip(ticks, ticks[1:], strict=False)}) == 1
