"""The generated sparse LU of the Rosenbrock matrix: elimination order, accuracy, refusal, and the pivoting fallback."""

import numpy as np

from adqsp.assembly import compiled
from adqsp.engine.cache import load as _load
from adqsp.engine.fast import fast_model, integrate_fast
from adqsp.engine.generate import generated_source
from adqsp.engine.sparse_lu import elimination_order, filled_pattern, sparse_lu_lines
from adqsp.population.sampling import sample
from adqsp.trial.run import enrolment_states


def _generated(pattern: np.ndarray):
    namespace: dict = {}
    lines = sparse_lu_lines(pattern, list(range(len(pattern))))
    exec("import math as _m\n" + "\n".join(lines), namespace)
    return namespace["w_factor"], namespace["w_solve"]


def test_markowitz_order_leaves_the_hub_of_an_arrow_to_the_end_and_creates_no_fill():
    arrow = np.eye(6, dtype=bool)
    arrow[0] = arrow[:, 0] = True
    order = elimination_order(arrow)
    assert 0 in order[-2:]
    assert (filled_pattern(arrow, order) == arrow).all()
    assert filled_pattern(arrow, list(range(6))).all()  # the declared order fills everything


def test_assembly_and_factorisation_solve_the_models_rosenbrock_matrices_like_a_dense_solver():
    c = compiled("dupilumab")
    fast = fast_model(c)
    module = _load(generated_source(c.model))  # the generated LU, run by Python
    n, other = len(c.model.states), fast.other
    rng = np.random.default_rng(3)
    P = c.parameter_matrix(sample(c.model, np.arange(5), seed=4).values, 5)
    for i in range(5):
        y = c.initial(P)[:, i] * (1.0 + rng.random(n)) + rng.random(n)
        f, J, ft = np.empty(n), np.zeros((n, n)), np.empty(n)
        fast.jac(rng.random() * 100.0, y, P[:, i], f, J, ft)
        for h in (1e-4, 1e-2, 1.0):
            W = np.eye(len(other)) / (0.5 * h) - J[np.ix_(other, other)]
            b = rng.normal(size=len(other))
            lu, x = np.full_like(W, np.nan), b.copy()  # entries outside the pattern stay NaN: never read
            module.w_assemble(lu, J, 1.0 / (0.5 * h))
            if module.w_factor(lu, 10.0):
                module.w_solve(lu, x)
                np.testing.assert_allclose(x, np.linalg.solve(W, b), rtol=1e-10, atol=1e-12 * np.abs(x).max())
            else:
                assert h == 1.0  # small steps: W is dominated by its diagonal and never needs pivoting


def test_a_zero_pivot_or_a_large_multiplier_is_refused():
    pattern = np.ones((2, 2), dtype=bool)
    w_factor, _ = _generated(pattern)
    assert not w_factor(np.array([[0.0, 1.0], [1.0, 0.0]]), 10.0)
    assert not w_factor(np.array([[1e-3, 1.0], [1.0, 1.0]]), 10.0)
    assert w_factor(np.array([[2.0, 1.0], [1.0, 2.0]]), 10.0)


def test_pivoting_every_step_gives_the_same_course():
    c = compiled(None)
    pop = sample(c.model, np.arange(20), seed=6)
    y, ok = enrolment_states(pop)
    P = c.parameter_matrix(pop.values, 20)
    times = np.array([0.0, 30.0, 120.0])
    fast = fast_model(c)
    sparse = integrate_fast(fast, P, y, times)
    pivoted = integrate_fast(fast, P, y, times, multiplier_limit=-1.0)
    assert sparse.ok.all() and pivoted.ok.all()
    np.testing.assert_allclose(sparse.states, pivoted.states, rtol=1e-8, atol=1e-12)
