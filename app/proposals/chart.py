"""The stance chart: shares of for, against and abstain over time, drawn as SVG by the
server, so it needs no JavaScript. A table with the same numbers sits beside it."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 600, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 28
SERIES = ("for", "against", "abstain")


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


def stance_chart(days) -> Chart | None:
    """The chart for a list of StanceDay rows (oldest first); None when there is nothing."""
    if not days:
        return None
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
        WIDTH, HEIGHT, lines, rows, days[0].day.isoformat(), days[-1].day.isoformat(), gridlines
    )
