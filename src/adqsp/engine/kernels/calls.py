"""Calls from the solver's kernels to a model's machine code (``engine/native.py``) by address.

A model's functions are compiled apart from the kernels, so the kernels are the same machine code for every model
and numba compiles them once. Each kernel takes the model's function addresses as an int64 array ``fns`` (in the
order of ``kernels.FUNCTIONS``) and calls through these intrinsics: an array argument is passed as the pointer to its
first element (the arrays must be C-contiguous float64), a float as a double. Signatures (arrays float64):

- ``consts(fns, p, c)``: the patient's constants into ``c``;
- ``rhs(fns, t, y, p, c, out)``: the rates into ``out``;
- ``jac(fns, t, y, p, c, out, J, ft)``: the rates, their Jacobian (structural nonzeros only) and time derivative;
- ``lin(fns, p, M)``: the augmented matrix of the exactly integrated part into ``M`` (zeroed);
- ``feed(fns, p, B)``: the coefficients of the exact states in the fed states' rates into ``B`` (zeroed);
- ``w_assemble(fns, w, dfdy, diagonal)``: ``W = diagonal I - J`` on the entries the sparse LU reads;
- ``w_factor(fns, w, limit)``: the sparse LU in place; False where a pivot or a multiplier is refused;
- ``w_solve(fns, w, b)``: ``b <- W^-1 b``;
- ``<name>_lanes`` (``kernels.LANED``): the same for ``kernels.LANES`` patients at once, every argument an array
  with the lanes last (``t`` and ``diagonal`` one value per lane); ``w_factor_lanes`` returns the mask of the lanes
  whose factorisation passed (bit ``j``: lane ``j``).
"""

from llvmlite import ir
from numba import types
from numba.core.errors import TypingError
from numba.extending import intrinsic

from adqsp.engine.kernels import FUNCTIONS

_I8 = ir.IntType(8)


def _signature(name: str, fns, args: tuple, returns):
    """The call's signature: ``fns`` a 1-D C-contiguous int64 array, each array argument a C-contiguous float64
    array, each other argument cast to float64."""
    if not (isinstance(fns, types.Array) and fns.ndim == 1 and fns.dtype == types.int64 and fns.layout == "C"):
        raise TypingError(f"{name}: fns must be a 1-D C-contiguous int64 array, got {fns}")
    typed = []
    for a in args:
        if isinstance(a, types.Array):
            if a.dtype != types.float64 or a.layout != "C":
                raise TypingError(f"{name}: arrays must be C-contiguous float64, got {a}")
            typed.append(a)
        else:
            typed.append(types.float64)
    return returns(fns, *typed)


def _codegen(name: str, returns: str = "void"):
    """Lowering of a call to the model's function ``name`` (its address at ``fns[FUNCTIONS.index(name)]``), which
    returns nothing, a ``bool`` (an ``i8`` 0 or 1) or a lane ``mask`` (an ``i8``, as an int64)."""
    slot = FUNCTIONS.index(name)

    def codegen(context, builder, signature, args):
        table = context.make_array(signature.args[0])(context, builder, value=args[0])
        address = builder.load(builder.gep(table.data, [ir.IntType(64)(slot)]))
        values = []
        for ty, value in zip(signature.args[1:], args[1:], strict=True):
            if isinstance(ty, types.Array):
                values.append(context.make_array(ty)(context, builder, value=value).data)
            else:
                values.append(value)
        returned = ir.VoidType() if returns == "void" else _I8
        pointer = builder.inttoptr(address, ir.FunctionType(returned, [v.type for v in values]).as_pointer())
        result = builder.call(pointer, values)
        if returns == "bool":
            return builder.icmp_unsigned("!=", result, _I8(0))
        if returns == "mask":
            return builder.zext(result, ir.IntType(64))
        return context.get_dummy_value()

    return codegen


@intrinsic
def consts(typingctx, fns, p, c):
    return _signature("consts", fns, (p, c), types.void), _codegen("consts")


@intrinsic
def rhs(typingctx, fns, t, y, p, c, out):
    return _signature("rhs", fns, (t, y, p, c, out), types.void), _codegen("rhs")


@intrinsic
def jac(typingctx, fns, t, y, p, c, out, J, ft):
    return _signature("jac", fns, (t, y, p, c, out, J, ft), types.void), _codegen("jac")


@intrinsic
def lin(typingctx, fns, p, M):
    return _signature("lin", fns, (p, M), types.void), _codegen("lin")


@intrinsic
def feed(typingctx, fns, p, B):
    return _signature("feed", fns, (p, B), types.void), _codegen("feed")


@intrinsic
def w_assemble(typingctx, fns, w, dfdy, diagonal):
    return _signature("w_assemble", fns, (w, dfdy, diagonal), types.void), _codegen("w_assemble")


@intrinsic
def w_factor(typingctx, fns, w, limit):
    return _signature("w_factor", fns, (w, limit), types.boolean), _codegen("w_factor", "bool")


@intrinsic
def w_solve(typingctx, fns, w, b):
    return _signature("w_solve", fns, (w, b), types.void), _codegen("w_solve")


@intrinsic
def rhs_lanes(typingctx, fns, t, y, p, c, out):
    return _signature("rhs_lanes", fns, (t, y, p, c, out), types.void), _codegen("rhs_lanes")


@intrinsic
def jac_lanes(typingctx, fns, t, y, p, c, out, J, ft):
    return _signature("jac_lanes", fns, (t, y, p, c, out, J, ft), types.void), _codegen("jac_lanes")


@intrinsic
def w_assemble_lanes(typingctx, fns, w, dfdy, diagonal):
    return _signature("w_assemble_lanes", fns, (w, dfdy, diagonal), types.void), _codegen("w_assemble_lanes")


@intrinsic
def w_factor_lanes(typingctx, fns, w, limit):
    return _signature("w_factor_lanes", fns, (w, limit), types.int64), _codegen("w_factor_lanes", "mask")


@intrinsic
def w_solve_lanes(typingctx, fns, w, b):
    return _signature("w_solve_lanes", fns, (w, b), types.void), _codegen("w_solve_lanes")
