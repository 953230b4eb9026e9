"""The timeline answer written without its response model (``project_to_dict`` through
``JSONOut(validated=False)``) is, byte for byte, the answer validated against ``TimelineOut``.

The direct route writes the dict :func:`~send_clock.timelines.schedule.project_to_dict` makes as
it is, trusting its field order and values; the declared FastAPI route validates the same dict
against the response model first. Hypothesis draws cases (received dates near and far, events,
outcomes, parameters, recorded exceptions, as-of dates at status boundaries: the drawing of
``tests/timelines/test_onecase.py``) for every bundled process, and the answers must be the same
bytes: the library's dict against ``Schedule.to_dict`` validated (its values: the declared
route validates the same dict, so a wrong value would pass through both), and over HTTP the
direct route against the declared one, errors included (its encoding: field order, dates, the
problem answers).
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter
from pydantic_core import to_json

from send_clock.calendars import bundled_calendars, load_calendar
from send_clock.errors import SendClockError
from send_clock.service.app import create_app
from send_clock.service.schemas import MilestoneOut, TimelineOut
from send_clock.service.settings import Settings
from send_clock.store import Store, tokens
from send_clock.timelines import Case, bundled_processes, project
from send_clock.timelines.schedule import project_to_dict
from tests.service.test_direct import declared_only
from tests.timelines.test_onecase import drawn_case

PROCESSES = {process.id: process for process in bundled_processes()}
CALENDARS = sorted(calendar.id for calendar in bundled_calendars())
VALIDATED = TypeAdapter(TimelineOut)


def _validated(process, calendar, case: Case, as_of: date):
    """``project(...).to_dict()`` as the declared route writes it: validated, then dumped."""
    found = project(process, calendar, case, as_of=as_of).to_dict()
    return VALIDATED.dump_json(VALIDATED.validate_python(found))


def _outcome(call) -> tuple:
    try:
        return ("ok", call())
    except SendClockError as error:
        return ("error", type(error), str(error))


@pytest.mark.parametrize("process_id", sorted(PROCESSES))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_the_dict_is_the_validated_schedule(process_id, data):
    process = PROCESSES[process_id]
    calendar = load_calendar(data.draw(st.sampled_from(CALENDARS), label="calendar"))
    case, as_of = drawn_case(data, process, calendar)
    written = _outcome(lambda: to_json(project_to_dict(process, calendar, case, as_of)))
    assert written == _outcome(lambda: _validated(process, calendar, case, as_of))


def test_the_dict_keeps_the_models_field_order():
    """The order of the fields is the model's (a dict compared with == would not show it)."""
    process = PROCESSES["england-ehcna"]
    found = project_to_dict(
        process, load_calendar("england-and-wales"), Case(received=date(2025, 9, 15))
    )
    assert list(found) == list(TimelineOut.model_fields)
    assert all(
        list(milestone) == list(MilestoneOut.model_fields) for milestone in found["milestones"]
    )


# -- over HTTP: the direct route against the declared one -----------------------------------
@pytest.fixture(scope="module")
def clients(tmp_path_factory):
    """The app as served and the app with its direct routes taken out (the declared routes
    answer), on one database, with a read token."""
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('timeline') / 'answer.db'}")
    store.upgrade()
    with store.session() as session:
        _row, token = tokens.create_api_token(session, "reader", "read")
    direct = create_app(Settings(ical_domain="test.invalid"), store)
    declared = create_app(Settings(ical_domain="test.invalid"), store)
    declared_only(declared)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    with TestClient(direct) as served, TestClient(declared) as handed_on:
        yield served, handed_on, headers
    store.dispose()


def _body(case: Case, as_of: date, calendar: str | None) -> bytes:
    """The request body that records ``case``."""
    body = {
        "received": case.received.isoformat(),
        "events": {key: day.isoformat() for key, day in case.events.items()},
        "outcomes": dict(case.outcomes),
        "exceptions": [str(exception) for exception in case.exceptions],
        "params": dict(case.params),
        "as_of": as_of.isoformat(),
    }
    if calendar is not None:
        body["calendar"] = calendar
    return json.dumps(body).encode()


def _answer(client, path: str, headers: dict, body: bytes) -> tuple:
    response = client.post(path, headers=headers, content=body)
    return response.status_code, response.headers["content-type"], response.content


@pytest.mark.parametrize("process_id", sorted(PROCESSES))
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_the_direct_answer_is_the_declared_routes(clients, process_id, data):
    served, handed_on, headers = clients
    process = PROCESSES[process_id]
    named = data.draw(st.none() | st.sampled_from(CALENDARS), label="calendar")
    calendar = load_calendar(named or process.default_calendar)
    body = _body(*drawn_case(data, process, calendar), named)
    path = f"/v1/timelines/{process_id}"
    assert _answer(served, path, headers, body) == _answer(handed_on, path, headers, body)
