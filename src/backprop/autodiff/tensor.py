"""Reverse-mode automatic differentiation: the chain rule of the earlier chapters, done by the computer.

A ``Tensor`` holds a float64 NumPy array (a number is a 0-d array) and remembers how it was made: the operation,
its parents, and for each parent a function that turns the gradient arriving at the result into the gradient for
that parent (a vector-Jacobian product, "VJP"). Each operation below is written as its forward rule followed by
its local derivatives, the pairs of the activation chapter. ``backward`` visits the graph in reverse topological
order, so every node has received the gradients of all its consumers before it passes its own on.

Semantics, the two usual surprises of such engines, decided here and tested:

- **Calling backward twice.** ``backward`` may be called any number of times, on the same output or on others:
  the graph is never freed (every node keeps its value). Each call computes d(output)/d(node) for every node of the
  graph afresh and **adds** it to ``node.grad``, as PyTorch does. So two calls give twice the gradient, and
  ``loss1.backward(); loss2.backward()`` gives the gradient of ``loss1 + loss2``.
- **Resetting gradients.** Nothing resets ``.grad`` for you: call ``node.zero_grad()`` (or ``zero_grad(nodes)``)
  before each new backward pass, e.g. once per training step.

Broadcasting follows NumPy in the forward pass; in the backward pass each gradient is summed back to its
operand's shape (``unbroadcast``). Nodes built from data that need no gradient take ``requires_grad=False``;
backward skips the work for them. To update a parameter, assign a new array (``p.data = p.data - lr * p.grad``)
and build a new graph: the VJPs of an existing graph keep the arrays they were built with.
"""

from __future__ import annotations

import numbers

import numpy as np

from backprop.activations import sigmoid as _stable_sigmoid


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``grad`` down to ``shape``: undo NumPy broadcasting in the backward pass.

    An operand of shape ``(n, 1)`` added to one of shape ``(n, m)`` was used m times; its gradient is the sum of the
    m gradients, over the broadcast axis. Leading axes that broadcasting added are summed away entirely.
    """
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


class Tensor:
    """A node of a computation graph: a value (``data``, float64 ndarray), its gradient ``grad`` (same shape,
    starting at zero) and the way it was computed (``op``, ``parents``).

    Parameters
    ----------
    data : number or array-like of finite numbers.
    requires_grad : False for data that needs no gradient (inputs, targets); backward then skips it.
    label : an optional name, shown by the graph drawing (e.g. "w", "z1").
    """

    __array_ufunc__ = None  # make ``ndarray * Tensor`` call Tensor.__rmul__ instead of NumPy looping over elements

    def __init__(self, data, requires_grad: bool = True, label: str | None = None):
        if isinstance(data, Tensor):
            raise ValueError("data is already a Tensor; use it directly, or pass t.data for a new, unconnected leaf.")
        try:
            array = np.array(data, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"Tensor data must be a number or an array of numbers; got {type(data).__name__}. "
                             "Pass e.g. 0.5 or np.array([[1.0, 2.0]]).") from exc
        if not np.all(np.isfinite(array)):
            raise ValueError(f"Tensor data must be finite; got {array.tolist()}. Replace NaN or infinity first.")
        self._init(array, (), (), "", bool(requires_grad), label)

    def _init(self, data, parents, vjps, op, requires_grad, label):
        self.data, self.parents, self.vjps, self.op = data, tuple(parents), tuple(vjps), op
        self.requires_grad, self.label = requires_grad, label
        self._grad = None  # allocated on first use: building the graph (the forward pass) stays cheap

    @property
    def grad(self) -> np.ndarray:
        """dL/d(this node), summed over every backward call since the last ``zero_grad`` (zeros before any)."""
        if self._grad is None:
            self._grad = np.zeros_like(self.data)
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        self._grad = np.asarray(value, dtype=np.float64)

    @classmethod
    def from_operation(cls, data, parents, vjps, op: str) -> Tensor:
        """A new node: value ``data``, made by ``op`` from ``parents``; ``vjps[i](g)`` is dL/d(parents[i]) given
        g = dL/d(result), before unbroadcasting. This is how every operation is built, and how to add one."""
        if len(parents) != len(vjps):
            raise ValueError(f"{op}: one VJP per parent is needed; got {len(parents)} parents and {len(vjps)} VJPs.")
        node = cls.__new__(cls)
        node._init(np.asarray(data, dtype=np.float64), parents, vjps, op,
                   any(p.requires_grad for p in parents), None)
        return node

    # ---------------------------------------------------------------- basics
    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    def item(self) -> float:
        """The value as a Python float (for a single number)."""
        if self.data.size != 1:
            raise ValueError(f"item() needs a single number; this Tensor has shape {self.shape}. Use .data instead.")
        return float(self.data.reshape(()))

    def __repr__(self) -> str:
        op = f", op={self.op!r}" if self.op else ""
        return f"Tensor({np.array2string(self.data, precision=4)}{op})"

    def zero_grad(self) -> None:
        """Reset this node's gradient to zero (backward only ever adds to it)."""
        self._grad = None

    @staticmethod
    def _lift(other) -> Tensor:
        if isinstance(other, Tensor):
            return other
        if isinstance(other, (numbers.Real, np.ndarray, list, tuple)) and not isinstance(other, bool):
            return Tensor(other, requires_grad=False)
        raise ValueError(f"cannot combine a Tensor with {type(other).__name__}; use a number, an array or a Tensor.")

    # ---------------------------------------------------------------- arithmetic: forward rule, then local derivatives
    def __add__(self, other):
        other = Tensor._lift(other)
        return Tensor.from_operation(self.data + other.data, (self, other),
                                     (lambda g: g, lambda g: g), "+")        # d(a+b)/da = d(a+b)/db = 1

    def __mul__(self, other):
        other = Tensor._lift(other)
        a, b = self.data, other.data
        return Tensor.from_operation(a * b, (self, other),
                                     (lambda g: g * b, lambda g: g * a), "*")  # d(ab)/da = b, d(ab)/db = a

    def __neg__(self):
        return Tensor.from_operation(-self.data, (self,), (lambda g: -g,), "neg")

    def __sub__(self, other):
        other = Tensor._lift(other)
        return Tensor.from_operation(self.data - other.data, (self, other), (lambda g: g, lambda g: -g), "-")

    def __truediv__(self, other):
        other = Tensor._lift(other)
        a, b = self.data, other.data
        if np.any(b == 0):
            raise ValueError("division by a Tensor that holds zeros; the quotient and its gradient are undefined.")
        return Tensor.from_operation(a / b, (self, other),
                                     (lambda g: g / b, lambda g: -g * a / (b * b)), "/")  # d(a/b)/db = -a/b^2

    def __pow__(self, exponent):
        if isinstance(exponent, Tensor) or not isinstance(exponent, numbers.Real) or isinstance(exponent, bool):
            raise ValueError(f"the exponent must be a constant number; got {type(exponent).__name__}. For a "
                             "variable exponent write (b * a.log()).exp() for a ** b.")
        p, a = float(exponent), self.data
        if not p.is_integer() and np.any(a < 0):
            raise ValueError(f"a ** {p} with a non-integer power needs a >= 0; the base holds negative numbers.")
        if p < 1 and np.any(a == 0):
            raise ValueError(f"a ** {p} and its derivative are not finite at a = 0; the base holds zeros.")
        return Tensor.from_operation(a ** p, (self,), (lambda g: g * p * a ** (p - 1),), f"**{exponent}")

    __radd__ = __add__
    __rmul__ = __mul__

    def __rsub__(self, other):
        return Tensor._lift(other) - self

    def __rtruediv__(self, other):
        return Tensor._lift(other) / self

    # ---------------------------------------------------------------- element-wise functions
    def exp(self):
        if np.any(self.data > 709.0):
            raise ValueError("exp would overflow (an input above 709); rewrite the expression, e.g. with softplus.")
        e = np.exp(self.data)
        return Tensor.from_operation(e, (self,), (lambda g: g * e,), "exp")             # (e^a)' = e^a

    def log(self):
        a = self.data
        if np.any(a <= 0):
            raise ValueError("log needs positive inputs; got zeros or negative numbers. For a cross-entropy, work "
                             "from the logits with softplus instead of taking log(sigmoid(z)).")
        return Tensor.from_operation(np.log(a), (self,), (lambda g: g / a,), "log")      # (log a)' = 1/a

    def tanh(self):
        t = np.tanh(self.data)
        return Tensor.from_operation(t, (self,), (lambda g: g * (1.0 - t * t),), "tanh")  # tanh' = 1 - tanh^2

    def sigmoid(self):
        s = _stable_sigmoid(self.data)
        return Tensor.from_operation(s, (self,), (lambda g: g * s * (1.0 - s),), "sigmoid")  # s' = s(1 - s)

    def relu(self):
        a = self.data
        return Tensor.from_operation(np.maximum(a, 0.0), (self,), (lambda g: g * (a > 0),), "relu")  # 0 at a = 0

    def softplus(self):
        """log(1 + e^a), computed as max(a, 0) + log(1 + e^-|a|) so it never overflows; its derivative is sigma(a)."""
        a = self.data
        value = np.maximum(a, 0.0) + np.log1p(np.exp(-np.abs(a)))
        return Tensor.from_operation(value, (self,), (lambda g: g * _stable_sigmoid(a),), "softplus")

    # ---------------------------------------------------------------- linear algebra and reductions
    def __matmul__(self, other):
        other = Tensor._lift(other)
        a, b = self.data, other.data
        if a.ndim != 2 or b.ndim != 2:
            raise ValueError(f"matmul needs two 2-D arrays; got shapes {a.shape} @ {b.shape}. Make a vector a column "
                             "with v.reshape(-1, 1) or a row with v.reshape(1, -1).")
        if a.shape[1] != b.shape[0]:
            raise ValueError(f"matmul shape mismatch: {a.shape} @ {b.shape}; the inner sizes {a.shape[1]} and "
                             f"{b.shape[0]} must be equal. Check the layer sizes, or transpose one operand (.T): with "
                             "samples as columns, Z = W @ A with W of shape (n_out, n_in) and A of (n_in, m).")
        return Tensor.from_operation(a @ b, (self, other),
                                     (lambda g: g @ b.T, lambda g: a.T @ g), "@")  # dL/dA = G B^T, dL/dB = A^T G

    def __rmatmul__(self, other):
        return Tensor._lift(other) @ self

    def sum(self, axis=None, keepdims: bool = False):
        shape = self.shape

        def vjp(g):  # every summed element receives the gradient of the sum
            if axis is not None and not keepdims:
                g = np.expand_dims(g, axis)
            return np.broadcast_to(g, shape)

        return Tensor.from_operation(self.data.sum(axis=axis, keepdims=keepdims), (self,), (vjp,), "sum")

    def mean(self, axis=None, keepdims: bool = False):
        shape = self.shape
        axes = range(self.ndim) if axis is None else np.atleast_1d(axis)
        count = int(np.prod([shape[i] for i in axes]))

        def vjp(g):  # every averaged element receives 1/count of the gradient of the mean
            if axis is not None and not keepdims:
                g = np.expand_dims(g, axis)
            return np.broadcast_to(g / count, shape)

        return Tensor.from_operation(self.data.mean(axis=axis, keepdims=keepdims), (self,), (vjp,), "mean")

    @property
    def T(self):
        return Tensor.from_operation(self.data.T, (self,), (lambda g: g.T,), "T")

    def reshape(self, *shape):
        old = self.shape
        return Tensor.from_operation(self.data.reshape(*shape), (self,), (lambda g: g.reshape(old),), "reshape")

    # ---------------------------------------------------------------- the backward pass
    def backward(self, grad=None) -> None:
        """Add d(self)/d(node) to ``node.grad`` for every node of the graph that leads to ``self``.

        ``grad`` is the seed dL/d(self); it defaults to 1 for a single number. For an array output pass an array of
        its shape: backward then computes the vector-Jacobian product grad^T J for every node.
        """
        if not self.requires_grad:
            raise ValueError("backward on a Tensor that does not depend on any Tensor with requires_grad=True; "
                             "there is nothing to differentiate. Build the expression from parameters.")
        if grad is None:
            if self.data.size != 1:
                raise ValueError(f"backward() without a seed gradient needs a single number; this output has shape "
                                 f"{self.shape}. Reduce it first (.sum() or .mean()), or pass grad=an array of shape "
                                 f"{self.shape} (the vector of a vector-Jacobian product).")
            grad = np.ones_like(self.data)
        grad = np.asarray(grad, dtype=np.float64)
        if grad.shape != self.shape:
            raise ValueError(f"the seed gradient must have the output's shape {self.shape}; got {grad.shape}.")
        order = topological_order(self)
        grads = {id(self): grad}                      # this call's gradients, kept apart from the accumulated .grad
        for node in reversed(order):                  # consumers before producers
            g = grads.pop(id(node), None)
            if g is None:
                continue
            node._grad = np.array(g) if node._grad is None else node._grad + g
            for parent, vjp in zip(node.parents, node.vjps, strict=True):
                if parent.requires_grad:
                    contribution = unbroadcast(np.asarray(vjp(g), dtype=np.float64), parent.shape)
                    grads[id(parent)] = grads[id(parent)] + contribution if id(parent) in grads else contribution


def topological_order(output: Tensor) -> list:
    """Every node that ``output`` depends on, each after all of its parents (``output`` last).

    An iterative depth-first search, so a long chain of operations cannot exceed Python's recursion limit.
    """
    order, visited, stack = [], set(), [(output, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
        elif id(node) not in visited:
            visited.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in node.parents if id(p) not in visited)
    return order


def zero_grad(nodes) -> None:
    """Reset the gradient of every node in ``nodes`` (e.g. the parameters) to zero."""
    for node in nodes:
        node.zero_grad()
