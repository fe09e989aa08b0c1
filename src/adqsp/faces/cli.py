"""The ``adqsp`` command line: a thin face over the Python API.

Exit codes: 0 success, 2 bad input (one line on stderr naming the field), 1 internal error (short message;
the traceback is written to a log file whose path is printed).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import traceback
from pathlib import Path

from adqsp.errors import InputError
from adqsp.validation import finite_number


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        raise InputError("arguments", message)


def main(argv: list[str] | None = None) -> int:
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
        return int(args.run(args) or 0)
    except InputError as exc:
        print(f"adqsp: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("adqsp: interrupted; previous results are untouched", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the contract: short message, traceback in a log
        log = Path(tempfile.gettempdir()) / "adqsp-error.log"
        log.write_text(traceback.format_exc())
        print(f"adqsp: internal error: {type(exc).__name__}: {exc} (traceback in {log})", file=sys.stderr)
        return 1


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="adqsp", description="QSP simulator of atopic dermatitis and its treatment")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("trial", help="run a virtual clinical trial (the main job)")
    p.add_argument("scenario", nargs="?", type=Path, help="scenario TOML file (default: embedded SOLO 1)")
    p.add_argument("--patients-per-arm", type=int)
    p.add_argument("--seed", type=int)
    p.add_argument("--out", type=Path, help="results folder (default results/<scenario name>/)")
    p.add_argument("--force", action="store_true", help="replace a non-empty --out folder")
    p.add_argument("--quiet", action="store_true", help="no progress and no table")
    p.add_argument("--executor", choices=("local", "dask"), default="local", help="where chunks of patients run")
    p.add_argument("--workers", type=int, default=2, help="workers of the local Dask cluster")
    p.add_argument("--scheduler", help="address of an existing Dask scheduler (instead of a local cluster)")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run with the same command")
    p.set_defaults(run=_trial)

    p = sub.add_parser("simulate", help="time course of the typical patient")
    p.add_argument("--drug", help="dupilumab, tralokinumab, lebrikizumab or placebo (default dupilumab)")
    p.add_argument("--scenario", type=Path, help="take the regimen and weeks of the scenario's first drug arm")
    p.add_argument("--pk-model", help="PK model (dupilumab: kovalenko2020_model3, _model1, _model4, kovalenko2016)")
    p.add_argument("--weeks", type=float)
    p.add_argument("--out", type=Path, required=True, help="output file, .csv or .parquet")
    p.set_defaults(run=_simulate)

    p = sub.add_parser("params", help="print the declared parameter table")
    p.add_argument("--drug", default="dupilumab")
    p.add_argument("--pk-model")
    p.add_argument("--format", choices=("table", "csv", "markdown"), default="table")
    p.set_defaults(run=_params)

    p = sub.add_parser("export-sbml", help="write the declared model as SBML Level 3")
    p.add_argument("--scenario", type=Path)
    p.add_argument("--drug")
    p.add_argument("--pk-model")
    p.add_argument("--weeks", type=float)
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(run=_export_sbml)

    p = sub.add_parser("calibrate", help="refit the calibrated parameters to calibration_targets.csv (slow)")
    p.add_argument("--patients-per-arm", type=int, default=200)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--max-evaluations", type=int, default=250)
    p.add_argument("--out", type=Path, help="calibration file to write (default: the package's shipped file)")
    p.set_defaults(run=_calibrate)

    p = sub.add_parser("assay", help="in-vitro pSTAT6 dose-response of a cell type")
    p.add_argument("--cytokine", required=True, choices=("IL-4", "IL-13"))
    p.add_argument("--drug")
    p.add_argument("--drug-nM", type=float, default=0.0)
    p.add_argument("--cell")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_assay)
    return parser


def _trial(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from adqsp.faces.output import ResultsFolder, write_json, write_table
    from adqsp.faces.report import write_report
    from adqsp.faces.table import endpoint_table
    from adqsp.trial.executors import ChunkStore, DaskExecutor, LocalExecutor
    from adqsp.trial.job import package_version, run_trial
    from adqsp.trial.scenario import MAX_PATIENTS_PER_ARM, load_scenario

    scenario = load_scenario(args.scenario)
    if args.patients_per_arm is not None:
        if not 1 <= args.patients_per_arm <= MAX_PATIENTS_PER_ARM:
            raise InputError("--patients-per-arm", f"must be from 1 to {MAX_PATIENTS_PER_ARM}")
        scenario = replace(scenario, patients_per_arm=args.patients_per_arm)
    if args.seed is not None:
        if args.seed < 0:
            raise InputError("--seed", "must be >= 0")
        scenario = replace(scenario, seed=args.seed)
    if not 1 <= args.workers <= 256:
        raise InputError("--workers", "must be from 1 to 256")
    if args.scheduler and args.executor != "dask":
        raise InputError("--scheduler", "needs --executor dask")
    fingerprint = f"{scenario!r}|{package_version()}"
    folder = ResultsFolder(
        args.out or Path("results") / scenario.name,
        force=args.force,
        owned=args.out is None,
        fingerprint=fingerprint,
        resume=args.resume,
    )
    executor = DaskExecutor(args.workers, args.scheduler) if args.executor == "dask" else LocalExecutor()
    try:
        started = time.perf_counter()
        result = run_trial(scenario, None if args.quiet else _progress_bar(), executor, ChunkStore(folder.chunks))
        elapsed = time.perf_counter() - started
        if not args.quiet:
            print(file=sys.stderr)
        write_json(result.summary, folder.path("summary.json"))
        write_table(result.patients, folder.path("patients.parquet"))
        write_report(result.summary, result.patients, folder.path("report.html"))
        target = folder.commit()
    except BaseException:
        folder.discard()
        raise
    finally:
        executor.close()
    if not args.quiet:
        print(endpoint_table(result.summary))
        print(f"\n{sum(a['n'] for a in result.summary['arms'])} patients in {elapsed:.1f} s; results in {target}")
    return 0


def _progress_bar():
    """Progress on stderr: patients done, rate and time left for the current stage."""
    stage_start: dict[str, float] = {}
    last_update = [time.perf_counter()]  # a new stage starts where the previous one ended

    def show(stage: str, done: int, total: int) -> None:
        started = stage_start.setdefault(stage, last_update[0])
        last_update[0] = time.perf_counter()
        elapsed = max(time.perf_counter() - started, 1e-9)
        rate = done / elapsed
        left = (total - done) / rate if rate > 0 else float("nan")
        width = 30
        filled = int(width * done / max(total, 1))
        print(
            f"\r{stage[:28]:<28} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} "
            f"({rate:.0f} patients/s, {left:.0f} s left)   ",
            end="",
            file=sys.stderr,
            flush=True,
        )
        if done >= total:
            print(file=sys.stderr)

    return show


def _drug_and_regimen(args: argparse.Namespace):
    from adqsp.pk.models import DRUGS
    from adqsp.pk.regimen import LABEL_DOSES, Regimen
    from adqsp.trial.scenario import load_scenario

    if args.scenario is not None:
        scenario = load_scenario(args.scenario)
        arms = [a for a in scenario.arms if a.drug is not None] or list(scenario.arms)
        arm = arms[0]
        if args.drug is not None and args.drug != (arm.drug or "placebo"):
            raise InputError("--drug", "conflicts with the scenario's first drug arm; give one or the other")
        return arm.drug, arm.regimen, _weeks(args, scenario.weeks), args.pk_model or arm.pk_model, scenario.parameters
    drug = args.drug or "dupilumab"
    if drug == "placebo":
        return None, Regimen(), _weeks(args, 16.0), None, ()
    if drug not in DRUGS:
        raise InputError("--drug", f"unknown drug {drug!r} (allowed: {', '.join(DRUGS)}, placebo)")
    return drug, Regimen.from_entries(LABEL_DOSES[drug]), _weeks(args, 16.0), args.pk_model, ()


def _weeks(args: argparse.Namespace, default: float) -> float:
    """``--weeks`` if given (checked), else the default."""
    if args.weeks is None:
        return default
    return finite_number(args.weeks, "--weeks", 0.0, 520.0, exclusive_minimum=True)


def _simulate(args: argparse.Namespace) -> int:
    from adqsp.faces.output import TABLE_SUFFIXES, check_file_path, write_table
    from adqsp.trial.course import time_course

    out = check_file_path(args.out, TABLE_SUFFIXES)
    drug, regimen, weeks, pk_model, overrides = _drug_and_regimen(args)
    write_table(time_course(drug, regimen, weeks, pk_model, overrides=overrides), out)
    return 0


def _params(args: argparse.Namespace) -> int:
    from adqsp.faces.table import parameter_table
    from adqsp.model.build import build_model
    from adqsp.pk.models import DRUGS

    if args.drug not in (*DRUGS, "placebo"):
        raise InputError("--drug", f"unknown drug {args.drug!r} (allowed: {', '.join(DRUGS)}, placebo)")
    drug = None if args.drug == "placebo" else args.drug
    print(parameter_table(build_model(drug, args.pk_model), args.format))
    return 0


def _export_sbml(args: argparse.Namespace) -> int:
    from adqsp.faces.output import check_file_path, write_atomic
    from adqsp.faces.sbml import to_sbml_document, validation_errors, write_sbml
    from adqsp.model.build import build_model

    out = check_file_path(args.out, (".xml", ".sbml"))
    drug, regimen, weeks, pk_model, overrides = _drug_and_regimen(args)
    doc = to_sbml_document(build_model(drug, pk_model, overrides), regimen, horizon_days=weeks * 7.0)
    errors = validation_errors(doc)
    if errors:
        raise RuntimeError(f"SBML export failed validation: {errors[0]}")
    text = write_sbml(doc)
    write_atomic(out, lambda tmp: tmp.write_text(text))
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    from adqsp.faces.output import check_file_path, write_json
    from adqsp.trial.calibration import calibrate, shipped_path

    if not 10 <= args.patients_per_arm <= 100_000:
        raise InputError("--patients-per-arm", "must be from 10 to 100000")
    if args.max_evaluations < 1:
        raise InputError("--max-evaluations", "must be >= 1")
    out = check_file_path(args.out or shipped_path(), (".json",))
    result = calibrate(
        args.patients_per_arm,
        args.seed,
        args.max_evaluations,
        log=lambda line: print(line, file=sys.stderr, flush=True),
        checkpoint=out.with_name(out.stem + ".checkpoint.json"),
    )
    write_json(result, out)
    width = max(len(row["target"]) for row in result["targets"])
    for row in result["targets"]:
        print(f"{row['target']:<{width}}  published {row['published']:8.3f}  simulated {row['simulated']:8.3f}")
    print(f"wrote {out}")
    return 0


def _assay(args: argparse.Namespace) -> int:
    from adqsp.receptor.assay import run_assay

    kwargs = {"cell": args.cell} if args.cell else {}
    result = run_assay(args.cytokine, drug=args.drug, drug_nM=args.drug_nM, **kwargs)
    if args.json:
        print(json.dumps(result.to_dict()))
    else:
        d = result.to_dict()
        drug = f"{d['drug']} {d['drug_nM']:g} nM" if d["drug"] else "no drug"
        print(
            f"{d['cytokine']} on {d['cell']} ({drug}): EC50 {d['ec50_pM']:.3g} pM, "
            f"max pSTAT6 response {d['max_response']:.3f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
