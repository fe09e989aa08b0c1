"""The ``adqsp`` command line: a thin face over the Python API.

Exit codes: 0 success, 2 bad input (one line on stderr naming the field), 1 internal error (short message;
the traceback is written to a log file whose path is printed).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

from adqsp.errors import InputError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        raise InputError("arguments", message)


def main(argv: list[str] | None = None) -> int:
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
        return int(args.run(args) or 0)
    except InputError as exc:
        print(f"adqsp: error: {_one_line(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("adqsp: interrupted; previous results are untouched", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader of stdout went away (`adqsp params | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush at exit
        return 141  # as a shell reports a command ended by SIGPIPE
    except Exception as exc:  # noqa: BLE001 - the contract: short message, traceback in a log
        print(f"adqsp: internal error: {type(exc).__name__}: {_one_line(str(exc))}{_log_traceback()}", file=sys.stderr)
        return 1


def _log_traceback() -> str:
    """Write the current traceback to a new log file; `` (traceback in PATH)``, or nothing if it cannot be written."""
    try:
        fd, log = tempfile.mkstemp(prefix="adqsp-error-", suffix=".log")
        with os.fdopen(fd, "w") as handle:
            handle.write(traceback.format_exc())
    except OSError:
        return ""
    return f" (traceback in {log})"


def _one_line(text: str) -> str:
    """``text`` with line breaks and other unprintable characters escaped: a message is one line."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="adqsp", description="QSP simulator of atopic dermatitis and its treatment")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("trial", help="run a virtual clinical trial (the main job)")
    p.add_argument(
        "scenario",
        nargs="?",
        type=Path,
        help="scenario TOML file, or the name of an embedded scenario (default: solo1; see --list)",
    )
    p.add_argument("--list", action="store_true", help="list the embedded scenarios and stop")
    p.add_argument("--patients-per-arm", type=int)
    p.add_argument("--seed", type=int)
    p.add_argument("--out", type=Path, help="results folder (default results/<scenario name>/)")
    p.add_argument("--force", action="store_true", help="replace a non-empty --out folder")
    p.add_argument("--quiet", action="store_true", help="no progress and no table")
    p.add_argument("--executor", choices=("local", "dask"), default="local", help="where chunks of patients run")
    p.add_argument("--workers", type=int, help="workers of the local Dask cluster (default 2)")
    p.add_argument("--scheduler", help="address of an existing Dask scheduler (instead of a local cluster)")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run with the same command")
    p.add_argument(
        "--uncertainty",
        type=int,
        metavar="K",
        help="rerun the trial at K parameter sets drawn from the calibration's covariance (same patients) and report"
        " the 5th-95th percentile band of every endpoint (2 to 1000)",
    )
    p.add_argument("--uncertainty-seed", type=int, metavar="S", help="seed of the draws (default: the trial's seed)")
    p.set_defaults(run=_trial)

    p = sub.add_parser("validate", help="compare virtual trials with published results a targets file describes")
    p.add_argument(
        "targets",
        nargs="?",
        type=Path,
        help="targets CSV with the columns of calibration_targets.csv (default: the shipped targets)",
    )
    p.add_argument(
        "--scenario",
        action="append",
        default=[],
        metavar="STUDY=FILE",
        help="scenario TOML of a study in the targets file (repeat for each; the built-in SOLO 1 stands for 'SOLO 1'"
        " and 'SOLO pooled')",
    )
    p.add_argument("--out", type=Path, help="results folder (default results/validation/)")
    p.add_argument("--force", action="store_true", help="replace a non-empty --out folder")
    p.add_argument("--patients-per-arm", type=int, help="in place of each scenario's")
    p.add_argument("--seed", type=int, help="in place of each scenario's")
    p.set_defaults(run=_validate)

    p = sub.add_parser("simulate", help="time course of the typical patient")
    p.add_argument("--drug", help="a shipped drug (adqsp drug list) or placebo (default dupilumab)")
    p.add_argument("--drug-file", type=Path, help="a drug record (TOML, as `adqsp drug show` prints) instead of --drug")
    p.add_argument("--scenario", type=Path, help="take the regimen and weeks of the scenario's first drug arm")
    p.add_argument("--pk-model", help="PK model (dupilumab: kovalenko2020_model3, _model1, _model4, kovalenko2016)")
    p.add_argument("--weeks", type=float)
    p.add_argument("--out", type=Path, required=True, help="output file, .csv or .parquet")
    p.set_defaults(run=_simulate)

    p = sub.add_parser("params", help="print the declared parameter table")
    p.add_argument("--drug", help="a shipped drug (adqsp drug list; default dupilumab) or placebo")
    p.add_argument("--drug-file", type=Path, help="a drug record (TOML) instead of --drug")
    p.add_argument("--pk-model")
    p.add_argument("--format", choices=("table", "csv", "markdown"), default="table")
    p.set_defaults(run=_params)

    p = sub.add_parser(
        "export-sbml",
        help="write the declared model as SBML Level 3; to a .omex file: a COMBINE archive with the SED-ML experiment",
    )
    p.add_argument("--scenario", type=Path)
    p.add_argument("--drug")
    p.add_argument("--drug-file", type=Path, help="a drug record (TOML) instead of --drug")
    p.add_argument("--pk-model")
    p.add_argument("--weeks", type=float)
    p.add_argument(
        "--initial",
        choices=("enrolment", "declared"),
        default="enrolment",
        help="start from the typical patient's day-0 state, as `adqsp simulate` does (default), or from the"
        " declared initial values",
    )
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(run=_export_sbml)

    p = sub.add_parser("calibrate", help="refit the calibrated parameters to calibration_targets.csv (slow)")
    p.add_argument(
        "--patients-per-arm",
        type=int,
        help="per arm of each virtual trial (default: the SOLO 1 scenario's 1000; with a few hundred, responder rates"
        " move in steps that swamp the finite-difference Jacobian)",
    )
    p.add_argument("--seed", type=int, help="default: the SOLO 1 scenario's (20161)")
    p.add_argument(
        "--max-evaluations",
        type=int,
        help="virtual trials to run at most, finite-difference ones included (default 250)",
    )
    p.add_argument(
        "--only",
        type=lambda text: text.split(","),
        help="comma-separated fitted parameters to refit (default: all; see the calibration module)",
    )
    p.add_argument("--out", type=Path, help="calibration file to write (default: the package's shipped file)")
    p.set_defaults(run=_calibrate)

    p = sub.add_parser("sensitivity", help="local sensitivity of the trial endpoints to every parameter (slow)")
    p.add_argument("--patients-per-arm", type=int, help="per arm of each virtual trial (default 1000)")
    p.add_argument("--seed", type=int, help="default 20161 (the default trial's)")
    p.add_argument("--only", type=lambda text: text.split(","), help="comma-separated parameters (default: all)")
    p.add_argument("--out", type=Path, required=True, help="Markdown file to write (docs/sensitivity.md)")
    p.set_defaults(run=_sensitivity)

    p = sub.add_parser("sobol", help="global sensitivity (Sobol indices) of a patient's response to a drug")
    p.add_argument("--drug", default="dupilumab", help="drug at its label regimen (default dupilumab; or placebo)")
    p.add_argument("--weeks", type=float, default=16.0, help="when the response is read (default 16)")
    p.add_argument("--samples", type=int, default=512, help="base samples, a power of 2 (default 512)")
    p.add_argument("--seed", type=int, default=0, help="seed of the scrambled Sobol' sequence (default 0)")
    p.add_argument(
        "--parameters", type=lambda text: text.split(","), help="comma-separated (default: every varying one)"
    )
    p.add_argument(
        "--endpoints",
        type=lambda text: text.split(","),
        help="comma-separated: easi_change, itch_change, tarc_pct_change, ige_pct_change, type2_fraction"
        " (default: the first three)",
    )
    p.add_argument("--out", type=Path, required=True, help="Markdown table to write")
    p.add_argument("--figure", type=Path, help="bar chart to write (.png or .svg)")
    p.set_defaults(run=_sobol)

    p = sub.add_parser("assay", help="in-vitro pSTAT6 dose-response of a cell type")
    p.add_argument("--cytokine", required=True, choices=("IL-4", "IL-13"))
    p.add_argument("--drug")
    p.add_argument("--drug-file", type=Path, help="a drug record (TOML) instead of --drug")
    p.add_argument("--drug-nM", type=float, default=0.0)
    p.add_argument("--cell")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=_assay)

    p = sub.add_parser("placebo", help="where a placebo arm's improvement comes from, part by part")
    p.add_argument("scenario", nargs="?", type=Path, help="scenario TOML file or embedded name (default: solo1)")
    p.add_argument("--patients-per-arm", type=int)
    p.add_argument("--seed", type=int)
    p.add_argument("--json", action="store_true", help="the decomposition as JSON instead of a table")
    p.set_defaults(run=_placebo)

    p = sub.add_parser("drug", help="the drug records: list them, or show one as TOML to copy and edit")
    drug = p.add_subparsers(dest="drug_command", required=True, parser_class=_Parser)
    q = drug.add_parser("list", help="name, class, route, target and motif of each shipped drug")
    q.set_defaults(run=_drug_list)
    q = drug.add_parser("show", help="a shipped drug's record, as TOML")
    q.add_argument("name")
    q.set_defaults(run=_drug_show)

    p = sub.add_parser("schema", help="print the scenario-file format as JSON Schema")
    p.add_argument("--markdown", action="store_true", help="a Markdown reference instead (docs/scenario-format.md)")
    p.add_argument("--drug", action="store_true", help="the drug-record format instead (docs/drug-format.md)")
    p.set_defaults(run=_schema)

    p = sub.add_parser("serve", help="the mechanism explorer: a web page and JSON API on this machine")
    p.add_argument("--host", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, help="port to listen on (default 8000)")
    p.set_defaults(run=_serve)

    p = sub.add_parser("docs", help="write the model document (Markdown, one page per layer) from the declaration")
    p.add_argument("--out", type=Path, required=True, help="folder for the pages (docs/model in this repository)")
    p.set_defaults(run=_docs)

    p = sub.add_parser("export-petab", help="write the PK part of the calibration problem as a PEtab problem")
    p.add_argument("--out", type=Path, required=True, help="folder for the PEtab files (created if missing)")
    p.set_defaults(run=_export_petab)
    return parser


def _placebo(args: argparse.Namespace) -> int:

    from adqsp.faces.options import TrialOptions, options
    from adqsp.trial.placebo import ENDPOINTS, PARTS, decompose
    from adqsp.trial.scenario import load_scenario

    opts = options(TrialOptions, args)
    scenario = load_scenario(args.scenario).sized(opts.patients_per_arm, opts.seed)
    result = decompose(scenario)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    for arm, visits in result["arms"].items():
        week = max(visits, key=float)
        print(f"{arm}, week {week} ({result['estimand']}): parts that add up to the total")
        print(f"{'endpoint':<16}" + "".join(f"{part:>24}" for part in (*PARTS, "total")))
        for key in ENDPOINTS:
            if key in visits[week]:
                parts = visits[week][key]
                print(f"{key:<16}" + "".join(f"{parts[p]:>24.3f}" for p in (*PARTS, "total")))
    return 0


def _drug_list(args: argparse.Namespace) -> int:
    from adqsp.drugs.registry import shipped

    rows = [("drug", "class", "route", "target", "motif")]
    rows += [(r.name, r.drug_class, r.route, *drug_target(r)) for r in shipped().values()]
    widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 0


def drug_target(record) -> tuple[str, str]:
    """What a drug binds and its motif, as ``adqsp drug list`` shows them."""
    m = record.mechanism
    if m.motif == "binds_receptor_chain":
        return m.chain, m.motif
    if m.motif == "inhibits_pathways":
        return ", ".join(i.pathway for i in m.inhibits), m.motif
    return m.ligand, f"{m.motif} (blocks {m.blocks.replace('_', ' ')})"


def _drug_show(args: argparse.Namespace) -> int:
    from adqsp.drugs.registry import shipped_text

    print(shipped_text(args.name), end="")
    return 0


def _trial(args: argparse.Namespace) -> int:
    from adqsp.engine import precompile

    precompile.start()  # on a cold start, the solver compiles on the other core from now on
    from adqsp.errors import FailureWarning
    from adqsp.faces.options import TrialOptions, options
    from adqsp.faces.output import ResultsFolder, write_table
    from adqsp.faces.report import write_report
    from adqsp.faces.table import endpoint_table, period_table, screening_table
    from adqsp.files import write_json
    from adqsp.trial.executors import ChunkStore, DaskExecutor, LocalExecutor
    from adqsp.trial.job import package_version, run_trial
    from adqsp.trial.scenario import embedded_scenarios, load_scenario
    from adqsp.trial.uncertainty import run_with_uncertainty

    if args.list:
        if args.scenario is not None:
            raise InputError("--list", "lists the embedded scenarios: give it without a scenario")
        for name, what in embedded_scenarios().items():
            print(f"{name:<12}  {what}")
        return 0
    opts = options(TrialOptions, args)
    scenario = load_scenario(args.scenario).sized(opts.patients_per_arm, opts.seed)
    if args.executor != "dask":
        for name, value in (("--scheduler", args.scheduler), ("--workers", args.workers)):
            if value is not None:
                raise InputError(name, "needs --executor dask")
    if args.scheduler and args.workers is not None:
        raise InputError("--workers", "not used with --scheduler (the cluster has its own workers)")
    if opts.uncertainty_seed is not None and opts.uncertainty is None:
        raise InputError("--uncertainty-seed", "needs --uncertainty")
    fingerprint = f"{scenario!r}|{package_version()}"
    folder = ResultsFolder(
        args.out or Path("results") / scenario.name,
        force=args.force,
        owned=args.out is None,
        fingerprint=fingerprint,
        resume=args.resume,
    )
    executor = LocalExecutor()
    try:
        if args.executor == "dask":
            executor = DaskExecutor(opts.workers, args.scheduler)
        started = time.perf_counter()
        with warnings.catch_warnings():  # printed below as one line each, from the summary
            warnings.simplefilter("ignore", FailureWarning)
            progress, store = None if args.quiet else _progress_bar(), ChunkStore(folder.chunks)
            if opts.uncertainty is None:
                result = run_trial(scenario, progress, executor, store)
            else:
                result = run_with_uncertainty(
                    scenario, opts.uncertainty, opts.uncertainty_seed, progress, executor, store
                )
        elapsed = time.perf_counter() - started
        if not args.quiet:
            print(file=sys.stderr)
        write_json(result.summary, folder.path("summary.json"))
        write_table(result.patients, folder.path("patients.parquet"))
        write_report(result.summary, result.patients, folder.path("report.html"))
        target = folder.commit()
    except BaseException as exc:
        folder.discard(resumable=not isinstance(exc, InputError))
        raise
    finally:
        executor.close()
    if not args.quiet:
        print(endpoint_table(result.summary))
        if "periods" in result.summary:
            print(f"\n{period_table(result.summary)}")
        print(f"\n{screening_table(result.summary['screening'])}")
        print(f"\n{sum(a['n'] for a in result.summary['arms'])} patients in {elapsed:.1f} s; results in {target}")
    for line in result.summary["warnings"]:
        print(f"adqsp: warning: {_one_line(line)}", file=sys.stderr)
    return 0


def _validate(args: argparse.Namespace) -> int:
    import pandas as pd

    from adqsp.faces.options import ValidateOptions, options
    from adqsp.faces.output import ResultsFolder, write_table
    from adqsp.faces.table import validation_table
    from adqsp.files import write_json
    from adqsp.trial.job import package_version
    from adqsp.trial.validate import run_validation

    opts = options(ValidateOptions, args)
    files: dict[str, Path] = {}
    for pair in args.scenario:
        study, equals, file = pair.partition("=")
        if not (equals and study.strip() and file.strip()):
            raise InputError("--scenario", f"expected STUDY=FILE, got {pair!r}")
        if study.strip() in files:
            raise InputError("--scenario", f"study {study.strip()!r} is given twice")
        files[study.strip()] = Path(file.strip())
    folder = ResultsFolder(
        args.out or Path("results") / "validation",
        force=args.force,
        owned=args.out is None,
        fingerprint=f"validate|{args!r}|{package_version()}",
    )
    try:
        result = run_validation(
            args.targets,
            files,
            opts.patients_per_arm,
            opts.seed,
            log=lambda line: print(line, file=sys.stderr, flush=True),
        )
        write_table(pd.DataFrame([c.row() for c in result.comparisons]), folder.path("validation.csv"))
        write_json(result.to_json(), folder.path("validation.json"))
        target = folder.commit()
    except BaseException:
        folder.discard(resumable=False)
        raise
    print(validation_table(result))
    print(f"\nresults in {target}")
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
    """Drug, regimen, weeks, PK model and overrides: the scenario's first drug arm, or the label regimen."""
    from adqsp.faces.options import model_options
    from adqsp.pk.models import check_pk_model
    from adqsp.pk.regimen import Regimen, label_doses
    from adqsp.trial.scenario import load_scenario

    if args.scenario is None:
        opts, record = model_options(args)
        regimen = Regimen.from_entries(label_doses(record)) if record else Regimen()
        return record, regimen, 16.0 if opts.weeks is None else opts.weeks, opts.pk_model, ()
    if args.drug_file is not None:
        raise InputError("--drug-file", "conflicts with --scenario (a scenario names its drugs in drug_files)")
    scenario = load_scenario(args.scenario)
    arm = next((a for a in scenario.arms if a.drug is not None), scenario.arms[0])
    if args.drug is not None and args.drug != (arm.drug.name if arm.drug else "placebo"):
        raise InputError("--drug", "conflicts with the scenario's first drug arm; give one or the other")
    opts, _ = model_options(args, drug="placebo", pk_model=None)
    pk_model = args.pk_model or arm.pk_model
    check_pk_model(arm.drug, pk_model, "--pk-model")
    weeks = scenario.weeks if opts.weeks is None else opts.weeks
    return arm.drug, arm.regimen, weeks, pk_model, scenario.arm_overrides(arm)


def _simulate(args: argparse.Namespace) -> int:
    from adqsp.faces.output import TABLE_SUFFIXES, check_file_path, write_table
    from adqsp.trial.course import time_course

    out = check_file_path(args.out, TABLE_SUFFIXES)
    drug, regimen, weeks, pk_model, overrides = _drug_and_regimen(args)
    write_table(time_course(drug, regimen, weeks, pk_model, overrides=overrides), out)
    return 0


def _params(args: argparse.Namespace) -> int:
    from adqsp.assembly import build_model
    from adqsp.faces.options import model_options
    from adqsp.faces.table import parameter_table

    opts, record = model_options(args)
    print(parameter_table(build_model(record, opts.pk_model), args.format))
    return 0


def _export_sbml(args: argparse.Namespace) -> int:
    from adqsp.assembly import build_model
    from adqsp.faces.output import check_file_path
    from adqsp.faces.sbml import to_sbml_document, validation_errors, write_sbml
    from adqsp.files import write_atomic
    from adqsp.trial.course import enrolment_state

    out = check_file_path(args.out, (".xml", ".sbml", ".omex"))
    drug, regimen, weeks, pk_model, overrides = _drug_and_regimen(args)
    start = enrolment_state(drug, pk_model, overrides=overrides) if args.initial == "enrolment" else None
    model = build_model(drug, pk_model, overrides)
    doc = to_sbml_document(model, regimen, weeks * 7.0, initial_state=start)
    errors = validation_errors(doc)
    if errors:
        raise RuntimeError(f"SBML export failed validation: {errors[0]}")
    text = write_sbml(doc)
    if out.suffix != ".omex":
        write_atomic(out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        return 0
    from adqsp.faces.sedml import OUTPUTS, sedml_errors, simulation_experiment, write_archive

    outputs = [*([f"{drug.name}_serum_mg_L"] if drug else []), *OUTPUTS]
    title = f"{drug.name if drug else 'placebo'}, {weeks:g} weeks"
    known = {*model.state_names, *model.assignment_names}
    experiment = simulation_experiment(weeks * 7.0, [o for o in outputs if o in known], title)
    errors = sedml_errors(experiment)
    if errors:
        raise RuntimeError(f"SED-ML export failed validation: {errors[0]}")
    write_atomic(out, lambda tmp: write_archive(tmp, text, experiment))
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    from adqsp.faces.options import CalibrateOptions, options
    from adqsp.faces.output import check_file_path
    from adqsp.files import write_json
    from adqsp.trial.calibration import calibrate, shipped_path

    opts = options(CalibrateOptions, args)
    out = check_file_path(args.out or shipped_path(), (".json",))
    result = calibrate(
        opts.patients_per_arm,
        opts.seed,
        opts.max_evaluations,
        log=lambda line: print(line, file=sys.stderr, flush=True),
        checkpoint=out.with_name(out.stem + ".checkpoint.json"),
        only=tuple(opts.only or ()),
    )
    write_json(result, out)
    width = max(len(row["target"]) for row in result["targets"])
    for row in result["targets"]:
        print(f"{row['target']:<{width}}  published {row['published']:8.3f}  simulated {row['simulated']:8.3f}")
    print(f"wrote {out}")
    return 0


def _sensitivity(args: argparse.Namespace) -> int:
    from adqsp.faces.options import SensitivityOptions, options
    from adqsp.faces.output import check_file_path
    from adqsp.files import write_atomic
    from adqsp.trial.sensitivity import markdown, sensitivity

    opts = options(SensitivityOptions, args)
    out = check_file_path(args.out, (".md",))
    try:
        rows = sensitivity(
            opts.patients_per_arm,
            opts.seed,
            log=lambda line: print(line, file=sys.stderr, flush=True),
            only=tuple(opts.only or ()),
        )
    except InputError as exc:  # the API names its arguments; the command line, its options
        raise InputError(f"--{exc.field}", exc.problem) from None
    page = markdown(rows, opts.patients_per_arm, opts.seed)
    write_atomic(out, lambda tmp: tmp.write_text(page, encoding="utf-8"))
    print(f"wrote {out}")
    return 0


def _sobol(args: argparse.Namespace) -> int:
    from adqsp.faces.output import check_file_path
    from adqsp.files import write_atomic
    from adqsp.trial.sobol import DEFAULT_ENDPOINTS, figure, markdown, sobol_indices

    out = check_file_path(args.out, (".md",))
    picture = None if args.figure is None else check_file_path(args.figure, (".png", ".svg"), "--figure")
    try:
        result = sobol_indices(
            None if args.drug == "placebo" else args.drug,
            args.weeks,
            parameters=args.parameters,
            endpoints=args.endpoints or DEFAULT_ENDPOINTS,
            samples=args.samples,
            seed=args.seed,
            progress=_progress_bar(),
        )
    except InputError as exc:  # the API names its arguments; the command line, its options
        raise InputError(f"--{exc.field}", exc.problem) from None
    write_atomic(out, lambda tmp: tmp.write_text(markdown(result), encoding="utf-8"))
    print(f"wrote {out}")
    if picture is not None:
        write_atomic(picture, lambda tmp: figure(result, tmp, picture.suffix[1:]))
        print(f"wrote {picture}")
    return 0


def _assay(args: argparse.Namespace) -> int:
    from adqsp.faces.options import drug_record
    from adqsp.receptor.assay import run_assay

    kwargs = {"cell": args.cell} if args.cell else {}
    drug = drug_record(args, None) or args.drug
    try:
        result = run_assay(args.cytokine, drug=drug, drug_nM=args.drug_nM, **kwargs)
    except InputError as exc:  # the API names its arguments; the command line, its options
        raise InputError(f"--{exc.field.replace('_', '-')}", exc.problem) from None
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


def _schema(args: argparse.Namespace) -> int:
    from adqsp.drugs.record import DrugRecord
    from adqsp.faces.reference import drug_reference, scenario_reference
    from adqsp.schema import ScenarioFile
    from adqsp.validation import json_schema

    if args.markdown:
        print(drug_reference() if args.drug else scenario_reference())
    else:
        print(json.dumps(json_schema(DrugRecord if args.drug else ScenarioFile), indent=2))
    return 0


def _serve(args: argparse.Namespace) -> int:
    from adqsp.faces.options import ServeOptions, options
    from adqsp.faces.serve.app import serve

    opts = options(ServeOptions, args)
    print(f"adqsp explorer on http://{opts.host}:{opts.port}/ (Ctrl-C stops it)", file=sys.stderr, flush=True)
    serve(opts.host, opts.port)
    return 0


def _docs(args: argparse.Namespace) -> int:
    from adqsp.faces.modeldoc import write
    from adqsp.faces.output import check_folder_path

    check_folder_path(args.out)
    for path in write(args.out):
        print(path)
    return 0


def _export_petab(args: argparse.Namespace) -> int:
    from adqsp.faces.output import check_folder_path
    from adqsp.faces.petab import write_petab

    check_folder_path(args.out)
    for path in write_petab(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
