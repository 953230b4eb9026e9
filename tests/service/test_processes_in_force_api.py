"""The API says when each rule of a process is in force, and a timeline over HTTP counts a case
by the rules of its start date (see conftest.py for the ``api`` fixture)."""

from __future__ import annotations

NI = "northern-ireland-statutory-assessment"


def test_processes_list_revisions_and_commencements(api):
    processes = api.client.get("/v1/processes", headers=api.read).json()
    ni = next(p for p in processes if p["id"] == NI)
    proposed = next(m for m in ni["milestones"] if m["id"] == "proposed_statement")
    assert proposed["in_force_from"] == "1998-09-01"
    assert [r["in_force_from"] for r in proposed["revisions"]] == ["2005-09-01"]
    assert "UNCONFIRMED" in proposed["revisions"][0]["basis"]
    decision = next(m for m in ni["milestones"] if m["id"] == "assessment_decision")
    assert decision["rule"] == "request_received + 6 weeks beginning with that day"


def test_a_timeline_over_http_takes_the_rules_of_its_start_date(api):
    def proposed(received: str) -> dict:
        response = api.client.post(
            f"/v1/timelines/{NI}",
            headers=api.read,
            json={"received": received, "as_of": received},
        )
        assert response.status_code == 200, response.text
        return next(m for m in response.json()["milestones"] if m["id"] == "proposed_statement")

    before, after = proposed("2005-08-31"), proposed("2005-09-01")
    assert (before["due"], after["due"]) == ("2006-01-04", "2006-01-02")
    assert "1998/217" in before["basis"] and "2005 reg 16" in after["basis"]
