"""Forward-mode automatic differentiation: dual numbers, the chain rule read from the inputs to the output.

A ``Dual`` carries two arrays of the same shape: a value ``a`` and a tangent ``a_dot`` = da/dt, the derivative of
that value along one chosen direction of the inputs. Written as a dual number, a + a_dot * eps with eps^2 = 0, the
rules below are ordinary algebra:

    (a + a_dot eps)(b + b_dot eps) = ab + (a_dot b + a b_dot) eps      (the eps^2 term vanishes)
    f(a + a_dot eps)               = f(a) + f'(a) a_dot eps          (Taylor: every higher power of eps is zero)

so every operation computes its value and, next to it, its tangent by the chain rule. One pass through a function
f: R^n -> R^m started from the tangent v gives f(x) and the Jacobian-vector product J(x) v (a "JVP"); a whole
gradient of a scalar function of n inputs needs n passes, one per input direction. Reverse mode
(``backprop.autodiff.tensor``) gets the gradient in one backward pass instead; forward mode wins when there are few
inputs and many outputs, and it stores no graph.

The operations and their checks mirror ``Tensor``'s, so the book's networks (``backprop.autodiff.networks``) run
unchanged on Duals.
"""

from __future__ import annotations

import numbers

import numpy as np

from backprop.activations import sigmoid as _stable_sigmoid


def _finite_array(data, what: str) -> np.ndarray:
    if isinstance(data, Dual):
        raise ValueError(f"{what} is already a Dual; use it directly, or pass d.value for a new one.")
    try:
        array = np.array(data, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} must be a number or an array of numbers; got {type(data).__name__}. "
                         "Pass e.g. 0.5 or np.array([[1.0, 2.0]]).") from exc
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{what} must be finite; got {array.tolist()}. Replace NaN or infinity first.")
    return array


class Dual:
    """A dual number value + tangent * eps (eps^2 = 0), element-wise over arrays of one shape.

    Parameters
    ----------
    value : number or array-like of finite numbers, the point.
    tangent : number or array of the same shape, the derivative of ``value`` along the chosen direction; the default
        0 makes a constant (data, or an input that is not being varied).
    """

    __array_ufunc__ = None  # make ``ndarray * Dual`` call Dual.__rmul__ instead of NumPy looping over elements

    def __init__(self, value, tangent=0.0):
        value = _finite_array(value, "Dual value")
        tangent = _finite_array(tangent, "Dual tangent")
        if tangent.shape != value.shape:
            if tangent.ndim != 0:
                raise ValueError(f"the tangent must have the value's shape {value.shape}; got {tangent.shape}. "
                                 "Pass one derivative per entry of the value (or a single number for all).")
            tangent = np.full(value.shape, float(tangent))
        self.value, self.tangent = value, tangent

    @classmethod
    def _make(cls, value, tangent) -> Dual:
        """A result of an operation: arrays already checked, the tangent broadcast to the value's shape."""
        node = cls.__new__(cls)
        node.value = np.asarray(value, dtype=np.float64)
        node.tangent = np.broadcast_to(np.asarray(tangent, dtype=np.float64), node.value.shape)
        return node

    @staticmethod
    def _lift(other) -> Dual:
        if isinstance(other, Dual):
            return other
        if isinstance(other, (numbers.Real, np.ndarray, list, tuple)) and not isinstance(other, bool):
            return Dual(other)
        raise ValueError(f"cannot combine a Dual with {type(other).__name__}; use a number, an array or a Dual.")

    # ---------------------------------------------------------------- basics
    @property
    def shape(self) -> tuple:
        return self.value.shape

    @property
    def ndim(self) -> int:
        return self.value.ndim

    def item(self) -> float:
        """The value as a Python float (for a single number)."""
        if self.value.size != 1:
            raise ValueError(f"item() needs a single number; this Dual has shape {self.shape}. Use .value instead.")
        return float(self.value.reshape(()))

    def __repr__(self) -> str:
        return (f"Dual({np.array2string(self.value, precision=4)} + "
                f"{np.array2string(self.tangent, precision=4)} eps)")

    # ---------------------------------------------------------------- arithmetic: value, then tangent
    def __add__(self, other):
        other = Dual._lift(other)
        return Dual._make(self.value + other.value, self.tangent + other.tangent)       # (a + b)' = a' + b'

    def __sub__(self, other):
        other = Dual._lift(other)
        return Dual._make(self.value - other.value, self.tangent - other.tangent)

    def __neg__(self):
        return Dual._make(-self.value, -self.tangent)

    def __mul__(self, other):
        other = Dual._lift(other)
        a, b = self.value, other.value
        return Dual._make(a * b, self.tangent * b + a * other.tangent)                  # (ab)' = a'b + ab'

    def __truediv__(self, other):
        other = Dual._lift(other)
        a, b = self.value, other.value
        if np.any(b == 0):
            raise ValueError("division by a Dual that holds zeros; the quotient and its derivative are undefined.")
        return Dual._make(a / b, (self.tangent * b - a * other.tangent) / (b * b))      # (a/b)' = (a'b - ab')/b^2

    def __pow__(self, exponent):
        if isinstance(exponent, Dual) or not isinstance(exponent, numbers.Real) or isinstance(exponent, bool):
            raise ValueError(f"the exponent must be a constant number; got {type(exponent).__name__}. For a "
                             "variable exponent write (b * a.log()).exp() for a ** b.")
        p, a = float(exponent), self.value
        if not p.is_integer() and np.any(a < 0):
            raise ValueError(f"a ** {p} with a non-integer power needs a >= 0; the base holds negative numbers.")
        if p < 1 and np.any(a == 0):
            raise ValueError(f"a ** {p} and its derivative are not finite at a = 0; the base holds zeros.")
        return Dual._make(a ** p, p * a ** (p - 1) * self.tangent)                      # (a^p)' = p a^(p-1) a'

    __radd__ = __add__
    __rmul__ = __mul__

    def __rsub__(self, other):
        return Dual._lift(other) - self

    def __rtruediv__(self, other):
        return Dual._lift(other) / self

    # ---------------------------------------------------------------- element-wise functions: f(a) + f'(a) a' eps
    def exp(self):
        if np.any(self.value > 709.0):
            raise ValueError("exp would overflow (an input above 709); rewrite the expression, e.g. with softplus.")
        e = np.exp(self.value)
        return Dual._make(e, e * self.tangent)

    def log(self):
        a = self.value
        if np.any(a <= 0):
            raise ValueError("log needs positive inputs; got zeros or negative numbers. For a cross-entropy, work "
                             "from the logits with softplus instead of taking log(sigmoid(z)).")
        return Dual._make(np.log(a), self.tangent / a)

    def tanh(self):
        t = np.tanh(self.value)
        return Dual._make(t, (1.0 - t * t) * self.tangent)

    def sigmoid(self):
        s = _stable_sigmoid(self.value)
        return Dual._make(s, s * (1.0 - s) * self.tangent)

    def relu(self):
        a = self.value
        return Dual._make(np.maximum(a, 0.0), (a > 0) * self.tangent)                   # slope 0 at a = 0

    def softplus(self):
        """log(1 + e^a), computed so it never overflows; its derivative is sigma(a)."""
        a = self.value
        value = np.maximum(a, 0.0) + np.log1p(np.exp(-np.abs(a)))
        return Dual._make(value, _stable_sigmoid(a) * self.tangent)

    # ---------------------------------------------------------------- linear algebra and reductions
    def __matmul__(self, other):
        other = Dual._lift(other)
        a, b = self.value, other.value
        if a.ndim != 2 or b.ndim != 2:
            raise ValueError(f"matmul needs two 2-D arrays; got shapes {a.shape} @ {b.shape}. Make a vector a column "
                             "with v.reshape(-1, 1) or a row with v.reshape(1, -1).")
        if a.shape[1] != b.shape[0]:
            raise ValueError(f"matmul shape mismatch: {a.shape} @ {b.shape}; the inner sizes {a.shape[1]} and "
                             f"{b.shape[0]} must be equal. Check the layer sizes, or transpose one operand (.T).")
        return Dual._make(a @ b, self.tangent @ b + a @ other.tangent)                  # (AB)' = A'B + AB'

    def __rmatmul__(self, other):
        return Dual._lift(other) @ self

    def sum(self, axis=None, keepdims: bool = False):
        return Dual._make(self.value.sum(axis=axis, keepdims=keepdims),
                          self.tangent.sum(axis=axis, keepdims=keepdims))

    def mean(self, axis=None, keepdims: bool = False):
        return Dual._make(self.value.mean(axis=axis, keepdims=keepdims),
                          self.tangent.mean(axis=axis, keepdims=keepdims))

    @property
    def T(self):
        return Dual._make(self.value.T, self.tangent.T)

    def reshape(self, *shape):
        return Dual._make(self.value.reshape(*shape), self.tangent.reshape(*shape))


# -------------------------------------------------------------------- functions of arrays
def _arrays(values, what: str) -> list:
    if isinstance(values, (list, tuple)):
        return [_finite_array(v, f"{what}[{i}]") for i, v in enumerate(values)]
    raise ValueError(f"{what} must be a list of arrays, one per argument of f; got {type(values).__name__}. "
                     f"Wrap a single array as [x].")


def _output(result, what: str) -> Dual:
    if isinstance(result, Dual):
        return result
    if hasattr(result, "tangent") or hasattr(result, "backward"):
        raise ValueError(f"{what} must return a Dual; got {type(result).__name__}.")
    return Dual(result)  # f ignored its inputs: a constant, whose derivative is zero


def jvp(f, primals, tangents) -> tuple:
    """One forward pass of ``f(*primals)`` with the inputs moving along ``tangents``.

    Parameters
    ----------
    f : callable taking one Dual per primal and returning a Dual (built only from Dual operations).
    primals : list of arrays, the point x = (x_1, ..., x_k).
    tangents : list of arrays of the same shapes, the direction v = (v_1, ..., v_k).

    Returns
    -------
    (value, derivative) : ndarrays, f(x) and the Jacobian-vector product J(x) v = d/dt f(x + t v) at t = 0.
    """
    _require_function(f)
    primals, tangents = _arrays(primals, "primals"), _arrays(tangents, "tangents")
    if len(primals) != len(tangents):
        raise ValueError(f"one tangent per primal is needed; got {len(primals)} primals and {len(tangents)} tangents.")
    for i, (x, v) in enumerate(zip(primals, tangents, strict=True)):
        if x.shape != v.shape:
            raise ValueError(f"tangents[{i}] must have the shape of primals[{i}], {x.shape}; got {v.shape}.")
    return _checked_jvp(f, primals, tangents)


def _require_function(f) -> None:
    if not callable(f):
        raise ValueError(f"f must be a function of Duals; got {type(f).__name__}. Pass the function itself.")


def _checked_jvp(f, primals, tangents) -> tuple:
    """``jvp`` on inputs already checked (so that n passes do not check the same inputs n times)."""
    out = _output(f(*(Dual._make(x, v) for x, v in zip(primals, tangents, strict=True))), "f")
    return np.array(out.value), np.array(out.tangent)


def forward_gradient(f, primals) -> list:
    """The gradient of a scalar ``f(*primals)`` by forward mode: one pass per input number, n passes in all.

    Pass i moves only input number i (the tangent is the unit vector e_i) and reads df/dx_i off the output's tangent.
    Returns a list of arrays, one per primal, of the primals' shapes (compare ``Tensor.backward``, one pass).
    """
    _require_function(f)
    primals = _arrays(primals, "primals")
    zeros = [np.zeros_like(x) for x in primals]
    gradients = [np.zeros_like(x) for x in primals]
    for k, x in enumerate(primals):
        for index in np.ndindex(x.shape):
            tangents = [z.copy() if j == k else z for j, z in enumerate(zeros)]
            tangents[k][index] = 1.0                                     # the unit vector e_i
            value, derivative = _checked_jvp(f, primals, tangents)
            if value.size != 1:
                raise ValueError(f"forward_gradient needs f to return a single number; got shape {value.shape}. "
                                 "For a vector output use jacobian.")
            gradients[k][index] = float(derivative.reshape(()))
    return gradients


def jacobian(f, x) -> np.ndarray:
    """The Jacobian of ``f`` at the array ``x`` by forward mode, one column per pass (x.size passes).

    Returns an array of shape ``f(x).shape + x.shape``: entry [i..., j...] is d f_i / d x_j.
    """
    _require_function(f)
    x = _finite_array(x, "x")
    columns = []
    for index in np.ndindex(x.shape):
        v = np.zeros_like(x)
        v[index] = 1.0
        columns.append(_checked_jvp(f, [x], [v])[1])
    return np.moveaxis(np.array(columns), 0, -1).reshape(columns[0].shape + x.shape)
