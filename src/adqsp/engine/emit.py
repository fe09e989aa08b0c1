"""LLVM IR of a model's generated functions, written by this package instead of numba.

The model's own functions (``consts``, ``rhs``, ``jac``, ``lin``, ``feed`` and the sparse LU's ``w_assemble``,
``w_factor``, ``w_solve``: see ``engine/generate.py``) are straight-line scalar code, thousands of lines long, in a
small subset of Python: assignments to names and to array elements at constant indices, the four arithmetic operators
and ``**``, comparisons, conditional expressions, ``max``, ``min``, ``abs``, the ``math`` functions of the expression
language, calls of the generated module's own functions (``engine/mathlib.py``: ``_exp``, ``_sin``, ``_cos``,
``_pow``, which are written in the same subset, returning a value, and use three exact primitives), and
``if not <test>: return False``. numba compiles that subset through its general type inference and lowering, about
25 s per model on one core; this module translates it to LLVM IR directly (``engine/native.py`` compiles it).

The translation keeps Python's arithmetic: IEEE double operations without fast-math flags (so none is fused), in the
source's order; ``max(a, b)`` is ``b if b > a else a`` and ``min(a, b)`` ``b if b < a else a`` (Python's and numba's
rule, NaN included); ``abs`` is ``llvm.fabs``; ``math.exp``, ``sin``, ``cos``, ``log`` and ``sqrt`` and ``**`` are
LLVM's intrinsics, which call the C library as numba's do, and ``tanh`` is the C library's; the module's own functions
are inlined; a conditional expression computes only the side taken; a division by zero gives inf or NaN, as numba's
numpy error model does. The source run by Python gives the same numbers bit for bit.

Each function can also be translated for ``lanes`` patients at once (:func:`module_ir`'s ``lanes``; named
``<name>_lanes``): every value a vector of ``lanes`` doubles, one patient per element, and every argument, the scalar
ones too, an array whose element ``[..., j]`` is patient ``j``'s (the function's own array shape with the lanes
last). Each lane computes what the scalar function computes for its patient, operation for operation, so the results
are the same bit for bit: the module's own functions on vectors, the C library's called lane by lane; a conditional
expression selects per lane, a side that calls a function (not ``max``, ``min``, ``abs`` or a primitive) computed
only where some lane takes it; and ``if not <test>: return False`` clears the failing lanes' bits in the returned mask
(bit ``j`` set: lane ``j`` passed every test) instead of returning.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from llvmlite import ir

DOUBLE = ir.DoubleType()
BOOL = ir.IntType(1)
BYTE = ir.IntType(8)
_FLOAT_OPS = {ast.Add: "fadd", ast.Sub: "fsub", ast.Mult: "fmul", ast.Div: "fdiv"}
_COMPARE = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
_MATH = {"exp": "llvm.exp", "log": "llvm.log", "sin": "llvm.sin", "cos": "llvm.cos", "sqrt": "llvm.sqrt"}
#: math functions LLVM has no intrinsic for: called in the C library, as numba calls them
_LIBM = ("tanh",)
#: intrinsics that are exact IEEE operations (the same bits on vectors as on scalars)
_EXACT = ("llvm.fabs", "llvm.sqrt", "llvm.floor")
_CONSTANTS = {"inf": math.inf, "nan": math.nan, "pi": math.pi, "e": math.e}


@dataclass(frozen=True)
class Signature:
    """A generated function's arguments in order: a scalar double (shape ``None``) or a C-contiguous double array
    of the given shape, passed as a pointer to its first element; ``returns_bool``: returns an ``i8`` 0 or 1
    (``w_factor``), otherwise nothing."""

    args: tuple[tuple[str, tuple[int, ...] | None], ...]
    returns_bool: bool = False


class UnsupportedSource(ValueError):
    """The generated source uses Python this translation does not know (a generator change it must follow)."""


#: the suffix of a function's translation for lanes
LANES_SUFFIX = "_lanes"


def module_ir(
    tree: ast.Module,
    functions: Mapping[str, Signature],
    name: str = "model",
    lanes: int = 0,
    laned: Mapping[str, Signature] | None = None,
) -> ir.Module:
    """An LLVM module defining each function ``name -> signature`` of the parsed generated source ``tree`` with
    external linkage and the C calling convention, and each of ``laned`` for ``lanes`` patients at once
    (``<name>_lanes``, see the module's docstring)."""
    laned = laned or {}
    if laned and not 2 <= lanes <= 8:
        raise ValueError(f"lanes must be 2 to 8 (a lane mask fits a byte), got {lanes}")
    module = ir.Module(name=name)
    defs = {s.name: s for s in tree.body if isinstance(s, ast.FunctionDef)}
    for fname in [*functions, *laned]:
        if fname not in defs:
            raise UnsupportedSource(f"the generated source has no function {fname!r}")
    own = {n: d for n, d in defs.items() if n not in functions and n not in laned and n not in _PRIMITIVES}
    library = _Library(module, own, lanes)
    for fname, signature in functions.items():
        _Function(module, defs[fname], signature, library).emit()
    for fname, signature in laned.items():
        _LaneFunction(module, defs[fname], signature, library).emit()
    return module


#: the generated module's primitives (``engine/mathlib.py``), translated as exact operations
_PRIMITIVES = ("_floor", "_exponent", "_scale2")
#: calls translated to a few exact operations (on lanes a conditional side with only these is not worth a branch)
_OPERATIONS = ("max", "min", "abs", *_PRIMITIVES)


class _Library:
    """The generated module's own functions that its functions call (``engine/mathlib.py``'s ``_exp`` to ``_pow``):
    each translated once per module, for scalars or for lanes, as an internal function that LLVM inlines."""

    def __init__(self, module: ir.Module, defs: Mapping[str, ast.FunctionDef], lanes: int) -> None:
        self.module, self.defs, self.lanes = module, defs, lanes
        self.made: dict[tuple[str, bool], ir.Function] = {}

    def function(self, name: str, on_lanes: bool) -> ir.Function:
        key = (name, on_lanes)
        if key not in self.made:
            node = self.defs[name]
            signature = Signature(tuple((a.arg, None) for a in node.args.args))
            if on_lanes:
                helper: _Function = _LaneFunction(self.module, node, signature, self, helper=True)
            else:
                helper = _Function(self.module, node, signature, self, helper=True)
            self.made[key] = helper.fn  # before its body: a function it calls is made meanwhile
            helper.emit()
        return self.made[key]


class _Function:
    """One generated function's translation: its arguments, local names and the builder."""

    #: the type of a value, and of a truth value
    real_type: ir.Type = DOUBLE
    truth_type: ir.Type = BOOL

    def __init__(
        self,
        module: ir.Module,
        node: ast.FunctionDef,
        signature: Signature,
        library: _Library,
        name: str = "",
        helper: bool = False,
    ):
        names = [a.arg for a in node.args.args]
        if names != [name for name, _ in signature.args]:
            raise UnsupportedSource(f"{node.name}: arguments {names}, signature {[n for n, _ in signature.args]}")
        types = [self.real_type if shape is None else DOUBLE.as_pointer() for _, shape in signature.args]
        returns = self.real_type if helper else BYTE if signature.returns_bool else ir.VoidType()
        self.fn = ir.Function(module, ir.FunctionType(returns, types), name=name or node.name)
        if helper:  # one of the module's own functions (a value in, a value out): inlined where it is called
            self.fn.linkage = "internal"
            self.fn.attributes.add("alwaysinline")
        self.node, self.module, self.library, self.helper = node, module, library, helper
        self.shapes = {name: shape for name, shape in signature.args if shape is not None}
        self.values: dict[str, ir.Value] = {}  # the scalar arguments and local names
        self.pointers: dict[str, ir.Argument] = {}  # the array arguments
        #: each call computed so far on every path to here, by its text (a repeated ``_pow`` or ``_exp`` of the
        #: same local names is computed once: the same numbers, less work)
        self.computed: dict[str, ir.Value] = {}
        for (name, shape), arg in zip(signature.args, self.fn.args, strict=True):
            arg.name = name
            if shape is None:
                self.values[name] = arg
            else:
                arg.add_attribute("noalias")  # the kernels never pass one array twice
                self.pointers[name] = arg
        self.builder = ir.IRBuilder(self.fn.append_basic_block("entry"))

    def constant(self, value: float) -> ir.Value:
        return DOUBLE(value)

    def math(self, name: str, args: list[ir.Value]) -> ir.Value:
        """LLVM's intrinsic ``name`` (e.g. ``llvm.pow``) of ``args``."""
        return self.builder.call(self.module.declare_intrinsic(name, [DOUBLE]), args)

    def emit(self) -> None:
        body = self.node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]  # a docstring
        for statement in body:
            self.statement(statement)
        if not self.builder.block.is_terminated:
            self._return(None)

    # statements
    def statement(self, s: ast.stmt) -> None:
        if isinstance(s, ast.Assign) and len(s.targets) == 1:
            self.store(s.targets[0], self.expression(s.value))
        elif isinstance(s, ast.AugAssign):
            current = self.expression(s.target)  # read as an expression: the context is not looked at
            self.store(s.target, self.binary(s.op, current, self.expression(s.value)))
        elif isinstance(s, ast.Return):
            self._return(s.value)
        elif isinstance(s, ast.If) and not s.orelse and len(s.body) == 1 and isinstance(s.body[0], ast.Return):
            exit_block = self.fn.append_basic_block()
            go_on = self.fn.append_basic_block()
            self.builder.cbranch(self.truth(self.expression(s.test)), exit_block, go_on)
            self.builder.position_at_end(exit_block)
            self._return(s.body[0].value)
            self.builder.position_at_end(go_on)
        else:
            raise UnsupportedSource(f"{self.node.name}: statement {ast.unparse(s)!r}")

    def _return(self, value: ast.expr | None) -> None:
        if self.helper:
            if value is None:
                raise UnsupportedSource(f"{self.node.name}: a bare return in a function returning a value")
            self.builder.ret(self.real(self.expression(value)))
        elif self.fn.function_type.return_type == BYTE:
            if value is None:
                raise UnsupportedSource(f"{self.node.name}: a bare return in a function returning a bool")
            self.builder.ret(self.builder.zext(self.truth(self.expression(value)), BYTE))
        elif value is None or (isinstance(value, ast.Constant) and value.value is None):
            self.builder.ret_void()
        else:
            raise UnsupportedSource(f"{self.node.name}: returns a value")

    def store(self, target: ast.expr, value: ir.Value) -> None:
        if isinstance(target, ast.Name):
            if target.id in self.values:  # a name assigned again: a call of it computed before is another number
                self.computed.clear()
            self.values[target.id] = value
        elif isinstance(target, ast.Subscript):
            self.builder.store(self.real(value), self.element(target), align=8)
        else:
            raise UnsupportedSource(f"{self.node.name}: assignment to {ast.unparse(target)!r}")

    def element(self, node: ast.Subscript) -> ir.Value:
        """The pointer to ``array[i]`` or ``array[i, j]``."""
        flat = self.flat_index(node)  # checks the array and the indices
        return self.builder.gep(self.pointers[node.value.id], [ir.IntType(64)(flat)], inbounds=True)

    def flat_index(self, node: ast.Subscript) -> int:
        """The position of ``array[i]`` or ``array[i, j]`` in its array (constant indices, row-major)."""
        if not isinstance(node.value, ast.Name) or node.value.id not in self.pointers:
            raise UnsupportedSource(f"{self.node.name}: subscript of {ast.unparse(node.value)!r}")
        name = node.value.id
        shape = self.shapes[name]
        index = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if len(index) != len(shape) or not all(isinstance(i, ast.Constant) for i in index):
            raise UnsupportedSource(f"{self.node.name}: index {ast.unparse(node)!r}")
        flat = 0
        for i, n in zip((i.value for i in index), shape, strict=True):
            if not 0 <= i < n:
                raise UnsupportedSource(f"{self.node.name}: {ast.unparse(node)} outside shape {shape}")
            flat = flat * n + i
        return flat

    # expressions
    def expression(self, e: ast.expr) -> ir.Value:
        b = self.builder
        if isinstance(e, ast.Constant):
            if isinstance(e.value, bool):
                return self.truth_constant(e.value)
            if isinstance(e.value, int | float):
                return self.constant(float(e.value))
        elif isinstance(e, ast.Name) and e.id in self.values:
            return self.values[e.id]
        elif isinstance(e, ast.Attribute) and isinstance(e.value, ast.Name) and e.attr in _CONSTANTS:
            return self.constant(_CONSTANTS[e.attr])
        elif isinstance(e, ast.Subscript):
            return self.load(e)
        elif isinstance(e, ast.BinOp):
            return self.binary(e.op, self.expression(e.left), self.expression(e.right))
        elif isinstance(e, ast.UnaryOp):
            operand = self.expression(e.operand)
            if isinstance(e.op, ast.USub):
                return b.fneg(self.real(operand))
            if isinstance(e.op, ast.UAdd):
                return self.real(operand)
            if isinstance(e.op, ast.Not):
                return b.not_(self.truth(operand))
        elif isinstance(e, ast.Compare):
            return self.compare(e)
        elif isinstance(e, ast.IfExp):
            return self.conditional(e)
        elif isinstance(e, ast.Call) and not e.keywords:
            return self.call(e)
        raise UnsupportedSource(f"{self.node.name}: expression {ast.unparse(e)!r}")

    def conditional(self, e: ast.IfExp) -> ir.Value:
        """``a if test else b`` as a branch: only the side taken is computed (LLVM turns cheap sides into a select)."""
        b = self.builder
        test = self.truth(self.expression(e.test))
        taken, other, merge = (self.fn.append_basic_block() for _ in range(3))
        b.cbranch(test, taken, other)
        values = []
        before = self.computed
        for block, side in ((taken, e.body), (other, e.orelse)):
            self.computed = dict(before)  # what one side computes is not computed on the other's path
            b.position_at_end(block)
            values.append((self.real(self.expression(side)), b.block))
            b.branch(merge)
        self.computed = before
        b.position_at_end(merge)
        phi = b.phi(self.real_type)
        for value, block in values:
            phi.add_incoming(value, block)
        return phi

    def binary(self, op: ast.operator, left: ir.Value, right: ir.Value) -> ir.Value:
        if isinstance(op, ast.BitAnd) and left.type == self.truth_type and right.type == self.truth_type:
            return self.builder.and_(left, right)
        if isinstance(op, ast.BitOr) and left.type == self.truth_type and right.type == self.truth_type:
            return self.builder.or_(left, right)
        if type(op) in _FLOAT_OPS:
            return getattr(self.builder, _FLOAT_OPS[type(op)])(self.real(left), self.real(right))
        if isinstance(op, ast.Pow):  # a constant exponent, as numba lowers float ** float
            return self.math("llvm.pow", [self.real(left), self.real(right)])
        raise UnsupportedSource(f"{self.node.name}: operator {type(op).__name__}")

    def compare(self, e: ast.Compare) -> ir.Value:
        """A chain ``a < b <= c``: each operand computed once, the comparisons and-ed (ordered, so false with NaN;
        ``!=`` unordered, true with NaN)."""
        result = None
        left = self.real(self.expression(e.left))
        for op, node in zip(e.ops, e.comparators, strict=True):
            right = self.real(self.expression(node))
            if type(op) not in _COMPARE:
                raise UnsupportedSource(f"{self.node.name}: comparison {type(op).__name__}")
            symbol = _COMPARE[type(op)]
            if symbol == "!=":
                this = self.builder.fcmp_unordered(symbol, left, right)
            else:
                this = self.builder.fcmp_ordered(symbol, left, right)
            result = this if result is None else self.builder.and_(result, this)
            left = right
        return result

    def call(self, e: ast.Call) -> ir.Value:
        """A call of the expression language, computed once per text where it reads local names only."""
        text = ast.unparse(e)
        if text not in self.computed:
            value = self._call(e)
            if not any(isinstance(node, ast.Subscript) for node in ast.walk(e)):  # an array element may be written
                self.computed[text] = value
            return value
        return self.computed[text]

    def _call(self, e: ast.Call) -> ir.Value:
        b = self.builder
        args = [self.real(self.expression(a)) for a in e.args]
        func = ast.unparse(e.func)
        if func in ("max", "min") and len(args) >= 2:
            symbol = ">" if func == "max" else "<"
            acc = args[0]
            for v in args[1:]:
                acc = b.select(b.fcmp_ordered(symbol, v, acc), v, acc)
            return acc
        if func == "abs" and len(args) == 1:
            return self.math("llvm.fabs", args)
        if func == "_floor" and len(args) == 1:
            return self.math("llvm.floor", args)
        if func == "_exponent" and len(args) == 1:
            return self.exponent(args[0])
        if func == "_scale2" and len(args) == 2:
            return self.scale2(*args)
        if func in self.library.defs:
            node = self.library.defs[func]
            if len(args) != len(node.args.args):
                raise UnsupportedSource(f"{self.node.name}: call {ast.unparse(e)!r}")
            return b.call(self.library.function(func, self.real_type != DOUBLE), args)
        name = func.split(".", 1)[-1]
        if func.startswith(("_m.", "math.")) and name in _MATH and len(args) == 1:
            return self.math(_MATH[name], args)
        if func.startswith(("_m.", "math.")) and name in _LIBM and len(args) == 1:  # no intrinsic: the C library's
            return self.libm(name, args[0])
        raise UnsupportedSource(f"{self.node.name}: call {ast.unparse(e)!r}")

    @property
    def int_type(self) -> ir.Type:
        """The integer of a value's bits."""
        return ir.IntType(64)

    def int_constant(self, value: int) -> ir.Value:
        return ir.IntType(64)(value)

    def exponent(self, x: ir.Value) -> ir.Value:
        """``_exponent(x)``: the biased exponent field of a positive normal ``x`` less 1023, as a double."""
        b = self.builder
        field = b.and_(b.lshr(b.bitcast(x, self.int_type), self.int_constant(52)), self.int_constant(0x7FF))
        return b.sitofp(b.sub(field, self.int_constant(1023)), self.real_type)

    def scale2(self, x: ir.Value, k: ir.Value) -> ir.Value:
        """``_scale2(x, k)``: ``x`` times the double ``2^k`` made from its bits (``k`` an integer, -1022 to 1023)."""
        b = self.builder
        field = b.add(b.fptosi(k, self.int_type), self.int_constant(1023))
        return b.fmul(x, b.bitcast(b.shl(field, self.int_constant(52)), self.real_type))

    def libm(self, name: str, x: ir.Value) -> ir.Value:
        """The C library's ``name(x)``."""
        libm = self.module.globals.get(name) or ir.Function(self.module, ir.FunctionType(DOUBLE, [DOUBLE]), name)
        return self.builder.call(libm, [x])

    def truth_constant(self, value: bool) -> ir.Value:
        return BOOL(int(value))

    def load(self, node: ast.Subscript) -> ir.Value:
        return self.builder.load(self.element(node), align=8)

    def real(self, value: ir.Value) -> ir.Value:
        if value.type == self.real_type:
            return value
        if value.type == self.truth_type:
            return self.builder.uitofp(value, self.real_type)
        raise UnsupportedSource(f"{self.node.name}: a value of type {value.type}")

    def truth(self, value: ir.Value) -> ir.Value:
        if value.type == self.truth_type:
            return value
        return self.builder.fcmp_unordered("!=", value, self.constant(0.0))


class _LaneFunction(_Function):
    """A function's translation for ``lanes`` patients at once, named ``<name>_lanes`` (the module's docstring)."""

    def __init__(
        self, module: ir.Module, node: ast.FunctionDef, signature: Signature, library: _Library, helper: bool = False
    ):
        self.lanes = lanes = library.lanes
        self.real_type = ir.VectorType(DOUBLE, lanes)
        self.truth_type = ir.VectorType(BOOL, lanes)
        #: the lanes that passed every ``if not <test>: return False`` so far (None: no test yet)
        self.passed: ir.Value | None = None
        if helper:  # vectors in, a vector out
            super().__init__(module, node, signature, library, name=node.name + LANES_SUFFIX, helper=True)
            return
        arrays = tuple((n, () if shape is None else shape) for n, shape in signature.args)  # scalars: one per lane
        arrays = Signature(arrays, signature.returns_bool)
        super().__init__(module, node, arrays, library, name=node.name + LANES_SUFFIX)
        for name, shape in signature.args:
            if shape is None:  # a scalar: one value per lane
                self.values[name] = self.builder.load(self._vector_pointer(self.pointers[name], 0), align=8)

    @property
    def int_type(self) -> ir.Type:
        return ir.VectorType(ir.IntType(64), self.lanes)

    def int_constant(self, value: int) -> ir.Value:
        return ir.Constant(self.int_type, [value] * self.lanes)

    def _vector_pointer(self, array: ir.Value, flat: int) -> ir.Value:
        element = self.builder.gep(array, [ir.IntType(64)(flat * self.lanes)], inbounds=True)
        return self.builder.bitcast(element, self.real_type.as_pointer())

    def element(self, node: ast.Subscript) -> ir.Value:
        """The pointer to the lanes of ``array[i]`` or ``array[i, j]``."""
        flat = self.flat_index(node)
        return self._vector_pointer(self.pointers[node.value.id], flat)

    def constant(self, value: float) -> ir.Value:
        return ir.Constant(self.real_type, [value] * self.lanes)

    def truth_constant(self, value: bool) -> ir.Value:
        return ir.Constant(self.truth_type, [int(value)] * self.lanes)

    def math(self, name: str, args: list[ir.Value]) -> ir.Value:
        """LLVM's intrinsic ``name`` per lane: ``fabs``, ``sqrt`` and ``floor`` on the vector (exact operations), the
        others (``exp``, ``log``, ``sin``, ``cos``, ``pow``) called lane by lane on the scalar intrinsic, so that each
        lane calls the C library's function whatever vector library LLVM is set up with (numba may set SVML's)."""
        b = self.builder
        if name in _EXACT:
            full = f"{name}.v{self.lanes}f64"
            function_type = ir.FunctionType(self.real_type, [self.real_type] * len(args))
            return b.call(self.module.globals.get(full) or ir.Function(self.module, function_type, full), args)
        scalar = self.module.declare_intrinsic(name, [DOUBLE])
        return self._per_lane(lambda *lane: b.call(scalar, list(lane)), args)

    def _per_lane(self, scalar: Callable[..., ir.Value], args: list[ir.Value]) -> ir.Value:
        """``scalar`` applied to each lane of ``args``, the results gathered into a vector."""
        b = self.builder
        out = self.constant(0.0)
        for j in range(self.lanes):
            lane = ir.IntType(32)(j)
            out = b.insert_element(out, scalar(*(b.extract_element(a, lane) for a in args)), lane)
        return out

    def statement(self, s: ast.stmt) -> None:
        if isinstance(s, ast.If) and not s.orelse and len(s.body) == 1 and isinstance(s.body[0], ast.Return):
            if not (isinstance(s.body[0].value, ast.Constant) and s.body[0].value.value is False):
                raise UnsupportedSource(f"{self.node.name}: {ast.unparse(s)!r} (for lanes only a return False)")
            passing = self.builder.not_(self.truth(self.expression(s.test)))
            self.passed = passing if self.passed is None else self.builder.and_(self.passed, passing)
        else:
            super().statement(s)

    def _return(self, value: ast.expr | None) -> None:
        if self.fn.function_type.return_type != BYTE:
            super()._return(value)
            return
        if value is None:
            raise UnsupportedSource(f"{self.node.name}: a bare return in a function returning a bool")
        passed = self.truth(self.expression(value))
        if self.passed is not None:
            passed = self.builder.and_(self.passed, passed)
        bits = self.builder.bitcast(passed, ir.IntType(self.lanes))
        self.builder.ret(bits if self.lanes == 8 else self.builder.zext(bits, BYTE))

    def conditional(self, e: ast.IfExp) -> ir.Value:
        """``a if test else b`` per lane: the side of each lane selected; a side that calls a function (more than
        :data:`_OPERATIONS`) is computed only where some lane takes it (the other lanes' values of it are not read)."""
        b = self.builder
        test = self.truth(self.expression(e.test))
        sides = []
        for side, taken in ((e.body, test), (e.orelse, b.not_(test))):
            calls = {ast.unparse(node.func) for node in ast.walk(side) if isinstance(node, ast.Call)}
            if calls <= set(_OPERATIONS):
                sides.append(self.real(self.expression(side)))
                continue
            some = b.icmp_unsigned("!=", b.bitcast(taken, ir.IntType(self.lanes)), ir.IntType(self.lanes)(0))
            before, start = self.computed, b.block
            self.computed = dict(before)  # what the side computes is not computed on the path around it
            with b.if_then(some):
                value, end = self.real(self.expression(side)), b.block
            self.computed = before
            phi = b.phi(self.real_type)
            phi.add_incoming(value, end)
            phi.add_incoming(self.constant(0.0), start)
            sides.append(phi)
        return b.select(test, *sides)

    def libm(self, name: str, x: ir.Value) -> ir.Value:
        """The C library's ``name`` lane by lane."""
        scalar = super().libm
        return self._per_lane(lambda lane: scalar(name, lane), [x])
