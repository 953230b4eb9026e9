"""The case page's timeline chart: one mark per date, each with its SVG id, in the series its
legend names; closures shaded; a line only from a due date to a later projected one; one
labelled image for screen readers."""

from __future__ import annotations

from datetime import date, timedelta
from xml.etree import ElementTree

from send_clock.calendars import load_calendar
from send_clock.service.web.chart import SERIES, timeline_svg
from send_clock.timelines import Case, load_process, project

SVG = "{http://www.w3.org/2000/svg}"
TODAY = date(2026, 1, 10)


def _schedule(events: dict, calendar: str = "surrey"):
    case = Case(received=date(2025, 6, 2), events=events, case_id="CHART-1")
    return project(load_process("england-ehcna"), load_calendar(calendar), case, as_of=TODAY)


def _series(root) -> dict[str, list]:
    """Each series' groups by its legend's name (pygal numbers them in order, and draws a
    series' lines and its dots in two groups)."""
    found: dict[str, list] = {}
    for group in root.iter(f"{SVG}g"):
        classes = group.get("class", "").split()
        if "series" in classes:
            index = int(next(c for c in classes if c.startswith("serie-"))[len("serie-") :])
            found.setdefault(SERIES[index], []).append(group)
    return found


def _marks(groups) -> dict[str, str]:
    """The marks of a series: SVG id -> the date it stands for."""
    marks = {}
    for dots in (g for group in groups for g in group.iter(f"{SVG}g")):
        if dots.get("class") != "dots":
            continue
        circle = dots.find(f"{SVG}circle")
        label = dots.find(f"{SVG}desc[@class='label']")
        if circle is not None and circle.get("id"):
            marks[circle.get("id")] = label.text
    return marks


def _lines(groups) -> int:
    paths = (path for group in groups for path in group.iter(f"{SVG}path"))
    return sum("line" in path.get("class", "") for path in paths)


def test_every_date_is_a_mark_with_its_id_in_its_series():
    # the decision and the advice request made late; the rest still to come
    schedule = _schedule(
        {"decision_to_assess": date(2025, 7, 20), "advice_requested": date(2025, 8, 1)}
    )
    svg = timeline_svg(schedule, TODAY)
    assert svg.startswith('<svg role="img" aria-label="Timeline chart of the ')
    assert "<script" not in svg
    series = _series(ElementTree.fromstring(svg))
    shown = [m for m in schedule.milestones if m.status != "not_applicable" and m.due]
    assert _marks(series["due"]) == {f"due-{m.id}": _full(m.due) for m in shown}
    happened = [m for m in shown if m.actual]
    late = {m.id for m in happened if m.actual > m.due}
    assert late == {"decision_to_assess", "advice_requested"}
    assert set(_marks(series["late"])) >= {f"actual-{name}" for name in late}
    assert _marks(series["happened"]) == {
        f"actual-{m.id}": _full(m.actual) for m in happened if m.id not in late
    }
    to_come = {f"projected-{m.id}": _full(m.projected) for m in shown if not m.actual}
    drawn = {**_marks(series["projected"]), **_marks(series["late"])}
    assert {k: v for k, v in drawn.items() if k.startswith("projected-")} == to_come
    # lines join a due date to a later projected date only: two late dots are not joined
    later = [m for m in shown if not m.actual and m.projected and m.projected > m.due]
    assert _lines(series["late"]) == len(later)


def test_school_closures_are_shaded_and_a_calendar_without_terms_has_none():
    schedule = _schedule({})
    series = _series(ElementTree.fromstring(timeline_svg(schedule, TODAY)))
    # the chart runs from a week before the first date to a week after the last
    dates = [d for m in schedule.milestones for d in (m.due, m.projected, m.actual) if d]
    first, last = min(dates) - timedelta(days=7), max([*dates, TODAY]) + timedelta(days=7)
    closures = [
        c for c in schedule.calendar.closures(min_days=5) if c.end >= first and c.start <= last
    ]
    assert len(closures) > 2 and _lines(series["school closed"]) == len(closures)
    plain = _series(ElementTree.fromstring(timeline_svg(_schedule({}, "england-and-wales"), TODAY)))
    assert _lines(plain["school closed"]) == 0


def _full(day: date) -> str:
    from send_clock.dates import full_date

    return full_date(day)


def test_a_process_title_is_escaped_in_the_charts_label():
    # a process file's title went into the aria-label as it was, and through re.sub's
    # replacement, where a backslash is a group reference
    from dataclasses import replace

    hostile = 'T"><script>alert(1)</script>\\g<0>]]>'
    process = replace(load_process("england-ehcna"), title=hostile)
    case = Case(received=date(2025, 6, 2), events={}, case_id="CHART-1")
    svg = timeline_svg(project(process, load_calendar("surrey"), case, as_of=TODAY), TODAY)
    assert "<script" not in svg
    root = ElementTree.fromstring(svg)
    assert root.get("aria-label").startswith(f"Timeline chart of the {hostile}, received ")
    assert len(list(root.iter(f"{SVG}svg"))) == 1


def test_an_overdue_milestone_is_drawn_late_not_as_on_time():
    # nothing recorded, every due date passed: the rings sat at the due dates in the projected
    # colour, as if on time, while the table said overdue
    schedule = _schedule({})
    series = _series(ElementTree.fromstring(timeline_svg(schedule, date(2026, 12, 2))))
    overdue = {f"projected-{m.id}" for m in schedule.milestones if m.status == "overdue"}
    assert overdue and overdue <= set(_marks(series["late"]))
    assert not overdue & set(_marks(series["projected"]))


def test_a_chart_as_of_the_first_or_last_date_there_is_is_drawn():
    # a week before 0001-01-01 or after 9999-12-31 overflowed: the case page was a 500
    for today in (date(1, 1, 1), date(9999, 12, 31), date(9999, 12, 28)):
        case = Case(received=date(2025, 6, 2), events={}, case_id="CHART-1")
        schedule = project(load_process("england-ehcna"), load_calendar("surrey"), case, today)
        root = ElementTree.fromstring(timeline_svg(schedule, today))
        assert _marks(_series(root)["due"])
