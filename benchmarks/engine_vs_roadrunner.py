"""Benchmark: the batched compiled engine against libRoadRunner on the project's own SBML export.

Both simulate the same virtual patients (dupilumab label regimen, 52 weeks, from each patient's enrolment
state). libRoadRunner runs CVODE with its default BDF method at tolerances tighter than ours, one patient after
another (a patient it fails on is counted and left out of the comparison); we report patients per second, the
ratio, peak memory and the largest differences in EASI (weeks 16 and 52) and serum concentration.

    python benchmarks/engine_vs_roadrunner.py --patients 1000 10000 --roadrunner-patients 300
    python benchmarks/engine_vs_roadrunner.py --trial-patients 100000     # also time a 100k-patient trial
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from adqsp.assembly import build_model, compiled
from adqsp.endpoints.scores import REGIONS, area_score_values
from adqsp.engine.solve import solve
from adqsp.faces.sbml import derived_constants, to_sbml_document, write_sbml
from adqsp.pk.regimen import LABEL_DOSES, Regimen
from adqsp.population.sampling import sample
from adqsp.trial.run import arm_initial_states, enrolment_states

WEEKS = np.array([0.0, 16.0, 52.0])
REGIMEN = Regimen.from_entries(LABEL_DOSES["dupilumab"])
AREAS = tuple(f"area_pct_{r}" for r, _ in REGIONS)
#: read-outs compared: EASI, serum concentration, and the region areas behind EASI's stepped area scores
KEYS = ("easi", "dupilumab_serum_mg_L", *AREAS)


def patients(n: int, seed: int = 1):
    c = compiled("dupilumab")
    pop = sample(c.model, np.arange(n), seed)
    y_enrol, ok = enrolment_states(pop)
    P = c.parameter_matrix(pop.values, n)
    return c, pop, P, arm_initial_states(c, y_enrol, P)


def ours(c, pop, P, y0):
    dose_t, dose_mg = REGIMEN.events(WEEKS[-1] * 7, pop.values["WT"])
    started = time.perf_counter()
    tr = solve(c, P, y0, WEEKS * 7, dose_t, dose_mg)
    elapsed = time.perf_counter() - started
    obs = [c.observe(t, tr.states[k], P) for k, t in enumerate(WEEKS * 7)]
    return elapsed, {key: np.array([o[key] for o in obs]) for key in KEYS}, tr.ok


def roadrunner_loop(c, pop, P, y0, n: int):
    import roadrunner

    roadrunner.Logger.setLevel(roadrunner.Logger.LOG_CRITICAL)
    options = roadrunner.LoadSBMLOptions()
    options.loadFlags = options.loadFlags | options.NO_DEFAULT_SELECTIONS | options.NO_DEFAULT_STEADY_STATE_SELECTIONS
    options.conservedMoieties = False
    options.mutableInitialConditions = False
    rr = roadrunner.RoadRunner(write_sbml(to_sbml_document(build_model("dupilumab"), REGIMEN, WEEKS[-1] * 7)), options)
    rr.integrator.relative_tolerance = 1e-6
    rr.integrator.absolute_tolerance = 1e-9
    rr.integrator.maximum_num_steps = 200000
    names = c.model.parameter_names
    # constants derived from parameters are SBML initial assignments: set them per patient as well
    derived = sorted(derived_constants(c.model))
    derived_values = c.observe(0.0, y0, P)
    disease_states = compiled(None).model.state_names
    values = {key: np.full((len(WEEKS), n), np.nan) for key in KEYS}

    def prepare(i: int) -> None:
        rr.resetToOrigin()
        for k in pop.values:
            rr[k] = float(P[names.index(k), i])
        for k in derived:
            rr[k] = float(np.broadcast_to(derived_values[k], (P.shape[1],))[i])
        for s in disease_states:  # drug compartments stay as reset: the week-0 dose has already been given
            rr[s] = float(y0[c.model.state_names.index(s), i])

    started = time.perf_counter()
    for i in range(n):
        prepare(i)
        try:
            out = rr.simulate(times=WEEKS * 7, selections=list(KEYS))
        except RuntimeError:  # left as NaN: counted as roadrunner_failures
            continue
        for j, key in enumerate(KEYS):
            values[key][:, i] = out[:, j]
    return time.perf_counter() - started, values


def agreement(ours: dict[str, np.ndarray], theirs: dict[str, np.ndarray]) -> dict:
    """Largest differences between two solutions of the same patients (``theirs`` may cover fewer).

    EASI's area scores are steps of the region areas (10%, 30%, ...): a patient whose area sits on a band edge
    can get a different score from a difference far below the tolerances. EASI is compared over the patients
    whose area scores agree; the others are counted, and the areas are compared as continuous values.
    """
    m = theirs["easi"].shape[1]
    mine = {key: v[:, :m] for key, v in ours.items()}
    solved = np.isfinite(theirs["easi"])  # a libRoadRunner failure is counted apart, not as a band edge
    same_bands = np.all([area_score_values(mine[a]) == area_score_values(theirs[a]) for a in AREAS], axis=0)
    easi_diff = np.where(same_bands & solved, np.abs(mine["easi"] - theirs["easi"]), 0.0)
    # relative to the area, or to 0.001% of the body region for an area near 0
    area_rel = max(np.nanmax(np.abs(mine[a] - theirs[a]) / np.maximum(np.abs(theirs[a]), 1e-3)) for a in AREAS)
    return {
        "max_EASI_diff_week16": float(np.nanmax(easi_diff[1])),
        "max_EASI_diff_week52": float(np.nanmax(easi_diff[2])),
        "patients_on_an_area_band_edge": int((solved & ~same_bands)[1:].any(axis=0).sum()),
        "max_area_rel_diff": float(area_rel),
        "max_serum_rel_diff": float(
            np.nanmax(
                np.abs(mine["dupilumab_serum_mg_L"][1:] - theirs["dupilumab_serum_mg_L"][1:])
                / theirs["dupilumab_serum_mg_L"][1:]
            )
        ),
    }


def trial(n: int) -> dict:
    scenario = (
        f'name = "bench"\nweeks = 52\nvisits = [16]\npatients_per_arm = {n}\nseed = 1\n'
        '[[arms]]\nname = "dupilumab 300 mg q2w"\ndrug = "dupilumab"\n'
        "doses = [{mg = 600, week = 0}, {mg = 300, every_weeks = 2, from_week = 2}]\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.toml"
        path.write_text(scenario, encoding="utf-8")
        code = (
            "import resource, sys, time; from adqsp.faces.cli import main; t = time.perf_counter(); "
            f"rc = main(['trial', {str(path)!r}, '--quiet', '--out', {str(Path(tmp) / 'out')!r}]); "
            "print(rc, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
        )
        rc, seconds, rss = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.split()
    return {"patients": n, "exit_code": int(rc), "seconds": float(seconds), "peak_memory_MB": int(rss) / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--roadrunner-patients", type=int, default=300, help="patients run by libRoadRunner")
    parser.add_argument("--trial-patients", type=int, default=0, help="also time an end-to-end trial of this size")
    args = parser.parse_args()
    # libRoadRunner once: patient i is the same in every population (its own random stream), so each N is compared
    # with the same first patients
    m = min(max(args.patients), args.roadrunner_patients)
    rr_seconds, rr_all = roadrunner_loop(*patients(m), m)
    for n in args.patients:
        c, pop, P, y0 = patients(n)
        ours(c, pop.take(np.arange(2)), P[:, :2], y0[:, :2])  # compile or load the machine code untimed
        seconds, values, ok = ours(c, pop, P, y0)
        k = min(n, m)
        rr_values = {key: v[:, :k] for key, v in rr_all.items()}
        row = {
            "patients": n,
            "ours_patients_per_s": n / seconds,
            "ours_ok": float(ok.mean()),
            "roadrunner_patients": m,
            "roadrunner_patients_per_s": m / rr_seconds,
            "speedup": (n / seconds) / (m / rr_seconds),
            **agreement(values, rr_values),
            "roadrunner_failures": int(np.isnan(rr_values["easi"][2]).sum()),
        }
        print(json.dumps(row), flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"peak_memory_MB": peak}))
    if args.trial_patients:
        print(json.dumps({"trial": trial(args.trial_patients)}))


if __name__ == "__main__":
    main()
