"""The explorer's JSON API (``adqsp serve``) through FastAPI's test client: answers, bad input (422 naming the field),
the trial jobs' cap (429), the page and the OpenAPI spec."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from adqsp.faces.cli import main
from adqsp.faces.serve.api import MAX_TRIAL_PATIENTS, SERIES, TrialRequest, trial_scenario
from adqsp.faces.serve.app import create_app
from adqsp.trial.scenario import parse_scenario


@pytest.fixture(scope="module")
def client() -> TestClient:
    with TestClient(create_app(max_jobs=1)) as c:
        yield c


def test_drugs_lists_the_shipped_records(client):
    drugs = {d["name"]: d for d in client.get("/api/drugs").json()}
    assert {"dupilumab", "tralokinumab", "lebrikizumab", "upadacitinib", "cyclosporine"} <= set(drugs)
    assert drugs["dupilumab"]["target"] == "IL-4Ra" and drugs["dupilumab"]["regimens"][0]["doses"][0]["mg"] == 600
    assert drugs["upadacitinib"]["motif"] == "inhibits_pathways"


def test_parameters_of_a_drug(client):
    rows = client.get("/api/parameters", params={"drug": "tralokinumab"}).json()
    assert {"name", "value", "unit", "source"} <= set(rows[0])
    assert client.get("/api/parameters", params={"drug": "placebo"}).status_code == 200


def test_typical_course_matches_the_python_api(client):
    import adqsp

    body = client.post("/api/course", json={"drug": "dupilumab", "weeks": 4}).json()
    frame = adqsp.time_course("dupilumab", adqsp.Regimen.from_entries(adqsp.LABEL_DOSES["dupilumab"]), weeks=4)
    assert body["patient"] == {"kind": "typical"} and body["solver_ok"]
    assert body["series"]["time_days"] == frame["time_days"].tolist()
    assert body["series"]["easi"] == pytest.approx(frame["easi"].tolist())
    assert body["series"]["serum_mg_L"] == pytest.approx(frame["dupilumab_serum_mg_L"].tolist())
    assert set(SERIES) <= set(body["series"]) and body["units"]["serum_mg_L"] == "mg/L"


def test_custom_doses_sampled_patient_and_overrides(client):
    request = {
        "drug": "upadacitinib",
        "doses": [{"mg": 30, "every_days": 1}],
        "weeks": 2,
        "patient": {"kind": "sampled", "seed": 3, "min_easi": 16},
        "parameters": {"th2_drive": 1.0},
    }
    body = client.post("/api/course", json=request).json()
    assert body["patient"]["kind"] == "sampled" and body["series"]["easi"][0] >= 16
    assert body["doses"] == [{"mg": 30.0, "every_days": 1.0}]
    assert 0 < min(body["series"]["jak1_tyk2_activity"]) < 1  # the inhibitor's read-out inside the cell
    placebo = client.post("/api/course", json={"drug": "placebo", "weeks": 1}).json()
    assert set(placebo["series"]["serum_mg_L"]) == {0.0}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"weeks": 0}, "weeks"),
        ({"weeks": 1000}, "weeks"),
        ({"drug": "aspirin"}, "drug"),
        ({"doses": [{"mg": -1, "week": 0}]}, "doses[0].mg"),
        ({"doses": [{"mg": 1, "week": 0}], "regimen": "adult"}, "doses"),
        ({"regimen": "pediatric"}, "regimen"),
        ({"drug": "placebo", "doses": [{"mg": 1, "week": 0}]}, "doses"),
        ({"parameters": {"no_such_parameter": 1.0}}, "parameters.no_such_parameter"),
        ({"patient": {"kind": "typical", "seed": 2}}, "patient.seed"),
        ({"patient": {"kind": "sampled", "min_easi": 72}}, "patient.min_easi"),
        ({"scenario": "/etc/passwd"}, "scenario"),
    ],
)
def test_bad_course_input_is_422_naming_the_field(client, body, field):
    response = client.post("/api/course", json=body)
    assert response.status_code == 422
    assert response.json()["field"] == field and response.json()["detail"].startswith(f"{field}: ")
    assert "\n" not in response.json()["detail"]


def test_bad_bodies_and_queries(client):
    assert client.post("/api/course", content=b"{not json").json()["field"] == "body"
    assert client.post("/api/course", json=[1, 2]).status_code == 422
    assert client.get("/api/parameters", params={"drug": "aspirin"}).json()["field"] == "drug"
    assert client.get("/api/trials/nope").status_code == 404
    too_many = {"design": "solo1", "patients_per_arm": MAX_TRIAL_PATIENTS + 1}
    assert client.post("/api/trials", json=too_many).json()["field"] == "patients_per_arm"
    assert client.post("/api/trials", json={"design": "solo1", "weeks": 8}).json()["field"] == "weeks"
    assert client.post("/api/trials", json={"design": "custom"}).json()["field"] == "arms"
    custom = {"design": "custom", "arms": [{"drug": "dupilumab", "doses": []}]}
    assert client.post("/api/trials", json=custom).json()["field"] == "arms[0].doses"
    oral = {"design": "custom", "arms": [{"drug": "upadacitinib", "dosing": "each dose"}]}
    assert client.post("/api/trials", json=oral).json()["field"] == "arms[0].dosing"


def test_a_custom_trial_arm_passes_its_dosing_to_the_scenario():
    arms = [{"drug": "upadacitinib"}, {"drug": "upadacitinib", "dosing": "each_dose"}]
    scenario = parse_scenario(trial_scenario(TrialRequest(design="custom", arms=arms)))
    assert [a.dosing for a in scenario.arms[:2]] == ["interval_mean", "each_dose"]


def test_trial_job_progress_summary_and_cap(client):
    started = client.post("/api/trials", json={"design": "solo1", "patients_per_arm": 10, "seed": 1})
    assert started.status_code == 202
    busy = client.post("/api/trials", json={"design": "solo1", "patients_per_arm": 10})
    assert busy.status_code == 429  # max_jobs=1 and the first is still starting its process
    deadline = time.time() + 90
    while (job := client.get(f"/api/trials/{started.json()['id']}").json())["state"] == "running":
        assert time.time() < deadline
        time.sleep(0.3)
    assert job["state"] == "done" and job["fraction"] == 1.0
    arms = job["summary"]["arms"]
    assert [a["n"] for a in arms] == [10, 10, 10]
    assert arms[1]["published"]["16"]["EASI75"] == pytest.approx(0.51)  # SOLO 1 beside the simulated rates
    assert 0 <= arms[1]["visits"]["16"]["EASI75"] <= 1


def test_page_static_files_and_openapi(client):
    page = client.get("/")
    assert page.status_code == 200 and "/static/app.js" in page.text and "http" not in page.text.split("<body>")[1]
    assert "lineChart" in client.get("/static/app.js").text
    assert client.get("/static/style.css").status_code == 200
    spec = client.get("/openapi.json").json()
    assert {"/api/drugs", "/api/parameters", "/api/course", "/api/trials", "/api/trials/{job_id}"} <= set(spec["paths"])
    body = spec["paths"]["/api/course"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert "weeks" in body["properties"] and "$ref" not in str(body)


def test_serve_command_checks_its_options(capsys):
    assert main(["serve", "--port", "70000"]) == 2
    assert "--port: must be an integer >= 1 and <= 65535" in capsys.readouterr().err
