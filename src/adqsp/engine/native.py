"""A model's generated functions as machine code: translated to LLVM IR (``engine/emit.py``), optimised at level 3
and compiled by LLVM (llvmlite, the library under numba) for this machine's processor, kept in the cache folder as
an object file and loaded from there by later processes. The solver's kernels call them by address
(``kernels/calls.py``).

One model compiles in about a second (numba took about 25 s for the same functions); the object file is named by
the digest of the generated source, of this package's code and of the machine (processor, its features, LLVM's
version), so a cache folder shared between machines or versions never hands one another's code. The functions for
lanes (``kernels.LANED``, for the solver on lanes) are a second object file, compiled when a population first needs
them (:meth:`NativeModel.with_lanes`): a lone patient's course needs only the first.
"""

from __future__ import annotations

import ast
import hashlib
import threading
from dataclasses import dataclass, field, replace

import llvmlite
import llvmlite.binding as llvm
import numpy as np

from adqsp.engine.cache import cache_dir, code_digest
from adqsp.engine.emit import LANES_SUFFIX, Signature, module_ir
from adqsp.engine.kernels import FUNCTIONS, LANED, LANES
from adqsp.files import write_atomic

#: LLVM's optimisation level for the generated functions (as numba's default)
OPT_LEVEL = 3


@dataclass(frozen=True)
class NativeModel:
    """A model's machine code: ``functions``, the addresses (int64) of its functions in the order of
    ``kernels/calls.py``; its number of patient constants; ``n_exact``: its first states, integrated exactly (the
    generator puts them first: ``engine/linear.py``); the indices (int64) of the states the exact part feeds
    (``fed``)."""

    functions: np.ndarray
    n_constants: int
    n_exact: int
    fed: np.ndarray
    #: the LLVM context and execution engine holding the code the addresses point into (kept with them)
    engine: object = field(default=None, compare=False, repr=False)
    #: the generated source, its number of states and of parameters (to compile the functions for lanes)
    spec: tuple[str, int, int] = field(default=("", 0, 0), compare=False, repr=False)

    def with_lanes(self) -> NativeModel:
        """This model with its functions for lanes too (their addresses in ``functions``; compiled, or loaded
        from the cache folder, on the first call)."""
        if self.functions[_FIRST_LANED:].all():
            return self
        laned = _engine(*self.spec, lanes=True)
        functions = np.concatenate([self.functions[:_FIRST_LANED], laned.functions[_FIRST_LANED:]])
        return replace(self, functions=functions, engine=(self.engine, laned.engine))


#: each loaded model (its engine kept for the process's life: a caller may hold its addresses)
_ENGINES: dict[str, NativeModel] = {}
#: one model loaded at a time (threads of the explorer may ask for the same model at once)
_LOADING = threading.Lock()


#: where the functions for lanes start in ``functions``
_FIRST_LANED = len(FUNCTIONS) - len(LANED)


def native_model(source: str, n_states: int, n_parameters: int) -> NativeModel:
    """The machine code of a generated source (``engine/generate.py``) for a model of ``n_states`` states and
    ``n_parameters`` parameters, without its functions for lanes (their addresses 0: :meth:`NativeModel.with_lanes`
    adds them): loaded from the cache folder, or compiled and kept there."""
    return _engine(source, n_states, n_parameters)


def _engine(source: str, n_states: int, n_parameters: int, lanes: bool = False) -> NativeModel:
    """The loaded code of a generated source's functions (or of its functions for lanes), once per process."""
    key = object_digest(source, lanes)
    with _LOADING:
        if key not in _ENGINES:
            _ENGINES[key] = _load(key, source, n_states, n_parameters, lanes)
    return _ENGINES[key]


def _load(key: str, source: str, n_states: int, n_parameters: int, lanes: bool = False) -> NativeModel:
    """The model's code (its functions, or, with ``lanes``, its functions for lanes) from the cache folder, or
    compiled and kept there, in an execution engine of its own (in an LLVM context of its own: LLVM's global one is
    numba's, which may be compiling in another thread)."""
    functions_start = source.find("\ndef ")  # the constants come before the functions (parsing all takes 0.1 s)
    layout = _layout(ast.parse(source if functions_start < 0 else source[:functions_start]))
    path = cache_dir() / f"native_{key}.o"
    context = llvm.create_context()
    every = signatures(n_states, n_parameters, layout)
    names = [f"{f}{LANES_SUFFIX}" for f in LANED] if lanes else FUNCTIONS[:_FIRST_LANED]
    if path.exists():
        code = path.read_bytes()
    else:
        laned = {f: every[f] for f in LANED} if lanes else {}
        code = compile_object(ast.parse(source), {} if lanes else every, context, laned)
        write_atomic(path, lambda tmp: tmp.write_bytes(code))
    engine = llvm.create_mcjit_compiler(llvm.parse_assembly("", context), _target_machine())  # owns the machine
    engine.add_object_file(llvm.ObjectFileRef.from_data(code))
    engine.finalize_object()
    addresses = np.array([engine.get_function_address(n) if n in names else 0 for n in FUNCTIONS], dtype=np.int64)
    if not all(addresses[FUNCTIONS.index(n)] for n in names):
        raise RuntimeError(f"object file {path} lacks a model function")
    fed = np.array(layout["FED"], dtype=np.int64)
    spec = (source, n_states, n_parameters)
    return NativeModel(addresses, layout["N_CONSTANTS"], layout["N_EXACT"], fed, engine=(context, engine), spec=spec)


def object_digest(source: str, lanes: bool = False) -> str:
    """Names a generated source's object file (of its functions, or of its functions for lanes): the source, this
    package's code (the translation's), the processor and its features, LLVM's version."""
    machine = "\n".join((llvm.get_process_triple(), llvm.get_host_cpu_name(), _features(), llvmlite.__version__))
    kind = f"lanes {LANES}" if lanes else "scalar"
    return hashlib.sha256(f"{code_digest()}\n{machine}\n{OPT_LEVEL}\n{kind}\n{source}".encode()).hexdigest()[:20]


def compile_object(
    tree: ast.Module, functions: dict[str, Signature], context=None, laned: dict[str, Signature] | None = None
) -> bytes:
    """The object code of the generated functions (and of ``laned`` for :data:`kernels.LANES` patients at once),
    optimised for this machine (``context``: the LLVM context to work in, by default a new one)."""
    text = str(module_ir(tree, functions, lanes=LANES, laned=laned))
    module = llvm.parse_assembly(text, context or llvm.create_context())
    module.verify()
    machine = _target_machine()
    builder = llvm.create_pass_builder(machine, llvm.create_pipeline_tuning_options(speed_level=OPT_LEVEL))
    builder.getModulePassManager().run(module, builder)
    return machine.emit_object(module)


def signatures(n_states: int, n_parameters: int, layout: dict) -> dict[str, Signature]:
    """Each generated function's arguments as the kernels pass them (``kernels/rosenbrock.py``): the parameters,
    constants, states and rates as vectors; the Jacobian ``(n_states, n_states)``; the exact part's augmented matrix
    ``(m + 1, m + 1)`` and feed coefficients ``(fed, m)``; the Rosenbrock matrix over the integrated states."""
    m, n_f = layout["N_EXACT"], len(layout["FED"])
    n_o = n_states - m
    y, p, c = ("_y", (n_states,)), ("_p", (n_parameters,)), ("_c", (layout["N_CONSTANTS"],))
    out, square = ("_out", (n_states,)), (n_states, n_states)
    return {
        "consts": Signature((p, c)),
        "rhs": Signature((("t", None), y, p, c, out)),
        "jac": Signature((("t", None), y, p, c, out, ("_J", square), ("_ft", (n_states,)))),
        "lin": Signature((p, ("_M", (m + 1, m + 1)))),
        "feed": Signature((p, ("_B", (n_f, m)))),
        "w_assemble": Signature((("w", (n_o, n_o)), ("dfdy", square), ("diagonal", None))),
        "w_factor": Signature((("w", (n_o, n_o)), ("limit", None)), returns_bool=True),
        "w_solve": Signature((("w", (n_o, n_o)), ("b", (n_o,)))),
    }


def _layout(tree: ast.Module) -> dict:
    """The generated module's constants (``N_CONSTANTS``, ``N_EXACT``, ``FED``)."""
    names = ("N_CONSTANTS", "N_EXACT", "FED")
    found = {
        s.targets[0].id: ast.literal_eval(s.value)
        for s in tree.body
        if isinstance(s, ast.Assign) and isinstance(s.targets[0], ast.Name) and s.targets[0].id in names
    }
    missing = [n for n in names if n not in found]
    if missing:
        raise ValueError(f"generated source lacks {', '.join(missing)}")
    return found


def _features() -> str:
    return llvm.get_host_cpu_features().flatten()


def _target_machine():
    """A new LLVM target machine for this processor (an execution engine takes ownership of the one it is given)."""
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    target = llvm.Target.from_triple(llvm.get_process_triple())
    return target.create_target_machine(cpu=llvm.get_host_cpu_name(), features=_features(), opt=OPT_LEVEL)
