"""The stance chart: shares of for, against and abstain over time, drawn as SVG by the
server, so it needs no JavaScript. A table with the same numbers sits beside it.

A proposal can stay in the catalogue for years: past `MAX_POINTS` days the chart and its
table keep the last day of each week, and past as many weeks the last day of each month,
so the page stays the same size however long the history grows."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 600, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 28
SERIES = ("for", "against", "abstain")
MAX_POINTS = 60


@dataclass(frozen=True)
class Line:
    stance: str
    points: str  # "x,y x,y …" for <polyline>


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    lines: list[Line]
    rows: list[dict]  # day and counts, for the table
    first_day: str
    last_day: str
    gridlines: list[tuple[int, int]]  # (y, percent)
    period: str = "day"  # or "week", "month": one point for each


def thinned(days) -> tuple[list, str]:
    """At most about MAX_POINTS of the days (oldest first): each week's or month's last."""
    for period, key in (
        ("day", lambda d: d.day),
        ("week", lambda d: d.day.isocalendar()[:2]),
        ("month", lambda d: (d.day.year, d.day.month)),
    ):
        last = {key(d): d for d in days}
        if len(last) <= MAX_POINTS or period == "month":
            return list(last.values()), period
    raise AssertionError("unreachable")


def stance_chart(days) -> Chart | None:
    """The chart for a list of StanceDay rows (oldest first); None when there is nothing."""
    if not days:
        return None
    first_day = days[0].day
    days, period = thinned(days)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(days) - 1, 1)
    lines = []
    for stance in SERIES:
        points = []
        for i, day in enumerate(days):
            total = day.stance_for + day.stance_against + day.stance_abstain
            share = getattr(day, f"stance_{stance}") / total if total else 0
            x = LEFT + (i * step if len(days) > 1 else plot_w / 2)
            points.append(f"{x:.1f},{TOP + plot_h * (1 - share):.1f}")
        if len(days) == 1:  # one day: a short level line rather than a lone point
            x, y = points[0].split(",")
            points = [f"{LEFT},{y}", f"{LEFT + plot_w},{y}"]
        lines.append(Line(stance, " ".join(points)))
    rows = [
        {
            "day": d.day,
            "for": d.stance_for,
            "against": d.stance_against,
            "abstain": d.stance_abstain,
        }
        for d in days
    ]
    gridlines = [(round(TOP + plot_h * (1 - p / 100)), p) for p in (0, 25, 50, 75, 100)]
    return Chart(
        WIDTH,
        HEIGHT,
        lines,
        rows,
        first_day.isoformat(),
        days[-1].day.isoformat(),
        gridlines,
        period,
    )
