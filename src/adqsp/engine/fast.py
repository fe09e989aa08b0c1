"""The compiled engine's entry points: a model's machine code with the solver's kernels (:func:`fast_model`), a
population integrated with it (:func:`integrate_fast`: the Rosenbrock solver of ``kernels/rosenbrock.py``, run on
lanes by ``kernels/lanes.py``) or brought to its steady states (:func:`steady_state_fast`), and the solver's
settings.

The kernels are compiled by numba once per version of this code (the solver on lanes in about 10 s, then loaded
from the cache folder in a fraction of a second). A lone patient runs the scalar kernels: compiled where this process
has them, otherwise in the Python interpreter (``kernels.python_module``): the same results bit for bit, and for one
patient's course about as fast as loading the compiled kernel, so ``adqsp simulate`` and the explorer's first answer
never wait for numba.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from adqsp.engine import kernels, precompile
from adqsp.engine.cache import load, loaded, solver_source
from adqsp.engine.doses import dose_events
from adqsp.engine.integrate import Relaxed, Tolerances, Trajectory, relaxed_stops
from adqsp.engine.native import NativeModel, native_model
from adqsp.model.codegen import CompiledModel

DEFAULT_TOLERANCES = Tolerances(rtol=5e-4, atol=5e-4)
#: first step (day) at the start and after a patient's first dose of a run (a dose event of 0 mg, e.g. a weight
#: band the patient is not in, is none). That dose may land in a system holding no drug, where, with the
#: concentration near the elimination's Michaelis constant, the error estimate misses a too-long first step
FIRST_STEP = 0.03
#: longest first step (day) after a later dose. Later doses enter the exactly integrated chain and need no restart,
#: but the step the error control carried into a dose, days long, would be rejected about twice at each one
LATER_DOSE_STEP = 0.5
#: largest multiplier accepted from the generated LU's static pivot order (threshold pivoting with u = 0.01, ten
#: times stricter than the 0.001 Kundert's Sparse 1.3 recommends, spconfig.h);
#: a larger one, or a zero pivot, and that step's matrix is factorised with partial pivoting instead
MULTIPLIER_LIMIT = 100.0
#: pseudo-transient continuation to a steady state: first implicit Euler step (day), convergence (largest relative
#: rate of change, 1/day: under 3e-6 relative drift over 3000 days) and iteration limit
STEADY_FIRST_STEP = 1.0
STEADY_RATE_LIMIT = 1e-9
STEADY_MAX_ITER = 100
STATUS = {0: "ok", 1: "too many steps", 2: "step size too small", 3: "non-finite state"}


@dataclass(frozen=True)
class FastModel:
    """A model compiled to machine code (``native``), run by the solver's kernels (the same for every model):
    :meth:`solve` integrates a population (see :func:`integrate_fast`); :meth:`steady` finds steady states (see
    :func:`steady_state_fast`); :meth:`jac` gives the rates, their exact Jacobian and time derivative at a point."""

    compiled: CompiledModel
    native: NativeModel

    @property
    def other(self) -> np.ndarray:
        """The indices of the states the method integrates (the first ``native.n_exact`` are integrated exactly)."""
        return np.arange(self.native.n_exact, len(self.compiled.model.states))

    def solve(self, P: np.ndarray, *args) -> None:
        """``kernels/rosenbrock.py``'s ``solve`` for this model, its patients (rows of ``P``) in threads (its
        arguments after the model's and the patients' range)."""
        self._check(P, args[0])
        kernel = _kernel("solve", len(P))
        on_lanes = kernel.__name__ == LANES_SOLVER
        n = self.native.with_lanes() if on_lanes else self.native
        _in_threads(kernel, (n.functions, n.n_constants, n.n_exact, n.fed), len(P), (P, *args))
        if on_lanes:
            precompile.mark()

    def steady(self, P: np.ndarray, *args) -> None:
        """``kernels/steady.py``'s ``steady`` for this model, its patients (rows of ``P``) in threads."""
        self._check(P, args[0])
        n = self.native
        _in_threads(_kernel("steady", len(P)), (n.functions, n.n_constants, n.n_exact), len(P), (P, *args))

    def jac(self, t: float, y: np.ndarray, p: np.ndarray, f: np.ndarray, J: np.ndarray, ft: np.ndarray) -> None:
        """The rates into ``f``, their Jacobian into ``J`` (zeroed beforehand) and time derivative into ``ft``."""
        y, p = np.ascontiguousarray(y, dtype=float), np.ascontiguousarray(p, dtype=float)
        self._check(p[None, :], y[None, :])
        n_s = len(self.compiled.model.states)
        if f.shape != (n_s,) or J.shape != (n_s, n_s) or ft.shape != (n_s,) or not J.flags.c_contiguous:
            raise ValueError(f"f, J, ft: must be ({n_s},), ({n_s}, {n_s}) C-contiguous and ({n_s},)")
        n = self.native
        _kernel("jacobian", 1)(n.functions, n.n_constants, float(t), y, p, f, J, ft)

    def _check(self, P: np.ndarray, Y: np.ndarray) -> None:
        """The machine code indexes parameters and states by position: refuse arrays of another model's sizes."""
        model = self.compiled.model
        if P.ndim != 2 or P.shape[1] != len(model.parameters) or Y.shape != (len(P), len(model.states)):
            raise ValueError(f"P, Y0: must be (patients, {len(model.parameters)}) and (patients, {len(model.states)})")


#: a population this small runs in the Python interpreter until the compiled kernel is in this process: one
#: patient's 52-week course with its enrolment takes about as long interpreted (0.46 s) as with the kernels loaded
#: from the cache folder (0.49 s), and more patients pay the interpreter's cost per step each
INTERPRETED_PATIENTS = 1


#: the kernel that runs a population's ``solve``: the solver on lanes (``kernels/lanes.py``, the same results bit for
#: bit as the scalar one)
LANES_SOLVER = "solve_lanes"


def _kernel(name: str, patients: int):
    """Kernel ``name`` for a population: compiled (the solver on lanes for ``solve``); for at most
    :data:`INTERPRETED_PATIENTS` patients: compiled where it is compiled or loaded in this process already, otherwise
    interpreted."""
    source = kernels.source()
    if patients <= INTERPRETED_PATIENTS:
        compiled = loaded(source)  # by an earlier call (importing the kernels imports numba)
        if compiled is not None and getattr(compiled, name).signatures:
            return getattr(compiled, name)
        return getattr(kernels.python_module(), name)
    if name == "solve":
        precompile.wait()  # a compile of it in another process (a cold start's): load what it compiled
        return getattr(load(source), LANES_SOLVER)
    return getattr(load(source), name)


#: patient ranges per thread: the threads take the next range when done, so a slow range delays the end less
RANGES_PER_THREAD = 4


def _in_threads(kernel, model: tuple, n: int, args: tuple) -> None:
    """``kernel(*model, first, last, *args)`` over ranges of the ``n`` patients, in as many threads as numba's
    thread count (``NUMBA_NUM_THREADS``, by default the processor's cores), each range of at least ``LANES``
    patients where there are that many (a range shorter than the lanes leaves lanes idle): the kernels release the
    GIL, and each patient's result is the same whichever thread and range compute it."""
    if n <= 1:
        kernel(*model, 0, n, *args)
        return
    import numba  # imported here: a lone patient's course needs none of it (0.2 s)

    ranges = max(1, min(numba.config.NUMBA_NUM_THREADS * RANGES_PER_THREAD, n // kernels.LANES))
    threads = min(numba.config.NUMBA_NUM_THREADS, ranges)
    if threads <= 1:
        kernel(*model, 0, n, *args)
        return
    bounds = np.linspace(0, n, ranges + 1).round().astype(np.int64)
    with ThreadPoolExecutor(threads) as pool:
        runs = [pool.submit(kernel, *model, a, b, *args) for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]
        for run in runs:
            run.result()


def fast_model(compiled: CompiledModel) -> FastModel:
    """The machine code of ``compiled`` (``engine/native.py``: compiled in about a second, then cached on disk) and
    the kernels (compiled by numba once per version of this code, then cached on disk)."""
    model = compiled.model
    native = native_model(solver_source(compiled), len(model.states), len(model.parameters))
    return FastModel(compiled, native)


def compile_kernels(compiled: CompiledModel) -> None:
    """Bring the compiled kernels into this process (numba compiles what its cache lacks, about 20 s), so that a
    lone patient's course no longer runs interpreted: two patients of ``compiled`` at the declared values, to the
    steady state and over a day, and the scalar solver for the solver on lanes' arguments (the same for every call,
    whatever the model)."""
    model = fast_model(compiled)
    P = compiled.parameter_matrix({}, 2)
    y0 = compiled.initial(P)
    steady_state_fast(model, P, y0, 0.0)
    integrate_fast(model, P, y0, np.array([0.0, 1.0]))
    module = load(kernels.source())
    for signature in getattr(module, LANES_SOLVER).signatures:
        module.solve.compile(signature)


def integrate_fast(
    fast: FastModel,
    P: np.ndarray,
    y0: np.ndarray,
    times: np.ndarray,
    dose_times: np.ndarray | None = None,
    dose_amounts: np.ndarray | None = None,
    tol: Tolerances = DEFAULT_TOLERANCES,
    max_steps: int = 200_000,
    h0: float = FIRST_STEP,
    h_later: float = LATER_DOSE_STEP,
    multiplier_limit: float = MULTIPLIER_LIMIT,
    relaxed: Relaxed | None = None,
) -> Trajectory:
    """Same contract as :func:`adqsp.engine.integrate.integrate`, compiled and per-patient adaptive
    (a negative ``multiplier_limit`` makes every step whose factorisation has a multiplier pivot: for tests)."""
    model = fast.compiled.model
    times = np.asarray(times, float)
    events = dose_events(model, P, dose_times, dose_amounts).within(times[0], times[-1])
    stops, tol_factor = relaxed_stops(np.unique(np.concatenate([times, events.times])), times, relaxed)
    out_index = np.full(len(stops), -1, dtype=np.int64)
    out_index[np.searchsorted(stops, times)] = np.arange(len(times))
    n = P.shape[1]
    out = np.full((n, len(times), len(model.states)), np.nan)
    status = np.zeros(n, dtype=np.int64)
    steps = np.zeros(n, dtype=np.int64)
    rejected = np.zeros(n, dtype=np.int64)
    fast.solve(
        np.ascontiguousarray(P.T, dtype=float),
        np.ascontiguousarray(y0.T, dtype=float),
        stops,
        tol_factor,
        out_index,
        events.at(stops),
        events.rows,
        events.increments,
        tol.rtol,
        tol.absolute(fast.compiled),
        max_steps,
        h0,
        h_later,
        out,
        status,
        steps,
        rejected,
        multiplier_limit,
    )
    return Trajectory(
        times=times,
        states=np.transpose(out, (1, 2, 0)),
        ok=status == 0,
        message=tuple(STATUS[int(s)] for s in status),
        steps=steps,
        rejected=rejected,
    )


def steady_state_fast(
    fast: FastModel,
    P: np.ndarray,
    y0: np.ndarray,
    t: float,
    rate_limit: float = STEADY_RATE_LIMIT,
    max_iter: int = STEADY_MAX_ITER,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Steady states ``(n_states, n)`` of the model at time ``t`` reached from ``y0`` by pseudo-transient
    continuation, whether each converged (every state's relative rate below ``rate_limit`` per day, with the
    absolute floor of the default tolerances), and the iterations each took. The exactly integrated part is held
    at ``y0``: it has no steady state of its own to find in the drug-free model, where it is empty."""
    model = fast.compiled.model
    n = P.shape[1]
    out = np.empty((n, len(model.states)))
    status = np.zeros(n, dtype=np.int64)
    iterations = np.zeros(n, dtype=np.int64)
    fast.steady(
        np.ascontiguousarray(P.T, dtype=float),
        np.ascontiguousarray(y0.T, dtype=float),
        float(t),
        DEFAULT_TOLERANCES.absolute(fast.compiled),
        STEADY_FIRST_STEP,
        rate_limit,
        max_iter,
        out,
        status,
        iterations,
        MULTIPLIER_LIMIT,
    )
    return out.T, status == 0, iterations
