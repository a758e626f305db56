"""The stance chart keeps its size however long a proposal stays in the catalogue."""

from datetime import date, timedelta
from types import SimpleNamespace

from app.proposals.chart import MAX_POINTS, stance_chart


def history(n: int) -> list:
    start = date(2024, 1, 1)
    return [
        SimpleNamespace(
            day=start + timedelta(days=i), stance_for=i, stance_against=1, stance_abstain=0
        )
        for i in range(n)
    ]


def test_a_short_history_is_drawn_day_by_day():
    chart = stance_chart(history(MAX_POINTS))
    assert chart.period == "day" and len(chart.rows) == MAX_POINTS


def test_a_long_history_keeps_the_last_day_of_each_week_then_month():
    weeks = stance_chart(history(200))
    assert weeks.period == "week" and len(weeks.rows) <= MAX_POINTS
    assert all(row["day"].isoweekday() == 7 for row in weeks.rows[:-1])
    years = stance_chart(history(3 * 365))
    assert years.period == "month" and len(years.rows) == 36
    for chart, n in ((weeks, 200), (years, 3 * 365)):
        # The newest figures are always there, and the chart spans the whole history.
        assert chart.rows[-1]["for"] == n - 1
        assert chart.first_day == "2024-01-01"
        assert all(len(line.points.split()) == len(chart.rows) for line in chart.lines)
