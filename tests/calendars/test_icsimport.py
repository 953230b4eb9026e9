"""Term dates from iCalendar files (built here with the icalendar library): the three ways
councils publish them, and every kind of invalid file."""

from __future__ import annotations

from pathlib import Path

import pytest

from send_clock.calendars import Term, load_calendar
from tests.calendars.test_loader import file_error
from tests.helpers import TERM_CALENDARS, d, make_ics


def write_ics(folder: Path, *events, name: str = "council.ics") -> Path:
    path = folder / name
    path.write_bytes(make_ics(*events))
    return path


AUTUMN_2025 = Term(
    "Autumn term",
    d("2025-09-02"),
    d("2025-12-18"),
    (d("2025-10-27"), d("2025-10-31")),
    (d("2025-09-11"),),
)


# -- valid files ----------------------------------------------------------------------------
def test_term_events_with_half_term_and_inset_events(tmp_path):
    path = write_ics(
        tmp_path,
        ("Autumn term", d("2025-09-02"), d("2025-12-18")),
        ("Autumn half term", d("2025-10-25"), d("2025-11-02")),  # Sat to Sun: weekdays kept
        ("INSET day", d("2025-09-11"), None),
        ("Spring term", d("2026-01-05"), d("2026-04-01")),
        ("Spring half term", d("2026-02-16"), d("2026-02-20")),
        ("Bank holiday", d("2026-01-01"), None),  # ignored: the jurisdiction's list is used
        ("Parents' evening", d("2025-11-20"), None),  # not recognised: ignored
    )
    calendar = load_calendar(path)
    assert calendar.terms == (
        AUTUMN_2025,
        Term("Spring term", d("2026-01-05"), d("2026-04-01"), (d("2026-02-16"), d("2026-02-20"))),
    )
    assert calendar.name == "Test council"
    assert calendar.id == "council"
    assert [year.label for year in calendar.years] == ["2025-26"]
    assert calendar.status == "imported"


def test_holidays_only_give_the_terms_between_them(tmp_path, jersey):
    # Jersey 2025-26 as the holidays between its terms, half terms and its one INSET day
    path = write_ics(
        tmp_path,
        ("Summer holiday", d("2025-07-19"), d("2025-09-01")),
        ("October half term", d("2025-10-25"), d("2025-11-02")),
        ("Staff training day", d("2025-09-11"), None),
        ("Christmas holidays", d("2025-12-19"), d("2026-01-04")),
        ("February half-term", d("2026-02-16"), d("2026-02-20")),
        ("Easter break", d("2026-04-02"), d("2026-04-19")),
        ("May half term", d("2026-05-26"), d("2026-05-29")),
        ("Summer holiday", d("2026-07-18"), d("2026-09-06")),
    )
    expected = next(year for year in jersey.years if year.label == "2025-26").terms
    assert load_calendar(path).terms == expected


def test_term_starts_and_term_ends_markers(tmp_path):
    path = write_ics(
        tmp_path,
        ("Spring term ends", d("2026-04-01"), None),
        ("Autumn term starts", d("2025-09-02"), None),
        ("Autumn term ends", d("2025-12-18"), None),
        ("Spring term begins", d("2026-01-05"), None),
        ("Half term", d("2025-10-27"), d("2025-10-31")),
        ("INSET", d("2025-09-11"), None),
    )
    assert load_calendar(path).terms == (
        AUTUMN_2025,
        Term("Spring term", d("2026-01-05"), d("2026-04-01")),
    )


def test_categories_classify_events_whatever_their_summary(tmp_path):
    path = write_ics(
        tmp_path,
        ("Autumn", d("2025-09-02"), d("2025-12-18"), ["term"]),
        ("Closed to pupils", d("2025-09-11"), None, ["INSET"]),
        ("Week off", d("2025-10-27"), d("2025-10-31"), ["half term"]),
        ("Polling station", d("2025-11-06"), None, ["closure day"]),
    )
    (term,) = load_calendar(path).terms
    assert (term.name, term.start, term.end) == ("Autumn", d("2025-09-02"), d("2025-12-18"))
    assert term.half_term == (d("2025-10-27"), d("2025-10-31"))
    assert (term.inset, term.closures) == ((d("2025-09-11"),), (d("2025-11-06"),))


def test_an_inset_day_just_before_a_term_belongs_to_it(tmp_path):
    # terms published without their INSET days: Mon 1 Sep 2025 is the day before the term
    path = write_ics(
        tmp_path,
        ("Autumn term", d("2025-09-02"), d("2025-12-18")),
        ("INSET day", d("2025-09-01"), None),
    )
    (term,) = load_calendar(path).terms
    assert (term.start, term.inset) == (d("2025-09-01"), (d("2025-09-01"),))


def test_six_terms_with_repeated_names_are_made_unique(tmp_path):
    path = write_ics(
        tmp_path,
        ("Autumn term", d("2025-09-02"), d("2025-10-24")),
        ("Autumn term", d("2025-11-03"), d("2025-12-19")),
    )
    assert [t.name for t in load_calendar(path).terms] == ["Autumn term", "Autumn term (2)"]


@pytest.mark.parametrize("calendar_id", TERM_CALENDARS)
def test_every_bundled_calendar_as_events_imports_to_the_same_terms(tmp_path, calendar_id):
    calendar = load_calendar(calendar_id)
    events = []
    for term in calendar.terms:
        events.append((term.name, term.start, term.end, ["term"]))
        if term.half_term:
            events.append((f"Half term ({term.name})", *term.half_term, ["half term"]))
        events += [(f"INSET day ({term.name})", day, None, ["INSET"]) for day in term.inset]
    path = write_ics(tmp_path, *events, name=f"{calendar_id}.ics")
    copy = load_calendar(path)
    assert copy.terms == calendar.terms
    assert [year.label for year in copy.years] == [year.label for year in calendar.years]


# -- invalid files --------------------------------------------------------------------------
def test_an_event_that_ends_before_it_starts(tmp_path):
    path = write_ics(tmp_path, ("Autumn term", d("2025-12-18"), d("2025-09-01")))
    file_error(path, "event 1 ('Autumn term')", "ends on 2025-09-02 before it starts on 2025-12-18")


def test_overlapping_terms(tmp_path):
    path = write_ics(
        tmp_path,
        ("Autumn term", d("2025-09-02"), d("2025-12-18")),
        ("Spring term", d("2025-12-15"), d("2026-04-01")),
    )
    file_error(path, "term 'Spring term'", "overlaps term 'Autumn term'")


def test_a_half_term_outside_every_term(tmp_path):
    path = write_ics(
        tmp_path,
        ("Autumn term", d("2025-09-02"), d("2025-12-18")),
        ("Half term", d("2026-02-16"), d("2026-02-20")),
    )
    file_error(path, "event 2 ('Half term')", "is not inside any term found in the file")


def test_an_inset_day_far_from_every_term(tmp_path):
    path = write_ics(
        tmp_path,
        ("Autumn term", d("2025-09-02"), d("2025-12-18")),
        ("INSET day", d("2025-08-20"), None),
    )
    file_error(path, "event 2 ('INSET day')", "2025-08-20 to 2025-08-20 is not inside any term")


def test_an_unparseable_date(tmp_path):
    raw = make_ics(("Autumn term", d("2025-09-02"), d("2025-12-18")))
    path = tmp_path / "council.ics"
    path.write_bytes(raw.replace(b"DTSTART;VALUE=DATE:20250902", b"DTSTART;VALUE=DATE:20251302"))
    file_error(path, "event 1 ('Autumn term')", "DTSTART cannot be read")


def test_a_line_that_cannot_be_read_loses_nothing_silently(tmp_path):
    raw = make_ics(
        ("Autumn term", d("2025-09-02"), d("2025-12-18")),
        ("Half term", d("2025-10-27"), d("2025-10-31")),
    )
    path = tmp_path / "council.ics"
    path.write_bytes(raw.replace(b"SUMMARY:Half term", b"SUMMARY Half term"))
    file_error(path, "event 2", "a line cannot be read")


def test_a_file_that_is_not_utf8(tmp_path):
    raw = make_ics(("Caf\u00e9 term", d("2025-09-02"), d("2025-12-18")))
    path = tmp_path / "council.ics"
    path.write_bytes(raw.decode("utf-8").encode("latin-1"))
    file_error(path, "byte", "the file is not UTF-8 text")


@pytest.mark.parametrize("cut", ["end", "half", "all"])
def test_invalid_icalendar(tmp_path, cut):
    raw = make_ics(("Autumn term", d("2025-09-02"), d("2025-12-18")))
    path = tmp_path / "council.ics"
    broken = {
        "end": raw.replace(b"END:VCALENDAR", b""),
        "half": raw[: len(raw) // 2],
        "all": b"Autumn term: 2 Sep to 18 Dec 2025\r\n",
    }[cut]
    path.write_bytes(broken)
    file_error(path, "", "not a valid iCalendar file")


def test_nothing_recognisable(tmp_path):
    path = write_ics(
        tmp_path,
        ("Parents' evening", d("2025-11-20"), None),
        ("Sports day", d("2026-06-12"), None),
    )
    file_error(path, "", "found no term events and fewer than two holidays")


def test_a_gap_where_a_year_is_missing(tmp_path):
    path = write_ics(
        tmp_path,
        ("Autumn term", d("2025-09-02"), d("2025-12-18")),
        ("Autumn term", d("2026-09-07"), d("2026-12-18")),
    )
    file_error(path, "term 'Autumn term (2)'", "terms are missing in between")


@pytest.mark.parametrize(
    ("events", "where", "reason"),
    [
        (
            [("Autumn term ends", d("2025-12-18"), None)],
            "event 1",
            "a term ends that never started",
        ),
        (
            [("Autumn term starts", d("2025-09-02"), None)],
            "event 1",
            "the term that starts here never ends",
        ),
        (
            [
                ("Autumn term starts", d("2025-09-02"), None),
                ("Spring term starts", d("2026-01-05"), None),
            ],
            "event 2 ('Spring term starts')",
            "a term starts again before the term that started on 2025-09-02 has ended",
        ),
    ],
)
def test_unmatched_term_markers(tmp_path, events, where, reason):
    file_error(write_ics(tmp_path, *events), where, reason)


def test_an_event_without_a_start(tmp_path):
    import icalendar

    feed = icalendar.Calendar()
    feed.add("prodid", "-//send-clock tests//EN")
    feed.add("version", "2.0")
    event = icalendar.Event()
    event.add("summary", "Autumn term")
    feed.add_component(event)
    path = tmp_path / "council.ics"
    path.write_bytes(feed.to_ical())
    file_error(path, "event 1 ('Autumn term')", "the event has no DTSTART")
