"""The book's networks written with autodiff ``Tensor``s: only their forward passes, so that ``backward`` derives
every gradient the earlier chapters derived by hand (the third, independent check after central differences and
SymPy).
"""

from __future__ import annotations

from backprop.autodiff.tensor import Tensor
from backprop.small_networks import get_network, validated_data, validated_params

ACTIVATIONS = {"identity": lambda t: t, "sigmoid": Tensor.sigmoid, "tanh": Tensor.tanh, "relu": Tensor.relu}


def mlp_loss(weights, biases, X, Y, activation: str = "sigmoid", loss: str = "binary_cross_entropy",
             l2: float = 0.0) -> Tensor:
    """The loss of the matrix-form network of ``backprop.mlp``, built from Tensors (samples are columns).

    weights, biases : lists of Tensors, W[l] of shape (n_l, n_{l-1}) and b[l] of shape (n_l, 1).
    X : array (n_features, m); Y : array (n_outputs, m).
    loss : "binary_cross_entropy" (from the logits: softplus(z) - y z, which is -log sigma(z) for y = 1 and
        -log(1 - sigma(z)) for y = 0) or "mean_squared_error" (1/2m sum ||z - y||^2). Plus (l2 / 2m) sum ||W||^2.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}; got {activation!r}.")
    X, Y = Tensor(X, requires_grad=False, label="X"), Tensor(Y, requires_grad=False, label="Y")
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


def small_network_loss(network, params: dict, x, y):
    """The loss of one of the small networks of ``backprop.small_networks``, built from Tensors.

    Only the forward pass is written; ``L.backward()`` then fills ``leaves[name].grad`` with dL/d(name).
    Returns ``(L, leaves)`` with ``leaves`` = {parameter name: Tensor}, in the network's parameter order.
    """
    net = get_network(network)
    p = {name: Tensor(value, label=name) for name, value in validated_params(net, params).items()}
    x, y = validated_data(x, y)
    x = Tensor(x, requires_grad=False, label="x")
    if net.name in ("identity_neuron", "sigmoid_neuron"):
        z = p["w"] * x + p["b"]
        y_hat = z if net.name == "identity_neuron" else z.sigmoid()
    elif net.name == "two_in_sequence":
        a1 = (p["w1"] * x + p["b1"]).sigmoid()
        y_hat = (p["w2"] * a1 + p["b2"]).sigmoid()
    else:
        a1 = (p["w11"] * x + p["b11"]).sigmoid()
        a2 = (p["w12"] * x + p["b12"]).sigmoid()
        y_hat = ((p["w21"] * a1 + p["b21"]) + (p["w22"] * a2 + p["b22"])).sigmoid()
    return (0.5 * (y_hat - y) ** 2).mean(), p


def small_network_gradients(network, params: dict, x, y) -> dict:
    """{parameter name: dL/d(name)} for a small network, by automatic differentiation (compare ``backward``)."""
    L, leaves = small_network_loss(network, params, x, y)
    L.backward()
    return {name: float(leaf.grad) for name, leaf in leaves.items()}
