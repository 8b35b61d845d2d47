"""The small networks worked by hand: one neuron, two neurons in sequence, two neurons in a layer.

Every network is a set of named parameters (a dict such as {"w": 0.5, "b": 1.0}), a forward pass, and a backward
pass that returns dL/d(name) for every parameter, by name. The loss is the average squared error

    L = mean over points p of  1/2 (y_hat_p - y_p)^2,

which for a single data point is just 1/2 (y_hat - y)^2. Data are 1-D arrays of shape (n_points,); a number is
treated as one point.

Networks (``NETWORKS`` maps these names to their definitions):

- "identity_neuron":  z = w x + b,  y_hat = z
- "sigmoid_neuron":   z = w x + b,  y_hat = sigma(z)
- "two_in_sequence":  z1 = w1 x + b1, a1 = sigma(z1), z2 = w2 a1 + b2, y_hat = sigma(z2)
- "two_in_a_layer":   z1 = w11 x + b11, a1 = sigma(z1);  z2 = w12 x + b12, a2 = sigma(z2);
                      z3 = (w21 a1 + b21) + (w22 a2 + b22), y_hat = sigma(z3)

(In "two_in_a_layer" the first digit of a name is the layer and the second the neuron, as in the source:
w21 is the weight from a1 into the output neuron. The output neuron carries two biases b21 and b22 that only act
through their sum.)

No function here prints, and none changes the dict it is given.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backprop.activations import get_activation, sigmoid, sigmoid_derivative
from backprop.checks import as_finite_vector, non_negative_number, positive_int, positive_number
from backprop.gradcheck import check_named_gradients, numerical_gradient, relative_error


# ---------------------------------------------------------------- forward and backward passes, one per network
def _neuron_forward(p, x, activation):
    g, _ = get_activation(activation)
    z = p["w"] * x + p["b"]
    return {"z": z, "y_hat": g(z)}


def _neuron_backward(p, x, y, activation):
    _, g_prime = get_activation(activation)
    cache = _neuron_forward(p, x, activation)
    n = x.size
    dL_dy_hat = (cache["y_hat"] - y) / n          # the 1/n of the average, per point
    dL_dz = dL_dy_hat * g_prime(cache["z"])       # dy_hat/dz = g'(z)
    return {"y_hat": dL_dy_hat, "z": dL_dz, "w": np.sum(dL_dz * x), "b": np.sum(dL_dz)}


def _sequence_forward(p, x):
    z1 = p["w1"] * x + p["b1"]
    a1 = sigmoid(z1)
    z2 = p["w2"] * a1 + p["b2"]
    return {"z1": z1, "a1": a1, "z2": z2, "y_hat": sigmoid(z2)}


def _sequence_backward(p, x, y):
    c = _sequence_forward(p, x)
    dL_dy_hat = (c["y_hat"] - y) / x.size
    dL_dz2 = dL_dy_hat * sigmoid_derivative(c["z2"])
    dL_da1 = dL_dz2 * p["w2"]                     # dz2/da1 = w2
    dL_dz1 = dL_da1 * sigmoid_derivative(c["z1"])
    return {"y_hat": dL_dy_hat, "z2": dL_dz2, "a1": dL_da1, "z1": dL_dz1,
            "w2": np.sum(dL_dz2 * c["a1"]), "b2": np.sum(dL_dz2),
            "w1": np.sum(dL_dz1 * x), "b1": np.sum(dL_dz1)}


def _layer_forward(p, x):
    z1 = p["w11"] * x + p["b11"]
    z2 = p["w12"] * x + p["b12"]
    a1, a2 = sigmoid(z1), sigmoid(z2)
    z3 = (p["w21"] * a1 + p["b21"]) + (p["w22"] * a2 + p["b22"])
    return {"z1": z1, "a1": a1, "z2": z2, "a2": a2, "z3": z3, "y_hat": sigmoid(z3)}


def _layer_backward(p, x, y):
    c = _layer_forward(p, x)
    dL_dy_hat = (c["y_hat"] - y) / x.size
    dL_dz3 = dL_dy_hat * sigmoid_derivative(c["z3"])
    dL_da1 = dL_dz3 * p["w21"]
    dL_da2 = dL_dz3 * p["w22"]
    dL_dz1 = dL_da1 * sigmoid_derivative(c["z1"])
    dL_dz2 = dL_da2 * sigmoid_derivative(c["z2"])
    return {"y_hat": dL_dy_hat, "z3": dL_dz3, "a1": dL_da1, "a2": dL_da2, "z1": dL_dz1, "z2": dL_dz2,
            "w21": np.sum(dL_dz3 * c["a1"]), "w22": np.sum(dL_dz3 * c["a2"]),
            "b21": np.sum(dL_dz3), "b22": np.sum(dL_dz3),   # dz3/db21 = dz3/db22 = 1: always equal
            "w11": np.sum(dL_dz1 * x), "b11": np.sum(dL_dz1),
            "w12": np.sum(dL_dz2 * x), "b12": np.sum(dL_dz2)}


@dataclass(frozen=True)
class Network:
    """A small network: its parameter names (in the source's order), forward pass and backward pass."""

    name: str
    parameters: tuple
    forward_pass: object   # (params, x) -> {node name: ndarray}
    backward_pass: object  # (params, x, y) -> {node or parameter name: dL/d(that)}


NETWORKS = {
    "identity_neuron": Network("identity_neuron", ("w", "b"),
                               lambda p, x: _neuron_forward(p, x, "identity"),
                               lambda p, x, y: _neuron_backward(p, x, y, "identity")),
    "sigmoid_neuron": Network("sigmoid_neuron", ("w", "b"),
                              lambda p, x: _neuron_forward(p, x, "sigmoid"),
                              lambda p, x, y: _neuron_backward(p, x, y, "sigmoid")),
    "two_in_sequence": Network("two_in_sequence", ("w1", "w2", "b1", "b2"), _sequence_forward, _sequence_backward),
    "two_in_a_layer": Network("two_in_a_layer", ("w11", "w12", "w21", "w22", "b11", "b12", "b21", "b22"),
                              _layer_forward, _layer_backward),
}


# ---------------------------------------------------------------- validation (also used by symbolic and graph_drawing)
def get_network(network) -> Network:
    """The Network called ``network`` (or ``network`` itself when it already is one)."""
    if isinstance(network, Network):
        return network
    if network not in NETWORKS:
        raise ValueError(f"network must be one of {sorted(NETWORKS)}; got {network!r}. Pass e.g. 'sigmoid_neuron'.")
    return NETWORKS[network]


def validated_params(net: Network, params) -> dict:
    """A new dict of floats with exactly the parameter names of ``net``; refuses missing, extra or non-finite ones."""
    if not isinstance(params, dict):
        raise ValueError(
            f"params must be a dict {{name: number}} with keys {list(net.parameters)}; got {type(params).__name__}."
        )
    if set(params) != set(net.parameters):
        raise ValueError(
            f"params for {net.name!r} must have exactly the keys {list(net.parameters)}; got {sorted(params)}. "
            "Add the missing names or remove the extra ones."
        )
    clean = {}
    for name in net.parameters:
        value = as_finite_vector(params[name], f"params[{name!r}]")
        if value.size != 1:
            raise ValueError(f"params[{name!r}] must be a single number; got {value.size} numbers.")
        clean[name] = float(value[0])
    return clean


def validated_data(x, y=None):
    """``x`` (and ``y``) as 1-D float arrays of shape (n_points,), equal in shape; a number is one point."""
    x = as_finite_vector(x, "x")
    if y is None:
        return x, None
    y = as_finite_vector(y, "y")
    if x.shape != y.shape:
        raise ValueError(
            f"x and y must hold one number per data point, with equal shapes; got x of shape {x.shape} and y of "
            f"shape {y.shape}. Pass 1-D arrays of the same length."
        )
    return x, y


# ---------------------------------------------------------------- public functions
def forward(network, params: dict, x) -> dict:
    """Forward pass. Returns {node name: ndarray of shape (n_points,)}, ending with "y_hat"."""
    net = get_network(network)
    x, _ = validated_data(x)
    return net.forward_pass(validated_params(net, params), x)


def loss(network, params: dict, x, y) -> float:
    """Average squared-error loss mean(1/2 (y_hat - y)^2) over the data points."""
    net = get_network(network)
    x, y = validated_data(x, y)
    y_hat = net.forward_pass(validated_params(net, params), x)["y_hat"]
    return float(np.mean(0.5 * (y_hat - y) ** 2))


def backward_all(network, params: dict, x, y) -> dict:
    """dL/d(node) for every node (arrays of shape (n_points,)) and dL/d(parameter) for every parameter (floats)."""
    net = get_network(network)
    x, y = validated_data(x, y)
    grads = net.backward_pass(validated_params(net, params), x, y)
    return {k: (float(v) if k in net.parameters else v) for k, v in grads.items()}


def backward(network, params: dict, x, y) -> dict:
    """Backward pass: {parameter name: dL/d(parameter)}, in the network's parameter order."""
    net = get_network(network)
    grads = backward_all(net, params, x, y)
    return {name: grads[name] for name in net.parameters}


def train_step(network, params: dict, x, y, learning_rate: float) -> dict:
    """One step of gradient descent: a new dict, params - learning_rate * gradient (``params`` is not changed)."""
    net = get_network(network)
    learning_rate = positive_number(learning_rate, "learning_rate")
    gradients = backward(net, params, x, y)
    return {name: float(params[name]) - learning_rate * gradients[name] for name in net.parameters}


@dataclass(frozen=True)
class TrainingHistory:
    """What a training run did, epoch by epoch, in the order the source prints it.

    losses[i] is the loss at the start of epoch i + 1 (before its update) and params[i] the parameters after
    epoch i + 1's update. If the loss fell below the stopping threshold, ``stopped_at`` is the epoch that found it
    and ``stop_loss`` that loss; that epoch makes no update.
    """

    initial: dict
    losses: tuple
    params: tuple
    stopped_at: int | None
    stop_loss: float | None

    @property
    def final(self) -> dict:
        """The parameters at the end of training."""
        return dict(self.params[-1]) if self.params else dict(self.initial)


def train(network, params: dict, x, y, learning_rate: float = 0.1, epochs: int = 20,
          stop_below: float | None = 0.01) -> TrainingHistory:
    """Gradient descent for ``epochs`` epochs, stopping early at the start of an epoch whose loss < ``stop_below``.

    Returns the TrainingHistory; never prints and never changes ``params``. ``stop_below=None`` never stops early.
    """
    net = get_network(network)
    current = validated_params(net, params)
    x, y = validated_data(x, y)
    learning_rate = positive_number(learning_rate, "learning_rate")
    epochs = positive_int(epochs, "epochs")
    if stop_below is not None:
        stop_below = non_negative_number(stop_below, "stop_below")
    losses, history = [], []
    for epoch in range(1, epochs + 1):
        value = loss(net, current, x, y)
        if stop_below is not None and value < stop_below:
            return TrainingHistory(dict(validated_params(net, params)), tuple(losses), tuple(history), epoch, value)
        current = train_step(net, current, x, y, learning_rate)
        losses.append(value)
        history.append(dict(current))
    return TrainingHistory(dict(validated_params(net, params)), tuple(losses), tuple(history), None, None)


def check_update_step(step, loss_function, params: dict, learning_rate: float, h: float = 1e-5,
                      tolerance: float = 1e-6) -> dict:
    """Check an update rule: does ``step(params)`` equal params - learning_rate * (numerical gradient)?

    A correct gradient can still be applied wrongly (to the wrong parameter, with the wrong sign). This compares
    every parameter after one step with the step gradient descent should take, using central differences of
    ``loss_function`` (a dict -> number) for the gradient.

    Returns {"parameters": {name: {"expected", "got", "relative_error", "passed"}}, "failed": [...], "passed": bool}.
    """
    learning_rate = positive_number(learning_rate, "learning_rate")
    names = list(params)
    point = np.array([float(params[name]) for name in names])
    gradient = numerical_gradient(lambda v: loss_function(dict(zip(names, v, strict=True))), point, h)
    got = step(dict(params))
    rows = {}
    for name, start, slope in zip(names, point, gradient, strict=True):
        expected = start - learning_rate * slope
        # Compare the change each parameter made, so a tiny step is not hidden by a large parameter value.
        error = relative_error(got[name] - start, expected - start)
        rows[name] = {"expected": float(expected), "got": float(got[name]), "relative_error": error,
                      "passed": error <= tolerance}
    failed = [name for name, row in rows.items() if not row["passed"]]
    return {"parameters": rows, "failed": failed, "passed": not failed}


# ---------------------------------------------------------------- gradient checks of a network's backward pass
def check_network_gradients(network, params: dict, x, y, gradients: dict | None = None,
                            tolerance: float = 1e-6) -> dict:
    """Gradient check of a small network: ``gradients`` against central differences of its loss at ``params``.

    ``gradients`` is {parameter name: dL/d(name)}, e.g. a hand-written backward pass to test; by default the
    package's ``backward``. The loss is this module's ``loss`` on the data (x, y). Returns the dict of
    ``backprop.gradcheck.check_named_gradients`` ("parameters", "failed", "passed", "tolerance"), which
    ``backprop.gradcheck.named_check_report`` prints one line per parameter.
    """
    net = get_network(network)
    point = validated_params(net, params)
    x, y = validated_data(x, y)
    if gradients is None:
        gradients = backward(net, point, x, y)
    return check_named_gradients(lambda p: loss(net, p, x, y), point, gradients, tolerance=tolerance)


def stale_scalar_gradient(params: dict, x, y, stale_x: float, stale_z: float) -> dict:
    """The sigmoid neuron's averaged gradient as the *Review of backpropagation* notebook computes it: wrongly.

    Its many-points loop takes the forward pass from the arrays, but the slope sigma'(z) and the input x of the
    backward pass from the scalars ``stale_z`` and ``stale_x`` left over from its single-point example, so every
    point gets the same slope and input. Kept as a known-wrong gradient that a gradient check must flag.
    Returns {"w": dL/dw, "b": dL/db} (floats).
    """
    net = get_network("sigmoid_neuron")
    p = validated_params(net, params)
    x, y = validated_data(x, y)
    stale_x = float(as_finite_vector(stale_x, "stale_x")[0])
    stale_z = float(as_finite_vector(stale_z, "stale_z")[0])
    y_hat = sigmoid(p["w"] * x + p["b"])
    dL_dz = (y_hat - y) * sigmoid_derivative(stale_z)    # the bug: one stale slope for every point
    return {"w": float(np.mean(dL_dz * stale_x)), "b": float(np.mean(dL_dz))}   # the bug: stale x
