"""The SEN2 Blade export under tests/data/sen2-blade, read end to end, every figure by hand.

The codes are those of the SEN2 person-level specification from 2023: RequestOutcome and
AssessmentOutcome Y (yes), N (no), A (not decided yet), W (withdrawn), H (historical: decided
before this collection period); AssessmentOutcomeDate with outcome Y is the day the final plan
was issued. As of Mon 1 Dec 2025. The requests file holds 18 requests:

=====  ==========  ==========================================================================
R01    6 Jan       Y 14 Feb (39 days); assessment Y, plan issued 23 May (137 days): on time
R02    13 Jan      Y 28 Feb (46 days: late); plan issued 20 Jun (158 days): late. Its named
                   plan starts 27 Jun: the two disagree, a warning; 20 Jun is used
R03    3 Feb       N (not to assess) 10 Mar, no assessment: refused (35 days)
R04    10 Feb      Y 21 Mar; assessment N: no plan, notice 30 May (met)
R05    3 Mar       Y 11 Apr; plan issued 15 Aug (165 days) with Week20 = 1: excused
R06    7 Apr       Y 12 May; plan issued 22 Aug (137 days: on time) with Week20 = 1
R07    12 May      Y 20 Jun; assessment A (not decided): final plan due 29 Sep, 63 days overdue
R08    1 Sep       A, no decision: due 13 Oct, 49 days overdue
R09    2 Jun       W (withdrawn): left out, rows_withdrawn
R10    21 Jul      Y 29 Aug; assessment Y with no outcome date (decided, not issued): due Mon
                   8 Dec, 7 days left
R11    24 Feb      Y 4 Apr; assessment Y, no outcome date, named plan starts 14 Jul: the
                   fallback issue date (exactly 140 days): on time
R12    "2025-Smp-01" - no such month: rejected (requests line 13)
R13    outcome "Z", not in the code table: rejected (requests line 14)
R14    20/10/2025  (written DD/MM/YYYY) no decision: due today, 1 Dec
R15    2 Sep 2024  H; assessment H: decided before the period - left out, rows_historical
R16    7 Oct 2024  H 15 Nov 2024 (39 days); assessment Y, plan issued 21 Feb 2025 (137 days):
                   a plan issued now, counted; on time
R17    17 Mar      Y 22 Apr; assessment W: left out, rows_withdrawn
R18    4 Nov 2024  H, no assessment: left out, rows_historical
=====  ==========  ==========================================================================

The namedplan file also holds a plan for assessment S99, which does not exist: rejected
(namedplan line 7). The person module and an older, incomplete export are ignored.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from send_clock.errors import InputError
from send_clock.reports import load_sen2_codes, project_caseload, read_sen2_blade
from send_clock.reports.sen2 import find_export, parse_blade_date
from send_clock.reports.summary import Period, summarise

from .handmade import with_zeros

EXPORT = Path(__file__).resolve().parents[1] / "data" / "sen2-blade"
AS_OF = date(2025, 12, 1)


@pytest.fixture(scope="module")
def report():
    return project_caseload(read_sen2_blade(EXPORT), AS_OF)


@pytest.fixture(scope="module")
def summary(report):
    return report.summary()


def test_the_newest_complete_export_is_read():
    files = find_export(EXPORT)
    assert sorted(path.name for path in files.values()) == [
        "Blade-Export_01-12-2025_assessment.csv",
        "Blade-Export_01-12-2025_namedplan.csv",
        "Blade-Export_01-12-2025_requests.csv",
    ]


def test_the_dfe_figures(summary):
    assert {key: summary[key] for key in list(summary)[:14]} == {
        # R01-R08 R10 R11 R14 R16 (R09 R17 withdrawn; R15 R18 historical; R12, R13 rejected)
        "cases": 12,
        "final_plans_issued": 6,  # R01 R02 R05 R06 R11 R16
        "final_plans_within_20_weeks": 4,  # R01 (137) R06 (137) R11 (140) R16 (137)
        "final_plans_within_20_weeks_pct": 66.7,  # 4 / 6
        # Week20 = 1 drops R05 and R06 from both counts, on time or not: R01 R02 R11 R16
        "final_plans_issued_excluding_exceptions": 4,
        "final_plans_within_20_weeks_excluding_exceptions": 3,  # R01 R11 R16
        "final_plans_within_20_weeks_excluding_exceptions_pct": 75.0,  # 3 / 4
        # no term dates on england-and-wales: nothing detected, so the same
        "final_plans_issued_excluding_recorded_and_detected": 4,
        "final_plans_within_20_weeks_excluding_recorded_and_detected": 3,
        "final_plans_within_20_weeks_excluding_recorded_and_detected_pct": 75.0,
        # R01 R02 R03 R04 R05 R06 R07 R10 R11 R16 have a requestoutcomedate
        "decisions_made": 10,
        "decisions_within_6_weeks": 9,  # all but R02 (46 days)
        "decisions_within_6_weeks_pct": 90.0,  # 9 / 10
        # (137 + 158 + 165 + 137 + 140 + 137) / 6 = 145.67 days = 20.81 weeks
        "average_weeks_to_final_plan": 20.8,
    }
    assert summary["rows_rejected"] == 3
    assert (summary["rows_withdrawn"], summary["rows_historical"]) == (2, 2)  # R09 R17; R15 R18


def test_the_figures_for_plans_issued_in_a_period(report):
    # the first half of 2025: plans issued R16 (21 Feb), R01 (23 May), R02 (20 Jun)
    summary = summarise(report.batches, period=Period(date(2025, 1, 1), date(2025, 6, 30)))
    assert {key: summary[key] for key in list(summary)[1:14]} == {
        "final_plans_issued": 3,
        "final_plans_within_20_weeks": 2,  # R16 (137) R01 (137); not R02 (158)
        "final_plans_within_20_weeks_pct": 66.7,
        "final_plans_issued_excluding_exceptions": 3,  # no Week20 among them
        "final_plans_within_20_weeks_excluding_exceptions": 2,
        "final_plans_within_20_weeks_excluding_exceptions_pct": 66.7,
        "final_plans_issued_excluding_recorded_and_detected": 3,
        "final_plans_within_20_weeks_excluding_recorded_and_detected": 2,
        "final_plans_within_20_weeks_excluding_recorded_and_detected_pct": 66.7,
        # decided in the period: R01 R02 R03 R04 R05 R06 R07 R11 (not R10 in Aug, R16 in 2024)
        "decisions_made": 8,
        "decisions_within_6_weeks": 7,  # all but R02
        "decisions_within_6_weeks_pct": 87.5,
        "average_weeks_to_final_plan": 20.6,  # (137 + 137 + 158) / 3 = 144 days
    }
    assert summary["period"] == {"issued_from": "2025-01-01", "issued_to": "2025-06-30"}
    # the open cases are listed as of the report's date, whatever the period
    assert summary["open_cases"] == 4


def test_statuses_cover_the_milestones_sen2_dates(summary, report):
    assert summary["status_counts"] == {
        # met: R01 R03 R04 R05 R06 R07 R10 R11 R16; late: R02; R08 overdue; R14 due today
        "decision_to_assess": with_zeros({"met": 9, "late": 1, "overdue": 1, "due_soon": 1}),
        # R04 on time; not applicable: R03 (refused) and the seven with plans (R01 R02 R05 R06
        # R10 R11 R16); R07 R08 R14 do not know the outcome yet (conditional: left out)
        "no_plan_notice": with_zeros({"met": 1, "not_applicable": 8}),
        # met R01 R06 R11 R16; late R02; excused R05 (Week20); overdue R07; due soon R10;
        # pending R08 R14; not applicable R03 R04
        "final_plan": with_zeros(
            {
                "met": 4,
                "late": 1,
                "excused": 1,
                "overdue": 1,
                "due_soon": 1,
                "pending": 2,
                "not_applicable": 2,
            }
        ),
    }
    batch = report.batches[0]
    r05 = batch.case_ids.tolist().index("R05")
    assert batch.projection.status["final_plan"][r05] == 6  # excused by week20


def test_the_issue_date_is_the_assessment_outcome_date(report):
    batch = report.batches[0]
    dates = batch.projection.actual["final_plan"].tolist()
    issued = dict(zip(batch.case_ids.tolist(), dates, strict=True))
    assert str(issued["R02"]) == "2025-06-20"  # AssessmentOutcomeDate, not StartDate 27 Jun
    assert str(issued["R11"]) == "2025-07-14"  # no AssessmentOutcomeDate: StartDate, a fallback
    assert issued["R10"] is None  # decided, not yet issued
    assert str(issued["R16"]) == "2025-02-21"  # a historical request, its plan issued now
    assert report.warnings[0] == (
        "request R02: the final plan is dated 2025-06-20 (assessmentoutcomedate) but its named "
        "plan starts on 2025-06-27 (startdate); the assessmentoutcomedate is used as the issue date"
    )


def test_worklists(summary):
    assert summary["overdue"] == [
        {
            "case_id": "R07",
            "milestone": "final_plan",
            "due": "2025-09-29",
            "days": 63,
            "status": "overdue",
        },
        {
            "case_id": "R08",
            "milestone": "decision_to_assess",
            "due": "2025-10-13",
            "days": 49,
            "status": "overdue",
        },
    ]
    assert summary["due_soon"] == [
        {
            "case_id": "R14",
            "milestone": "decision_to_assess",
            "due": "2025-12-01",
            "days": 0,
            "status": "due_soon",
        },
        {
            "case_id": "R10",
            "milestone": "final_plan",
            "due": "2025-12-08",
            "days": 7,
            "status": "due_soon",
        },
    ]
    assert summary["open_cases_by_status"] == {
        "overdue": 2,
        "at_risk": 0,
        "due_soon": 2,
        "excused": 0,
        "pending": 0,
    }


def test_by_month(summary):
    months = {m["month"]: m for m in summary["by_month"]}
    assert list(months) == [
        "2024-10",  # R16
        "2025-01",
        "2025-02",
        "2025-03",
        "2025-04",
        "2025-05",
        "2025-07",
        "2025-09",
        "2025-10",
    ]
    # January: R01 on time, R02 late; (137 + 158) / 2 / 7 = 21.07 weeks
    assert months["2025-01"]["final_plans_within_20_weeks_pct"] == 50.0
    assert months["2025-01"]["average_weeks_to_final_plan"] == 21.1
    # April: R06, on time but week20: 1 of 1 in all; none once exceptions are left out
    assert months["2025-04"]["final_plans_within_20_weeks_pct"] == 100.0
    assert months["2025-04"]["final_plans_within_20_weeks_excluding_exceptions_pct"] is None


def test_rejected_rows_name_file_and_line(report):
    assert [(r.source, r.line, r.case_id) for r in report.rejected] == [
        ("Blade-Export_01-12-2025_namedplan.csv", 7, "S99"),
        ("Blade-Export_01-12-2025_requests.csv", 13, "R12"),
        ("Blade-Export_01-12-2025_requests.csv", 14, "R13"),
    ]
    assert "'Smp' is not a month" in report.rejected[1].reason
    assert "requestoutcome 'Z' is not in the SEN2 code table" in report.rejected[2].reason


def test_warnings_withdrawn_historical_and_closure_checks(report):
    assert report.warnings[1].startswith("2 requests were withdrawn or ceased before a decision")
    assert report.warnings[2].startswith("2 requests were decided before this collection period")
    assert "school-closure exception" in report.warnings[3]
    assert not any("UNCONFIRMED" in warning for warning in report.warnings)


def test_mapping_of_one_case(report):
    batch = report.batches[0]
    r04 = batch.case_ids.tolist().index("R04")
    assert str(batch.projection.actual["no_plan_notice"][r04]) == "2025-05-30"
    assert batch.projection.outcomes["outcome"][r04] == 1  # no_plan
    r03 = batch.case_ids.tolist().index("R03")
    assert batch.projection.outcomes["decision"][r03] == 1  # refused
    assert batch.lines.tolist()[r03] == 4


def test_a_table_of_codes_of_ones_own(tmp_path):
    codes = tmp_path / "codes.toml"
    codes.write_text(
        'status = "UNCONFIRMED"\n'
        '[requestoutcome]\nY = "assess"\nN = "not_assess"\nA = "pending"\nW = "withdrawn"\n'
        'H = "historical"\nZ = "assess"\n'
        '[assessmentoutcome]\nY = "plan"\nN = "no_plan"\nA = "pending"\nW = "withdrawn"\n'
        'H = "historical"\n'
        '[week20]\ntrue = ["1", "true"]\nfalse = ["0", "false"]\n'
    )
    assert load_sen2_codes(codes).request["Z"] == "assess"
    caseload = read_sen2_blade(EXPORT, codes=codes)
    # R13 (outcome Z) now reads as a decision to assess; the others are as before
    assert [r.case_id for r in caseload.rejected] == ["S99", "R12"]
    assert "UNCONFIRMED" in caseload.warnings[-1]  # the user's table says so: so do we


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[requestoutcome]\nA = 'yes'\n", "a meaning is one of assess, not_assess"),
        ("status = 1\n", "give a [requestoutcome] table"),
        ("not toml [", "is not valid TOML"),
    ],
)
def test_a_bad_table_of_codes(tmp_path, text, message):
    codes = tmp_path / "codes.toml"
    codes.write_text(text)
    with pytest.raises(InputError, match=message.replace("[", r"\[")):
        load_sen2_codes(codes)


def test_a_folder_without_the_sen2_files(tmp_path):
    with pytest.raises(InputError, match="holds no complete SEN2 Blade export.*found none"):
        read_sen2_blade(tmp_path)
    shutil.copy(EXPORT / "Blade-Export_01-12-2025_requests.csv", tmp_path)
    with pytest.raises(InputError, match="found only: Blade-Export_01-12-2025_requests.csv"):
        read_sen2_blade(tmp_path)
    with pytest.raises(InputError, match="is not a folder"):
        read_sen2_blade(tmp_path / "nowhere")


def test_a_module_file_without_its_columns(tmp_path):
    for path in EXPORT.glob("Blade-Export_01-12-2025_*.csv"):
        shutil.copy(path, tmp_path)
    (tmp_path / "Blade-Export_01-12-2025_namedplan.csv").write_text("assessmenttableid\nS01\n")
    with pytest.raises(InputError, match="namedplan.csv has no startdate column"):
        read_sen2_blade(tmp_path)


def test_sen2_describes_the_english_process():
    with pytest.raises(InputError, match="jersey-ron does not have its milestones"):
        read_sen2_blade(EXPORT, process="jersey-ron")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-Sep-28 00:00:00", date(2022, 9, 28)),
        ("2022-sep-8", date(2022, 9, 8)),
        ("2022-09-28", date(2022, 9, 28)),
        ("2022-09-28 00:00:00", date(2022, 9, 28)),
        ("28/09/2022", date(2022, 9, 28)),
    ],
)
def test_blade_dates(text, expected):
    assert parse_blade_date(text) == expected


def test_a_blade_date_that_is_not_one():
    with pytest.raises(InputError, match="a SEN2 export writes dates as 2022-Sep-28 00:00:00"):
        parse_blade_date("Sept 28th")
    with pytest.raises(InputError, match="February 2023 has 28 days"):
        parse_blade_date("2023-Feb-29 00:00:00")
