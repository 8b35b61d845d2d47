"""The book's networks written with autodiff numbers: only their forward passes, so that ``backward`` derives
every gradient the earlier chapters derived by hand (the third, independent check after central differences and
SymPy).

The same code runs on reverse-mode ``Tensor``s and on forward-mode ``Dual``s: pass the parameters as one kind or the
other. With Tensors the loss records a graph for ``backward``; with Duals it carries the derivative along the
parameters' tangents (``small_network_forward_gradients`` does one such pass per parameter).
"""

from __future__ import annotations

from backprop.autodiff.forward import Dual
from backprop.autodiff.tensor import Tensor
from backprop.small_networks import get_network, validated_data, validated_params

ACTIVATIONS = {"identity": lambda t: t, "sigmoid": lambda t: t.sigmoid(), "tanh": lambda t: t.tanh(),
               "relu": lambda t: t.relu()}


def _constant(parameters, data, label: str):
    """Data as a constant of the parameters' kind: a Tensor without gradient, or a Dual with tangent zero."""
    kinds = {type(p) for p in parameters}
    if kinds == {Dual}:
        return Dual(data)
    if kinds <= {Tensor}:
        return Tensor(data, requires_grad=False, label=label)
    raise ValueError(f"the parameters must be all Tensors (reverse mode) or all Duals (forward mode); got "
                     f"{sorted(k.__name__ for k in kinds)}. Wrap every parameter the same way.")


def mlp_loss(weights, biases, X, Y, activation: str = "sigmoid", loss: str = "binary_cross_entropy",
             l2: float = 0.0) -> Tensor:
    """The loss of the matrix-form network of ``backprop.mlp``, built from Tensors (samples are columns).

    weights, biases : lists of Tensors (or all of Duals), W[l] of shape (n_l, n_{l-1}) and b[l] of shape (n_l, 1).
    X : array (n_features, m); Y : array (n_outputs, m).
    loss : "binary_cross_entropy" (from the logits: softplus(z) - y z, which is -log sigma(z) for y = 1 and
        -log(1 - sigma(z)) for y = 0) or "mean_squared_error" (1/2m sum ||z - y||^2). Plus (l2 / 2m) sum ||W||^2.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}; got {activation!r}.")
    X, Y = _constant([*weights, *biases], X, "X"), _constant([*weights, *biases], Y, "Y")
    m = Y.shape[1]
    A = X
    for layer, (W, b) in enumerate(zip(weights, biases, strict=True), start=1):
        Z = W @ A + b
        A = ACTIVATIONS[activation](Z) if layer < len(weights) else Z
    if loss == "binary_cross_entropy":
        value = (A.softplus() - Y * A).sum() * (1.0 / m)
    elif loss == "mean_squared_error":
        value = ((A - Y) ** 2).sum() * (0.5 / m)
    else:
        raise ValueError(f"loss must be 'binary_cross_entropy' or 'mean_squared_error'; got {loss!r}.")
    for W in weights if l2 else ():
        value = value + (W ** 2).sum() * (l2 / (2.0 * m))
    return value


def small_network_output(network, p: dict, x):
    """The prediction y_hat of a small network, from its parameters ``p`` = {name: Tensor or Dual} and data ``x``
    (a constant of the same kind). Only the forward pass, as in chapters 3 to 5."""
    name = get_network(network).name
    if name in ("identity_neuron", "sigmoid_neuron"):
        z = p["w"] * x + p["b"]
        return z if name == "identity_neuron" else z.sigmoid()
    if name == "two_in_sequence":
        a1 = (p["w1"] * x + p["b1"]).sigmoid()
        return (p["w2"] * a1 + p["b2"]).sigmoid()
    a1 = (p["w11"] * x + p["b11"]).sigmoid()
    a2 = (p["w12"] * x + p["b12"]).sigmoid()
    return ((p["w21"] * a1 + p["b21"]) + (p["w22"] * a2 + p["b22"])).sigmoid()


def small_network_loss(network, params: dict, x, y):
    """The loss of one of the small networks of ``backprop.small_networks``, built from Tensors.

    Only the forward pass is written; ``L.backward()`` then fills ``leaves[name].grad`` with dL/d(name).
    Returns ``(L, leaves)`` with ``leaves`` = {parameter name: Tensor}, in the network's parameter order.
    """
    net = get_network(network)
    p = {name: Tensor(value, label=name) for name, value in validated_params(net, params).items()}
    x, y = validated_data(x, y)
    y_hat = small_network_output(net, p, Tensor(x, requires_grad=False, label="x"))
    return (0.5 * (y_hat - y) ** 2).mean(), p


def small_network_gradients(network, params: dict, x, y) -> dict:
    """{parameter name: dL/d(name)} for a small network, by automatic differentiation (compare ``backward``)."""
    L, leaves = small_network_loss(network, params, x, y)
    L.backward()
    return {name: float(leaf.grad) for name, leaf in leaves.items()}


def small_network_forward_gradients(network, params: dict, x, y) -> dict:
    """{parameter name: dL/d(name)} for a small network by forward mode: one pass per parameter.

    Pass k gives parameter k the tangent 1 and every other parameter the tangent 0, so the loss's tangent is
    dL/d(parameter k). A network with n parameters needs n passes (reverse mode: one backward pass).
    """
    net = get_network(network)
    values = validated_params(net, params)
    x, y = validated_data(x, y)
    gradients = {}
    for moving in values:
        p = {name: Dual(value, 1.0 if name == moving else 0.0) for name, value in values.items()}
        y_hat = small_network_output(net, p, Dual(x))
        gradients[moving] = float((0.5 * (y_hat - y) ** 2).mean().tangent)
    return gradients
