"""Feedback without the answer key: each question judged from its own definition, the book's way.

The student's ``check(qid, obj)`` runs in the student's notebook, so nothing here may hold the instructor's answers.
It judges instead with what the exercise itself defines:

- **gradient checks**: a returned gradient is compared with central differences of the loss the exercise states
  (``backprop.gradcheck.numerical_gradients``), and an update with the step that gradient gives;
- **consistency**: forward values are recomputed from the exercise's network, and a path of gradient descent step by
  step from the function it descends;
- **shapes, types and finite values**, with the same hints as the grader (``backprop.grading.checks.compare``:
  the dropped ½, a transpose, a sign, NaN);
- **commitments** for the few plain values no definition yields cheaply (``backprop.grading.commitments``), with
  hints for the known wrong answers (the single path's factor where the norm's is asked, a tanh classifier where the
  sigmoid is asked).

Central differences with h = 1e-5 agree with the exact gradient to about 1e-9 relative here, so the tolerances
below (1e-5 relative) pass every right answer and leave the slips (factors of 2, -1, transposes) far outside.
The grade itself never comes from here: the grader judges with the instructor's answer key
(``backprop_instructor.judges``) in its own process.
"""

from __future__ import annotations

import numpy as np

from backprop import mlp, small_networks
from backprop.activations import get_activation
from backprop.gradcheck import numerical_gradients
from backprop.grading.checks import Result, as_array, compare, compare_mapping, describe, error_result
from backprop.grading.commitments import judge_commitment


def judge_xtanh_derivative(value):
    """The formula question's judge, ``symbolic_checks.judge_xtanh_derivative``, imported when first used: SymPy takes
    most of a second to import, every graded notebook imports this module, and one question needs SymPy."""
    from backprop.grading.symbolic_checks import judge_xtanh_derivative as judge

    return judge(value)


RTOL = 1e-5   # central differences are good to ~1e-9 relative here; slips are off by factors of order 1
ATOL = 1e-8
STEP = 1e-5   # central-difference step


# ---------------------------------------------------------------------------------------------- judge builders
def each_call(check):
    """Build a judge that applies ``check(value, args, label)`` to every call and collects the results."""
    def judge(outcomes, calls):
        results = []
        for number, ((status, value), args) in enumerate(zip(outcomes, calls, strict=True), start=1):
            label = f"input {number}"
            if status != "value":
                results.append(error_result(label, value))
            else:
                results.extend(check(value, args, label))
        return results
    return judge


def value_check(check):
    """Build a judge for a value question: ``check(value)`` on the one value read."""
    def judge(outcomes, calls):
        status, value = outcomes[0]
        return [error_result("value", value)] if status != "value" else check(value)
    return judge


def uses_the_data(outcomes, calls) -> list[Result]:
    """The source's stale-scalar bug: dL/dw a fixed multiple of dL/db on every input (dz/dw = x was one number).

    Needs no answer: with the data used, the ratio dL/dw : dL/db changes from one data set to the next.
    """
    pairs = [as_array(v) for s, v in outcomes if s == "value"]
    if len(pairs) != len(calls) or not all(p is not None and p.shape == (2,) and p[1] != 0 for p in pairs):
        return []
    ratios = np.array([p[0] / p[1] for p in pairs])
    if np.all(np.isfinite(ratios)) and np.ptp(ratios) < 1e-9:
        return [Result("uses the data", False, "uses the data: your dL/dw is always the same multiple of dL/db, so "
                       "dz/dw is one number instead of the array X. Is a variable left over from an earlier cell "
                       "(a scalar z or x)?")]
    return []


# ---------------------------------------------------------------------------------------------- the exercises' losses
def _numeric(f, arrays):
    return numerical_gradients(f, arrays, h=STEP)


def _small_network_gradient(network, params, x, y) -> dict:
    names = small_networks.get_network(network).parameters
    values = [float(params[name]) for name in names]

    def loss(*flat):
        return small_networks.loss(network, dict(zip(names, map(float, flat), strict=True)), x, y)
    return {name: float(g) for name, g in zip(names, _numeric(loss, values), strict=True)}


def _network_loss(activation, loss, n_layers, l2=0.0, penalty=None):
    """The exercise's batch loss of an MLP as a function of (W1, b1, W2, b2, ...), samples as columns."""
    def f(X, Y, *params):
        weights, biases = list(params[0:2 * n_layers:2]), list(params[1:2 * n_layers:2])
        Z, _ = mlp.forward(weights, biases, X, activation)
        value = mlp.batch_loss(weights, Z[-1], Y, loss)
        if penalty is not None:
            value += penalty(weights, Y.shape[1])
        elif l2:
            value += l2 / (2 * Y.shape[1]) * sum(float(np.sum(W * W)) for W in weights)
        return value
    return f


def _network_gradients(f, X, Y, params) -> dict:
    grads = _numeric(lambda *p: f(X, Y, *p), params)
    out = {}
    for index in range(0, len(grads), 2):
        out[f"dW{index // 2 + 1}"], out[f"db{index // 2 + 1}"] = grads[index], grads[index + 1]
    return out


def _weighted_squared_error(X, Y, W1, b1, W2, b2, output_weights):
    """tanh hidden layer, linear outputs, L = 1/(2m) sum_i sum_k c_k (y_hat_ki - y_ki)^2."""
    c = np.asarray(output_weights, float).reshape(-1, 1)
    Y_hat = W2 @ np.tanh(W1 @ X + b1) + b2
    return float(np.sum(c * (Y_hat - Y) ** 2)) / (2 * X.shape[1])


# ---------------------------------------------------------------------------------------------- one check per question
def _derivative_check(value, args, label):
    (x,) = args

    def f(t):
        return t**2 * np.exp(-t) + (t + 3) ** 3
    numeric = (f(x + STEP) - f(x - STEP)) / (2 * STEP)
    return [compare(f"{label}: f'(x)", value, numeric, rtol=RTOL, atol=1e-6)]


def _neuron_check(network):
    def check(value, args, label):
        x, y, w, b = args
        g = _small_network_gradient(network, {"w": w, "b": b}, x, y)
        return [compare(f"{label}: (dL/dw, dL/db)", value, [g["w"], g["b"]], rtol=RTOL, atol=ATOL)]
    return check


def _bowl(point):
    x, y = point
    return (x - 1) ** 2 + 2 * (y + 2) ** 2 + x * y


def _descent_check(value, args, label):
    start, learning_rate, n_steps = args
    path = [np.asarray(start, dtype=float)]
    for _ in range(int(n_steps)):
        path.append(path[-1] - learning_rate * _numeric(_bowl, [path[-1]])[0])
    return [compare(f"{label}: path", value, np.array(path), rtol=RTOL, atol=1e-7)]


def _batch_judge(outcomes, calls):
    def check(value, args, label):
        X, y, w, b = args
        g = _small_network_gradient("sigmoid_neuron", {"w": w, "b": b}, X, y)
        return [compare(f"{label}: (dL/dw, dL/db)", value, [g["w"], g["b"]], rtol=RTOL, atol=ATOL)]
    results = each_call(check)(outcomes, calls)
    return results + (uses_the_data(outcomes, calls) if not all(r.passed for r in results) else [])


def _sequence_check(value, args, label):
    params, x, y, learning_rate = args
    g = _small_network_gradient("two_in_sequence", params, x, y)
    expected = {name: params[name] - learning_rate * g[name] for name in ("w1", "w2", "b1", "b2")}
    results = compare_mapping(f"{label}: new ", value, expected, rtol=RTOL, atol=ATOL)
    if isinstance(value, dict) and not results[0].passed:
        from_w2 = expected["w2"] - learning_rate * g["w1"]
        if compare("w1", value.get("w1"), from_w2, rtol=RTOL, atol=ATOL).passed:
            results[0] = Result(results[0].name, False, f"{label}: new w1 is computed from w2: the source's bug "
                                "(w1 = w2 - lr * dL/dw1). Each parameter steps from its own old value.")
    return results


def _layer_check(value, args, label):
    params, x, y = args
    return compare_mapping(f"{label}: dL/d", value, _small_network_gradient("two_in_a_layer", params, x, y),
                           rtol=RTOL, atol=ATOL)


def _relu_derivative_check(value, args, label):
    (z,) = args
    numeric = (np.maximum(z + 1e-7, 0) - np.maximum(z - 1e-7, 0)) / 2e-7
    numeric[np.abs(z) <= 1e-7] = 0.0  # the kink: the exercise's convention, g'(0) = 0
    return [compare(f"{label}: g'(z)", value, numeric, rtol=1e-6, atol=1e-6)]


def _by_hand_check(value, args, label):
    x, y, W1, b1, W2, b2, learning_rate = args
    x = np.asarray(x, float).reshape(-1, 1)

    def loss(*params):  # one sample: L = ½ (a2 - y)², the output through a sigmoid
        a1 = 1 / (1 + np.exp(-(params[0] @ x + params[1])))
        a2 = 1 / (1 + np.exp(-(params[2] @ a1 + params[3])))
        return 0.5 * float(np.sum((a2 - y) ** 2))
    z1 = W1 @ x + b1
    a1 = 1 / (1 + np.exp(-z1))
    z2 = W2 @ a1 + b2
    forward = {"z1": z1, "a1": a1, "z2": z2, "a2": 1 / (1 + np.exp(-z2)), "loss": loss(W1, b1, W2, b2)}
    grads = dict(zip(("dW1", "db1", "dW2", "db2"), _numeric(loss, [W1, b1, W2, b2]), strict=True))
    new = {f"{name}_new": p - learning_rate * grads[f"d{name}"]
           for name, p in zip(("W1", "b1", "W2", "b2"), (W1, b1, W2, b2), strict=True)}
    return compare_mapping(f"{label}: ", value, {**forward, **grads, **new}, rtol=RTOL, atol=ATOL)


def _net_check(activation, loss, n_layers, l2_index=None):
    def check(value, args, label):
        X, Y, *params = args
        l2 = params.pop(l2_index) if l2_index is not None else 0.0
        expected = _network_gradients(_network_loss(activation, loss, n_layers, l2), X, Y, params)
        results = compare_mapping(f"{label}: ", value, expected, rtol=RTOL, atol=ATOL)
        if l2 and isinstance(value, dict) and not results[0].passed and "dW1" in value:
            for name, penalty in (("lambda W (no 1/m)", lambda ws, m: l2 / 2 * sum(np.sum(W * W) for W in ws)),
                                  ("2 lambda / m W", lambda ws, m: l2 / m * sum(np.sum(W * W) for W in ws)),
                                  ("no penalty", lambda ws, m: 0.0)):
                guess = _network_gradients(_network_loss(activation, loss, n_layers, penalty=penalty), X, Y, params)
                if compare("", value["dW1"], guess["dW1"], rtol=RTOL, atol=ATOL, slip_hints=False).passed:
                    results[0] = Result(results[0].name, False, f"{label}: dW1 matches the gradient with {name}; "
                                        "this exercise's penalty (lambda / 2m) sum ||W||² gives (lambda / m) W.")
        return results
    return check


def _xtanh_backward_check(value, args, label):
    dA, Z = args

    def f(z):
        return z * np.tanh(z)
    return [compare(f"{label}: dZ", value, dA * (f(Z + STEP) - f(Z - STEP)) / (2 * STEP), rtol=RTOL, atol=ATOL)]


def _weighted_check(value, args, label):
    X, Y, W1, b1, W2, b2, *output_weights = args
    c = output_weights[0] if output_weights else np.ones(Y.shape[0])
    grads = _numeric(lambda *p: _weighted_squared_error(X, Y, *p, c), [W1, b1, W2, b2])
    expected = dict(zip(("dW1", "db1", "dW2", "db2"), grads, strict=True))
    return compare_mapping(f"{label}: ", value, expected, rtol=RTOL, atol=ATOL)


def _update_check(value, args, label):
    X, Y, W1, b1, W2, b2, output_weights, learning_rate = args
    params = [W1, b1, W2, b2]
    grads = _numeric(lambda *p: _weighted_squared_error(X, Y, *p, output_weights), params)
    expected = {name: p - learning_rate * g for name, p, g in zip(("W1", "b1", "W2", "b2"), params, grads,
                                                                      strict=True)}
    results = compare_mapping(f"{label}: new ", value, expected, rtol=RTOL, atol=ATOL)
    if isinstance(value, dict) and not results[0].passed and "W1" in value:
        for guess, hint in ((W1 + learning_rate * grads[0], "you stepped uphill: the step is minus the gradient"),
                            (grads[0], "this is the gradient itself; return the parameters after the step")):
            if compare("", value["W1"], guess, rtol=RTOL, atol=ATOL, slip_hints=False).passed:
                results[0] = Result(results[0].name, False, f"{label}: new W1: {hint}.")
    return results


def _step(X, Y, params, learning_rate):
    f = _network_loss("sigmoid", "binary_cross_entropy", 2)
    grads = _numeric(lambda *p: f(X, Y, *p), params)
    return [p - learning_rate * g for p, g in zip(params, grads, strict=True)]


def _sgd_check(value, args, label):
    X, Y, W1, b1, W2, b2, learning_rate, order = args
    params = [W1, b1, W2, b2]
    for i in order:
        params = _step(X[:, [int(i)]], Y[:, [int(i)]], params, learning_rate)
    expected = dict(zip(("W1", "b1", "W2", "b2"), params, strict=True))
    results = compare_mapping(f"{label}: new ", value, expected, rtol=RTOL, atol=ATOL)
    if isinstance(value, dict) and not results[0].passed and "W1" in value:
        full_batch = _step(X, Y, [W1, b1, W2, b2], learning_rate)[0]
        if compare("", value["W1"], full_batch, rtol=RTOL, atol=ATOL, slip_hints=False).passed:
            results[0] = Result(results[0].name, False, f"{label}: this is one full-batch step; SGD updates the "
                                "parameters after every single sample, in the given order.")
    return results


# ---------------------------------------------------------------------------------------------- value questions
def sin_fit(value):
    array = as_array(value)
    if array is None or array.dtype == object or array.size != 100:
        return [Result("shape", False, f"sin_predictions: expected 100 numbers, received {describe(value)}.")]
    if not np.all(np.isfinite(array)):
        return [Result("shape", False, "sin_predictions: contains NaN or inf.")]
    error = float(np.max(np.abs(array.reshape(-1) - np.sin(np.linspace(-np.pi, np.pi, 100)))))
    ok = error < 0.1
    return [Result("shape", True, "sin_predictions: 100 values."),
            Result("fit", ok, "fit: within 0.1 of sin(x) everywhere." if ok else
                   "fit: some predictions are more than 0.1 away from sin(x); train longer or use more units.")]


HIDDEN_SIZES = ("1", "2", "20", "50")
LOSS_AT_START = float(np.log(2))  # the cross-entropy of a network that outputs 1/2 everywhere (tiny initial weights)


def hidden_size_losses(value):
    """Shape and range checks of final_losses; returns (results, the four losses in key order or None)."""
    if not isinstance(value, dict) or sorted(map(str, value)) != sorted(HIDDEN_SIZES):
        return [Result("keys", False, f"final_losses: expected a dict with keys 1, 2, 20, 50; got {describe(value)}"
                       f"{' with keys ' + str(sorted(map(str, value))) if isinstance(value, dict) else ''}.")], None
    losses = {str(k): v for k, v in value.items()}
    array = as_array([losses[k] for k in HIDDEN_SIZES])
    if array is None or array.dtype == object or array.shape != (4,) or not np.all(np.isfinite(array)):
        return [Result("finite", False, "final_losses: every loss must be a finite number.")], None
    in_range = bool(np.all((array > 0) & (array < LOSS_AT_START)))
    return [Result("finite", True, "final_losses: four finite losses."),
            Result("range", in_range, "range: every loss lies between 0 and the loss at the start, log 2."
                   if in_range else "range: a trained classifier's cross-entropy lies between 0 and log 2 = 0.693 "
                   "(its value at the start, when every output is about 1/2); is it the final loss of the "
                   "training curve, with the mean over the samples?")], array


def hidden_sizes(value):
    results, array = hidden_size_losses(value)
    if array is None:
        return results
    return results + judge_commitment("q22_hidden_sizes", array, hint="Did you train the source's classifier "
                                      "with the settings given, the same for every size, on the training split?")


OBSERVED_EPOCHS = {"activation": 10000, "l2": 2000, "sgd": 100}  # stated in the questions of 3.6-3.8
L2_STRENGTHS = (0.0, 1.0, 3.0, 10.0)


def _finite_numbers(value, size=None):
    array = as_array(value)
    if array is None or array.dtype == object or array.ndim > 1 or not np.all(np.isfinite(array)):
        return None
    array = array.reshape(-1)
    return array if size is None or array.size == size else None


def activation_runs(value):
    """3.6: shape, length and trend checks; returns (results, {"sigmoid"/"tanh": (curve, train, test)} or None)."""
    if not isinstance(value, dict) or sorted(map(str, value)) != ["sigmoid", "tanh"]:
        return [Result("keys", False, f"tanh_vs_sigmoid: expected a dict with keys 'sigmoid' and 'tanh'; got "
                       f"{describe(value)}.")], None
    epochs, runs = OBSERVED_EPOCHS["activation"], {}
    for name in ("sigmoid", "tanh"):
        run = value[name]
        if not isinstance(run, dict) or not {"curve", "train", "test"} <= set(map(str, run)):
            return [Result("keys", False, f"tanh_vs_sigmoid[{name!r}]: expected a dict with keys 'curve', 'train' "
                           "and 'test'.")], None
        curve, train, test = (_finite_numbers(run[k], size) for k, size in (("curve", epochs), ("train", 1),
                                                                                ("test", 1)))
        if curve is None or train is None or test is None:
            return [Result("curve", False, f"tanh_vs_sigmoid[{name!r}]: the curve must hold {epochs} finite losses "
                           "(one per epoch) and 'train' and 'test' one finite number each.")], None
        runs[name] = (curve, float(train[0]), float(test[0]))
    results = [Result("curve", True, f"tanh_vs_sigmoid: two curves of {epochs} finite losses.")]
    start = all(abs(runs[n][0][0] - np.log(2)) < 0.01 for n in runs)
    results.append(Result("start", start, "start: both curves start at about log 2, the loss of tiny weights." if
                          start else "start: a curve should start near log 2 = 0.693 (weights of about 0.01 give "
                          "outputs of about 1/2); record the loss before each step, from the source's initial "
                          "parameters."))
    falls = all(runs[n][1] < runs[n][0][0] and runs[n][0][-1] < runs[n][0][0] for n in runs)
    results.append(Result("falls", falls, "falls: both losses fall from the start." if falls else
                          "falls: a loss ends above where it started; is the step taken against the gradient?"))
    last = all(abs(runs[n][1] - runs[n][0][-1]) < 0.01 for n in runs)
    results.append(Result("train", last, "train: each final training loss continues its curve." if last else
                          "train: 'train' should be the training loss after the last step, close to the curve's "
                          "last value; is it computed on the training split?"))
    better = runs["tanh"][1] < runs["sigmoid"][1]
    results.append(Result("tanh lower", better, "tanh lower: the tanh network ends with the lower training loss."
                          if better else "tanh lower: at the source's settings the tanh hidden layer should end "
                          f"lower than the sigmoid after {epochs} epochs; did both runs use all the epochs, the "
                          "same initial weights, and each its own gradient function?"))
    return results, runs


def activations_observed(value):
    return activation_runs(value)[0]


def l2_runs(value):
    """3.7: keys, finite values and the trend; returns (results, array (4, 3) of train, test, norm or None)."""
    try:
        runs = {float(k): v for k, v in value.items()} if isinstance(value, dict) else None
    except (TypeError, ValueError):
        runs = None
    if runs is None or sorted(runs) != list(L2_STRENGTHS):
        return [Result("keys", False, f"l2_study: expected a dict with keys {', '.join(map(str, L2_STRENGTHS))}; "
                       f"got {describe(value)}.")], None
    rows = []
    for lam in L2_STRENGTHS:
        run = runs[lam]
        row = [_finite_numbers(run.get(k), 1) if isinstance(run, dict) else None
               for k in ("train", "test", "weight_norm")]
        if any(r is None for r in row):
            return [Result("finite", False, f"l2_study[{lam}]: expected a dict of three finite numbers, 'train', "
                           "'test' and 'weight_norm'.")], None
        rows.append([float(r[0]) for r in row])
    array = np.array(rows)
    results = [Result("finite", True, "l2_study: three finite numbers for each lambda.")]
    shrinks = bool(np.all(np.diff(array[:, 2]) < 0) and np.all(array[:, 2] > 0))
    results.append(Result("norm falls", shrinks, "norm falls: the weights shrink as lambda grows." if shrinks else
                          "norm falls: the penalty should shrink the weights more for every larger lambda; is the "
                          "norm sqrt(||W1||² + ||W2||²) of the trained weights, and lambda/m * W added to dW?"))
    rises = bool(np.all(np.diff(array[:, 0]) > 0))
    results.append(Result("loss rises", rises, "loss rises: the training loss (without the penalty) rises with "
                          "lambda." if rises else "loss rises: the cross-entropy on the training split should rise "
                          "with lambda (the penalty trades fit for small weights); report it without the penalty."))
    return results, array


def l2_observed(value):
    return l2_runs(value)[0]


def sgd_runs(value):
    """3.8: two curves, their noise recomputed from them, SGD noisier; returns (results, parsed dict or None)."""
    keys = ["full_batch", "full_batch_noise", "sgd", "sgd_noise"]
    if not isinstance(value, dict) or sorted(map(str, value)) != keys:
        return [Result("keys", False, f"sgd_study: expected a dict with keys {', '.join(keys)}; got "
                       f"{describe(value)}.")], None
    epochs = OBSERVED_EPOCHS["sgd"]
    parsed = {k: _finite_numbers(value[k], epochs if k in ("sgd", "full_batch") else 1) for k in keys}
    if any(v is None for v in parsed.values()):
        return [Result("curves", False, f"sgd_study: each curve must hold {epochs} finite losses (one per epoch) and "
                       "each noise one finite number.")], None
    parsed = {k: (v if k in ("sgd", "full_batch") else float(v[0])) for k, v in parsed.items()}
    results = [Result("curves", True, f"sgd_study: two curves of {epochs} finite losses.")]
    same = abs(parsed["sgd"][0] - parsed["full_batch"][0]) < 1e-9
    results.append(Result("same start", same, "same start: both runs start from the same parameters." if same else
                          "same start: both curves should begin with the same loss, from source_init(4) before any "
                          "step."))
    noise = [float(np.std(np.diff(parsed[k][epochs // 2:]))) for k in ("sgd", "full_batch")]
    consistent = all(abs(n - parsed[f"{k}_noise"]) <= 1e-6 * n + 1e-12 for n, k in zip(noise, ("sgd", "full_batch"),
                                                                                     strict=True))
    results.append(Result("noise", consistent, "noise: each noise is the spread of its curve's changes." if
                          consistent else "noise: the noise should be np.std(np.diff(curve[50:])), the spread of the "
                          "epoch-to-epoch changes over the last 50 epochs of that curve."))
    noisier = parsed["sgd_noise"] > 10 * parsed["full_batch_noise"]
    results.append(Result("sgd noisier", noisier, "sgd noisier: SGD's curve is much noisier than full batch's." if
                          noisier else "sgd noisier: SGD's curve should be far noisier than full batch's; does each "
                          "SGD step use one sample, in a new random order every epoch?"))
    return results, parsed


def sgd_observed(value):
    return sgd_runs(value)[0]


REGRESSION_LOSSES = {"mean_squared_error", "half_mean_squared_error", "mean_absolute_error", "huber",
                     "log_mean_squared_error"}


def design(value):
    if not isinstance(value, dict):
        return [Result("design", False, f"design: expected a dict, received {describe(value)}.")]
    features, sizes = value.get("features"), value.get("layer_sizes")
    ok_features = isinstance(features, list) and len(features) >= 5 and all(isinstance(f, str) for f in features)
    sizes = as_array(sizes)
    ok_sizes = bool(sizes is not None and sizes.ndim == 1 and sizes.size >= 3 and np.all(np.isfinite(sizes))
                    and np.all(sizes >= 1) and ok_features and int(sizes[0]) == len(features) and int(sizes[-1]) == 1)
    ok_loss = value.get("loss") in REGRESSION_LOSSES
    return [Result("features", ok_features, "features: at least five named descriptors." if ok_features else
                   "features: list at least five molecular descriptors as strings."),
            Result("layer_sizes", ok_sizes, "layer_sizes: inputs match the features, one output." if ok_sizes else
                   "layer_sizes: start with one input per feature, end with one output (the rate), with at "
                   "least one hidden layer."),
            Result("loss", ok_loss, "loss: a regression loss." if ok_loss else
                   f"loss: a rate is a real number; pick a regression loss, one of {sorted(REGRESSION_LOSSES)}.")]


# ---------------------------------------------------------------------------------------------- set 05: chapters 8, 9
def recognise(result: Result, value, slips, rtol=1e-6, atol=1e-10) -> Result:
    """Append the hint of the first known wrong answer (``slips``: [(wrong value, hint)]) that ``value`` matches."""
    if result.passed:
        return result
    for wrong, hint in slips:
        if compare("", value, wrong, rtol=rtol, atol=atol, slip_hints=False).passed:
            return Result(result.name, False, f"{result.message} {hint}")
    return result


def gradient_norm_slips(args, expected):
    """Known wrong answers to q29: the sum over the samples (no 1/m), the output layer listed first."""
    m = np.asarray(args[0]).shape[1]
    return [(m * np.asarray(expected), f"Your norms are {m} times too large (m = {m}): the loss is the mean over "
             "the samples, so the output error is (A - Y) / m."),
            (np.asarray(expected)[::-1], "The norms are in reverse order: list layer 1 (next to the input) first.")]


def _loss_from_layer(X, Y, weights, biases, activation, layer):
    """The exercise's mean cross-entropy as a function of Z[layer] (1-based), the later layers as given."""
    g, _ = get_activation(activation)

    def f(Z):
        for index in range(layer, len(weights)):  # weights[index] is W[index + 1]
            Z = weights[index] @ g(Z) + biases[index]
        return mlp.batch_loss(weights, Z, Y, "binary_cross_entropy")
    return f


def gradient_norms_expected(X, Y, weights, biases, activation):
    """{"dW": ||dL/dW[l]||, "delta": ||dL/dZ[l]||} from central differences of the loss."""
    f = _network_loss(activation, "binary_cross_entropy", len(weights))
    grads = _network_gradients(f, X, Y, [a for pair in zip(weights, biases, strict=True) for a in pair])
    Z, _ = mlp.forward(weights, biases, X, activation)
    deltas = [_numeric(_loss_from_layer(X, Y, weights, biases, activation, layer), [Z[layer - 1]])[0]
              for layer in range(1, len(weights) + 1)]
    return {"dW": np.array([np.linalg.norm(grads[f"dW{layer}"]) for layer in range(1, len(weights) + 1)]),
            "delta": np.array([np.linalg.norm(d) for d in deltas])}


def gradient_norms_results(label, value, args, expected, **tolerances):
    results = compare_mapping(f"{label}: ", value, expected, **tolerances)
    if isinstance(value, dict):
        results = [recognise(r, value.get(key), gradient_norm_slips(args, expected[key]),
                             rtol=tolerances.get("rtol", 1e-6)) for r, key in zip(results, expected, strict=True)]
    return results


def _gradient_norms_check(value, args, label):
    expected = gradient_norms_expected(*args)
    return gradient_norms_results(label, value, args, expected, rtol=RTOL, atol=ATOL)


def predicted_factor_slips(n_sigma2, slopes):
    """Known wrong answers to q30: the single path's mean slope, the variance's factor (no square root)."""
    slopes = np.asarray(slopes, dtype=float)
    return [(np.sqrt(n_sigma2) * np.mean(slopes), "This uses the mean of g'(z), the single path's factor; the "
             "variance of the error collects g'(z)² from every unit."),
            (np.mean(slopes), "This is the single path's expected derivative, without the weights' n sigma_w²."),
            (n_sigma2 * np.mean(slopes**2), "This is the factor of the error's variance; the norm's is its square "
             "root.")]


def simulated_norm_factor(n_sigma2, slopes, draws=8, columns=64):
    """||(W.T delta) * g'|| / ||delta|| for random W with n sigma_w² = ``n_sigma2``: the definition, measured."""
    slopes = np.asarray(slopes, dtype=float).reshape(-1, 1)
    n = slopes.shape[0]
    rng = np.random.default_rng(2024)
    squares = []
    for _ in range(draws):
        W = rng.normal(0, np.sqrt(n_sigma2 / n), (n, n))
        delta = rng.normal(size=(n, columns))
        squares.append(np.sum(((W.T @ delta) * slopes) ** 2) / np.sum(delta**2))
    return float(np.sqrt(np.mean(squares)))


def _scalar_result(name, value):
    """A positive finite number, or a failed Result saying what was received."""
    array = as_array(value)
    if array is None or array.dtype == object or array.size != 1:
        return None, Result(name, False, f"{name}: expected one number, received {describe(value)}.")
    number = float(array.reshape(-1)[0])
    if not np.isfinite(number):
        return None, Result(name, False, f"{name}: NaN or inf.")
    return number, None


def _predicted_factor_check(value, args, label):
    n_sigma2, slopes = args
    name = f"{label}: factor"
    number, failed = _scalar_result(name, value)
    if failed:
        return [failed]
    measured = simulated_norm_factor(n_sigma2, slopes)
    ok = bool(abs(number / measured - 1) < 0.03)
    result = Result(name, ok, f"{name}: within 3% of the factor measured on random weights." if ok else
                    f"{name}: more than 3% away from the factor measured on random weights with this n sigma_w² "
                    "and these slopes.")
    return [recognise(result, number, predicted_factor_slips(n_sigma2, slopes))]


def fit_slips(norms, r):
    """Known wrong answers to q31: the factor inverted, the end points only."""
    norms = np.asarray(norms, dtype=float)
    return [(1 / r, "This is 1/r: the norms are listed input side first, and r is the factor of one step back "
             "towards the input (r < 1: the gradient vanishes there)."),
            ((norms[0] / norms[-1]) ** (1 / (norms.size - 1)), "This uses the first and last norms only; fit a "
             "straight line to the logarithms of all of them (least squares).")]


def _measured_factor_check(value, args, label):
    (norms,) = args
    name = f"{label}: r"
    number, failed = _scalar_result(name, value)
    if failed:
        return [failed]
    if number <= 0:
        return [Result(name, False, f"{name}: a factor per layer is positive.")]
    logs, layers = np.log(np.asarray(norms, dtype=float)), np.arange(len(norms), dtype=float)

    def squared_residuals(s):  # the fit's loss at slope s = log r, the intercept at its best
        residuals = logs + layers * s
        return float(np.sum((residuals - residuals.mean()) ** 2))
    s = np.log(number)
    derivative = (squared_residuals(s + STEP) - squared_residuals(s - STEP)) / (2 * STEP)
    best = s - derivative / (2 * np.sum((layers - layers.mean()) ** 2))  # the loss is quadratic in s
    ok = bool(abs(s - best) < 1e-6)
    result = Result(name, ok, f"{name}: minimises the squared residuals of the straight-line fit to log(norms)." if ok
                    else f"{name}: the least-squares fit of log(norms) against the layer index has its minimum "
                    "elsewhere (the derivative of its squared residuals is not zero at your r).")
    return [recognise(result, number, fit_slips(norms, np.exp(best)), rtol=1e-6)]


def critical_sigma_slips(n):
    return [(np.sqrt(1 / n), "This is Xavier's scale for n_in = n_out: it keeps a layer whose units all pass the "
             "gradient; a ReLU zeroes half of them."),
            (2 / n, "This is sigma_w², the variance; the question asks for the standard deviation.")]


def _critical_sigma_check(value, args, label):
    (n,) = args
    name = f"{label}: sigma_w"
    number, failed = _scalar_result(name, value)
    if failed:
        return [failed]
    if number <= 0:
        return [Result(name, False, f"{name}: a standard deviation is positive.")]
    half_active = (np.arange(int(n)) % 2).astype(float)
    factor = simulated_norm_factor(n * number**2, half_active, draws=max(8, 20_000 // int(n)))
    ok = bool(abs(factor - 1) < 0.03)
    result = Result(name, ok, f"{name}: random ReLU layers with this sigma_w keep the error's norm." if ok else
                    f"{name}: random ReLU layers of width {n} with this sigma_w multiply the error's norm by "
                    f"{'less' if factor < 1 else 'more'} than 1 per layer.")
    return [recognise(result, number, critical_sigma_slips(n))]


def _logistic_data(m, rng):
    X = rng.normal(0, 1.5, (2, m))
    y = (rng.uniform(size=(1, m)) > 0.5).astype(float)
    return X, y


def c_slips(l2, m):
    return [(1 / (l2 * m), "This matches the two penalties but forgets the 1/m of the data term: it regularises m "
             "times less (chapter 9's wrong correspondence)."),
            (l2, "C multiplies the data term and lambda the penalty: they sit on opposite sides."),
            (m / l2, "m / lambda is the factor between the two objectives, not C.")]


def _c_check(value, args, label):
    l2, m = args
    name = f"{label}: C"
    number, failed = _scalar_result(name, value)
    if failed:
        return [failed]
    X, y = _logistic_data(int(m), np.random.default_rng(11))
    ratios = []
    for scale in (0.1, 1.0, 3.0):
        w, b = scale * np.array([[1.0, -0.5]]), 0.2 * scale
        z = w @ X + b
        losses = np.logaddexp(0, z) - y * z
        ours = float(np.mean(losses)) + l2 / (2 * m) * float(np.sum(w * w))
        theirs = number * float(np.sum(losses)) + 0.5 * float(np.sum(w * w))
        ratios.append(theirs / ours)
    ok = bool(number > 0 and np.ptp(ratios) < 1e-9 * abs(np.mean(ratios)))
    result = Result(name, ok, f"{name}: scikit-learn's objective is a constant multiple of ours, the same minimum."
                    if ok else f"{name}: scikit-learn's objective with this C is not a constant multiple of ours "
                    "(their ratio changes with w), so the two minima differ.")
    return [recognise(result, number, c_slips(l2, m))]


def _mean_hinge(z, y):
    return float(np.mean(np.maximum(0.0, 1.0 - y * z)))


def hinge_slips(z, y):
    """Known wrong answers to q35, compared away from the kink: the sum, the sign, the margin without the label."""
    m = np.asarray(z).size
    right = np.where(y * z < 1, -y, 0.0) / m
    return [(m * right, f"Your values are m = {m} times too large: the loss is the mean over the samples."),
            (-right, "The sign is wrong: the hinge 1 - y z falls as y z grows, so its slope in z is -y."),
            (np.where(z < 1, -y, 0.0) / m, "The condition is on the margin y z < 1, not on z < 1.")]


def hinge_expected(value, z, y, reference):
    """``reference`` away from the kink; at the kink (y z = 1), the student's value if it lies between the slopes."""
    kink = np.isclose(y * z, 1.0, rtol=0, atol=1e-12)
    m = z.size
    expected = np.array(reference, dtype=float)
    array = as_array(value)
    if array is not None and array.shape == z.shape and array.dtype != object:
        low, high = np.minimum(-y / m, 0.0), np.maximum(-y / m, 0.0)
        inside = (array >= low - 1e-12) & (array <= high + 1e-12)
        expected[kink & inside] = array[kink & inside]
        expected[kink & ~inside] = np.nan
    return expected, kink


def hinge_result(name, value, z, y, reference) -> Result:
    expected, kink = hinge_expected(value, z, y, reference)
    if np.any(np.isnan(expected)):
        return Result(name, False, f"{name}: at the kink y z = 1 a subgradient lies between the two one-sided "
                      "slopes, -y/m and 0; yours does not.")
    result = compare(name, value, expected, rtol=RTOL, atol=ATOL, slip_hints=False)
    if result.passed or as_array(value) is None or np.shape(value) != z.shape:
        return result
    away = ~kink
    for wrong, hint in hinge_slips(z, y):
        if np.allclose(np.asarray(value, dtype=float)[away], wrong[away], rtol=RTOL, atol=ATOL):
            return Result(name, False, f"{result.message} {hint}")
    return result


def _hinge_check(value, args, label):
    z, y = (np.asarray(a, dtype=float) for a in args)
    numeric = _numeric(lambda t: _mean_hinge(t, y), [z])[0]  # away from the kink; the kink is judged apart
    return [hinge_result(f"{label}: dL/dz", value, z, y, numeric)]


def svm_objective(w, b, X, y, l2):
    """The mean hinge loss plus (lambda / 2m) ||w||², samples as columns, labels -1/+1."""
    w = np.asarray(w, dtype=float).reshape(1, -1)
    return _mean_hinge(w @ X + float(b), y) + l2 / (2 * X.shape[1]) * float(np.sum(w * w))


def svm_minimum(X, y, l2):
    """(w, b) of the exact minimum, from scikit-learn's SVC with C = 1/lambda (the reference chapter 9 uses)."""
    from sklearn.svm import SVC

    model = SVC(kernel="linear", C=1 / l2, tol=1e-10).fit(X.T, y.ravel())
    return model.coef_.reshape(1, -1), float(model.intercept_[0])


SVM_OBJECTIVE_RTOL = 1e-3  # a fixed step of 0.1 stalls about 1e-4 above the minimum; w scaled by 1.1 is 4e-3 above
SVM_WEIGHT_RTOL = 2e-2     # near the minimum the objective is flat: the weights are judged more loosely


def svm_result(name, value, X, y, l2, w_best, b_best) -> Result:
    """Is ``value`` = {"w", "b"} a minimum of the SVM objective, given the exact minimiser (w_best, b_best)?"""
    if not isinstance(value, dict) or "w" not in value or "b" not in value:
        return Result(name, False, f"{name}: expected a dict with keys 'w' and 'b', received {describe(value)}.")
    w, b = as_array(value["w"]), as_array(value["b"])
    if w is None or b is None or w.size != X.shape[0] or b.size != 1 or not np.all(np.isfinite(w)) or \
            not np.isfinite(b).all():
        return Result(name, False, f"{name}: 'w' must hold {X.shape[0]} finite numbers and 'b' one.")
    best = svm_objective(w_best, b_best, X, y, l2)
    gap = svm_objective(w, b.item(), X, y, l2) / best - 1
    close = np.linalg.norm(w.reshape(1, -1) - w_best) < SVM_WEIGHT_RTOL * np.linalg.norm(w_best)
    if gap < SVM_OBJECTIVE_RTOL and close:
        return Result(name, True, f"{name}: the objective is at its minimum.")
    message = f"{name}: the objective is {gap:.1e} above its minimum (relative)." if gap >= SVM_OBJECTIVE_RTOL else \
        f"{name}: the objective is close to its minimum but w is more than 2% away from the minimiser."
    m = X.shape[1]
    w_alt, b_alt = svm_minimum(X, y, l2 * m)  # the penalty (lambda / 2) ||w||², without its 1/m
    if np.linalg.norm(w.reshape(1, -1) - w_alt) < SVM_WEIGHT_RTOL * np.linalg.norm(w_alt):
        message += " Your w minimises the objective with the penalty (lambda / 2) ||w||²: its gradient is " \
                   "(lambda / m) w."
    elif gap >= SVM_OBJECTIVE_RTOL:
        message += " Do you keep the best point visited, step with the subgradient of the whole objective " \
                   "(hinge and penalty), and use z = w x + b?"
    return Result(name, False, message)


def _svm_check(value, args, label):
    X, y, l2, _, _ = args
    return [svm_result(f"{label}: (w, b)", value, X, y, l2, *svm_minimum(X, y, l2))]


def _logistic_loss(X, y, l2, data_scale=None, penalty=None):
    m = X.shape[1]

    def f(w, b):
        z = w @ X + b
        data = np.logaddexp(0, z) - y * z
        value = float(np.sum(data)) if data_scale == "sum" else float(np.mean(data))
        return value + (penalty if penalty is not None else l2 / (2 * m)) * float(np.sum(w * w))
    return f


def logistic_results(label, value, args, expected):
    """Compare {"dw", "db"} with ``expected``; name the usual slips in dw (penalty without 1/m, the sum, no penalty)."""
    w, b, X, y, l2 = args
    b = np.array(float(b))
    results = compare_mapping(f"{label}: ", value, expected, rtol=RTOL, atol=ATOL)
    if isinstance(value, dict) and not results[0].passed and "dw" in value:
        slips = [(_numeric(_logistic_loss(X, y, l2, penalty=l2 / 2), [w, b])[0],
                  "dw matches the penalty (lambda / 2) ||w||²: this exercise's is (lambda / 2m) ||w||², whose "
                  "gradient is (lambda / m) w."),
                 (_numeric(_logistic_loss(X, y, l2, data_scale="sum"), [w, b])[0],
                  "dw matches the sum of the losses: the loss is their mean (the 1/m)."),
                 (_numeric(_logistic_loss(X, y, 0.0), [w, b])[0], "dw leaves out the penalty's gradient.")]
        results[0] = recognise(results[0], value["dw"], [s for s in slips if l2 or "penalty's" not in s[1]],
                               rtol=RTOL, atol=ATOL)
    return results


def _logistic_check(value, args, label):
    w, b, X, y, l2 = args
    dw, db = _numeric(_logistic_loss(X, y, l2), [w, np.array(float(b))])
    return logistic_results(label, value, args, {"dw": dw, "db": db})



# ---------------------------------------------------------------------------------------------- set 06: chapters 10-12
def ising_energy(spins):
    """The total energy E = -sum_<ij> s_i s_j of one periodic configuration (J = 1), from chapter 10's definition."""
    from backprop.ising import energy_per_site

    s = np.asarray(spins)
    return float(energy_per_site(s)) * s.shape[-1] * s.shape[-2]


def flip_differences(spins):
    """E(after flipping site (i, j)) - E(before), by flipping each site and recomputing the whole energy."""
    s = np.asarray(spins, dtype=np.int64)
    before = ising_energy(s)
    out = np.empty(s.shape)
    for index in np.ndindex(s.shape):
        flipped = s.copy()
        flipped[index] *= -1
        out[index] = ising_energy(flipped) - before
    return out


def open_boundary_flips(spins):
    """2 s_i h_i with only the neighbours inside the lattice (no wrap-around): the usual slip at the edges."""
    s = np.asarray(spins, dtype=float)
    padded = np.pad(s, 1)
    h = padded[:-2, 1:-1] + padded[2:, 1:-1] + padded[1:-1, :-2] + padded[1:-1, 2:]
    return 2 * s * h


def flip_slips(spins, expected):
    return [(expected / 2, "Your values are half the energy change: flipping s_i changes each bond s_i s_j from "
             "s_i s_j to -s_i s_j, a change of 2 s_i s_j, so dE = 2 s_i h_i."),
            (-expected, "The sign is wrong: a flip that breaks aligned bonds raises the energy (dE > 0)."),
            (open_boundary_flips(spins), "Wrong at the edges only: the lattice is periodic, so a site on the "
             "right edge has its right neighbour on the left edge (np.roll).")]


def _flip_check(value, args, label):
    (spins,) = args
    expected = flip_differences(spins)
    result = compare(f"{label}: dE", value, expected, rtol=1e-9, atol=1e-9, slip_hints=False)
    return [recognise(result, value, flip_slips(spins, expected), atol=1e-9)]


def acceptance_slips(d, T):
    return [(np.exp(-d / T), "Some values exceed 1: a probability is at most 1, so the rule is min(1, e^(-dE/T)); "
             "a move that lowers the energy is always accepted."),
            (np.minimum(1, np.exp(d / T)), "The sign is wrong: a move that raises the energy (dE > 0) is accepted "
             "with probability e^(-dE/T) < 1."),
            (np.minimum(1, np.exp(-d / (2 * T))), "This is min(1, e^(-dE/(2T))): it samples temperature 2T."),
            (1 / (1 + np.exp(d / T)), "This is the heat-bath (Glauber) rule: it satisfies detailed balance too, but "
             "it is not Metropolis's; Metropolis accepts every downhill move.")]


def _acceptance_check(value, args, label):
    d, T = args
    n = d.size // 2
    array = as_array(value)
    if array is None or array.dtype == object or array.shape != d.shape:
        return [Result(f"{label}: A(dE)", False, f"{label}: A(dE): expected {d.size} numbers, one per dE, received "
                       f"{describe(value)}.")]
    if not np.all(np.isfinite(array)) or np.any(array <= 0):
        return [Result(f"{label}: A(dE)", False, f"{label}: A(dE): probabilities must be finite and positive.")]
    up, down = array[:n], array[n:]
    balance = compare(f"{label}: detailed balance A(dE) / A(-dE) = e^(-dE/T)", up / down, np.exp(-d[:n] / T),
                      rtol=1e-9, atol=0, slip_hints=False)
    largest = compare(f"{label}: the larger of A(dE), A(-dE) is 1", np.maximum(up, down), np.ones(n), rtol=1e-12,
                      atol=1e-12, slip_hints=False)
    return [recognise(r, array, acceptance_slips(d, T)) for r in (balance, largest)]


def spin_states(L):
    """Every configuration of an L x L lattice: state a has spin (i, j) = +1 if bit i L + j of a is set, else -1."""
    N = L * L
    bits = (np.arange(2**N)[:, None] >> np.arange(N)[None, :]) & 1
    return (2 * bits - 1).reshape(-1, L, L)


def single_flip_pairs(L):
    """A boolean (2^N, 2^N) matrix: True where the states differ by exactly one spin."""
    N = L * L
    a = np.arange(2**N)
    diff = a[:, None] ^ a[None, :]
    return (diff != 0) & ((diff & (diff - 1)) == 0)


def metropolis_matrix_with(L, T, acceptance, proposal=None):
    """The single-flip matrix for an acceptance rule of dE (used for the known slips)."""
    N = L * L
    energies = np.array([ising_energy(s) for s in spin_states(L)])
    pairs = single_flip_pairs(L)
    P = np.where(pairs, acceptance(energies[None, :] - energies[:, None], T) * (1 / N if proposal is None
                                                                                 else proposal), 0.0)
    return P + np.diag(1 - P.sum(axis=1))


def transition_slips(L, T):
    metropolis = lambda d, t: np.minimum(1, np.exp(-d / t))  # noqa: E731 - the rule of the slips below
    return [(metropolis_matrix_with(L, T, metropolis, proposal=1.0), "The site is chosen at random among the N "
             "sites: a move to one neighbouring state is proposed with probability 1/N, then accepted."),
            (metropolis_matrix_with(L, 2 * T, metropolis), "Your matrix is in detailed balance at temperature 2T: "
             "on a 2 x 2 periodic lattice the left and the right neighbour are the same site, and h_i counts it "
             "twice (np.roll does this for you)."),
            (np.where(single_flip_pairs(L), metropolis_matrix_with(L, T, metropolis), 0.0), "The diagonal is the "
             "probability of staying (a rejected proposal): each row must sum to 1.")]


def _transition_check(value, args, label):
    L, T = args
    N, size = L * L, 2 ** (L * L)
    name = f"{label}: P"
    array = as_array(value)
    if array is None or array.dtype == object or array.shape != (size, size):
        return [Result(name, False, f"{name}: expected a ({size}, {size}) matrix, received {describe(value)}.")]
    if not np.all(np.isfinite(array)):
        return [Result(name, False, f"{name}: contains NaN or inf.")]
    energies = np.array([ising_energy(s) for s in spin_states(L)])
    pairs = single_flip_pairs(L)
    weights = np.exp(-(energies - energies.min()) / T)
    flow = weights[:, None] * array
    results = [
        compare(f"{name}: each row sums to 1", array.sum(axis=1), np.ones(size), rtol=1e-9, atol=1e-12,
                slip_hints=False),
        Result(f"{name}: only single flips", bool(np.all(array[~pairs & ~np.eye(size, dtype=bool)] == 0)),
               f"{name}: only single flips." if np.all(array[~pairs & ~np.eye(size, dtype=bool)] == 0) else
               f"{name}: a state can only move to a state that differs by one spin; other entries are 0."),
        compare(f"{name}: detailed balance pi_a P_ab = pi_b P_ba, pi ~ e^(-E/T)", flow, flow.T, rtol=1e-9,
                atol=1e-15, slip_hints=False),
        compare(f"{name}: the larger of P_ab, P_ba is 1/N (the proposal)", np.maximum(array, array.T)[pairs],
                np.full(int(pairs.sum()), 1 / N), rtol=1e-9, atol=1e-15, slip_hints=False)]
    slips = transition_slips(L, T)
    return [recognise(r, array, slips, rtol=1e-9, atol=1e-12) for r in results]


def observable_slips(spins, expected):
    N = spins.shape[-1] * spins.shape[-2]
    return {"m": [(np.abs(expected["m"]), "This is |m|: the question asks for the signed magnetisation.")],
            "e": [(2 * expected["e"], "Your energies are twice the right ones: each bond is counted twice. Count "
                   "each bond once (right and below neighbours only)."),
                  (N * expected["e"], f"These are total energies: divide by the N = {N} sites."),
                  (-expected["e"], "The sign is wrong: E = -sum s_i s_j, aligned spins lower the energy.")]}


def observable_results(label, value, spins, expected):
    results = compare_mapping(f"{label}: ", value, expected, rtol=1e-9, atol=1e-12)
    if isinstance(value, dict):
        slips = observable_slips(np.asarray(spins), expected)
        results = [recognise(r, value.get(key), slips[key]) for r, key in zip(results, expected, strict=True)]
    return results


def _observables_check(value, args, label):
    from backprop.ising import energy_per_site, magnetisation_per_site

    (spins,) = args
    return observable_results(label, value, spins, {"m": magnetisation_per_site(spins),
                                                    "e": energy_per_site(spins)})


def tau_slips(x, tau):
    from backprop.ising import autocorrelation

    return [(tau - 0.5, "This is the sum of rho(t) for t >= 1 alone: tau_int starts at 1/2 (half of rho(0) = 1)."),
            (2 * tau, "This is 2 tau_int (the convention 1 + 2 sum rho(t)); the chapter's tau_int is half of it."),
            (0.5 + float(np.sum(autocorrelation(x)[1:])), "This sums rho(t) over every lag: stop at Sokal's "
             "window, the smallest W with W >= 5 tau(W), before the noisy tail.")]


def _tau_check(value, args, label):
    from backprop.ising import integrated_autocorrelation_time

    (x,) = args
    tau = integrated_autocorrelation_time(x, 5.0)
    result = compare(f"{label}: tau_int", value, tau, rtol=1e-8, atol=1e-10, slip_hints=False)
    return [recognise(result, value, tau_slips(x, tau), rtol=1e-6)]


def binder_slips(m):
    m2, m4 = np.mean(m**2, axis=1), np.mean(m**4, axis=1)
    return [(1 - m4 / m2**2, "The 3 is missing: U4 = 1 - <m^4> / (3 <m^2>^2), so that a Gaussian m gives 0."),
            (1 - m4 / (9 * m2**2), "This divides by (3 <m^2>)^2: only <m^2> is squared, U4 = 1 - <m^4> / "
             "(3 <m^2>^2)."),
            (1 - np.mean(m**4, axis=0) / (3 * np.mean(m**2, axis=0) ** 2), "This averages over the temperatures: "
             "average each row (one temperature) over its samples.")]


def _binder_check(value, args, label):
    from backprop.ising.scaling import binder_cumulant

    (m,) = args
    result = compare(f"{label}: U4", value, binder_cumulant(m, axis=1), rtol=1e-9, atol=1e-12, slip_hints=False)
    return [recognise(result, value, binder_slips(m))]


def crossing_slips(T, y1, y2):
    d = y1 - y2
    j = int(np.flatnonzero(np.sign(d[1:]) != np.sign(d[:-1]))[0])
    nearest = T[j] if abs(d[j]) < abs(d[j + 1]) else T[j + 1]
    return [(T[j], "This is a grid point: interpolate linearly between the two grid points around the sign "
             "change."), (T[j + 1], "This is a grid point: interpolate linearly between the two grid points "
             "around the sign change."), (nearest, "This is a grid point: interpolate linearly."),
            ((T[j] + T[j + 1]) / 2, "This is the middle of the interval: the crossing is where the two straight "
             "lines meet, weighted by the differences at its ends.")]


def _crossing_check(value, args, label):
    T, y1, y2 = (np.asarray(a, dtype=float) for a in args)
    name = f"{label}: T_cross"
    number, failed = _scalar_result(name, value)
    if failed:
        return [failed]
    inside = T[0] <= number <= T[-1]
    gap = np.interp(number, T, y1) - np.interp(number, T, y2) if inside else np.inf
    ok = bool(abs(gap) < 1e-9)
    result = Result(name, ok, f"{name}: the two interpolated curves meet there." if ok else
                    f"{name}: the two curves, interpolated linearly between grid points, do not meet at your "
                    "temperature.")
    return [recognise(result, number, crossing_slips(T, y1, y2))]


def accuracy_slips(predicted, labels):
    from backprop.ising.phases import balanced_accuracy

    return [(np.mean(predicted == labels), "This is the plain accuracy: with unbalanced labels it rewards "
             "predicting the common label; average the accuracies on the two labels instead."),
            (1 - balanced_accuracy(predicted, labels), "This is 1 minus the balanced accuracy: count the samples "
             "predicted right.")]


def _accuracy_check(value, args, label):
    from backprop.ising.phases import balanced_accuracy

    predicted, labels = args
    result = compare(f"{label}: balanced accuracy", value, balanced_accuracy(predicted, labels), rtol=1e-9,
                     atol=1e-12, slip_hints=False)
    return [recognise(result, value, accuracy_slips(predicted, labels))]


def block_slips(spins, b):
    s = np.asarray(spins, dtype=float)
    n, L = s.shape[0], s.shape[-1]
    sums = s.reshape(n, L // b, b, L // b, b).sum(axis=(2, 4))
    return [(s[:, ::b, ::b], "This keeps one spin per block (decimation); the majority rule takes the sign of "
             "the block's sum."),
            (sums / b**2, "These are the blocks' mean spins; a block spin is their sign, +1 or -1.")]


def _block_check(value, args, label):
    from backprop.ising.blocks import block_spins

    spins, b = args
    expected = block_spins(spins, spins.shape[-1] // int(b), random_state=0).astype(float)
    result = compare(f"{label}: block spins", value, expected, rtol=0, atol=1e-12, slip_hints=False)
    return [recognise(result, value, block_slips(spins, int(b)))]


def _softplus(z):
    return np.logaddexp(0.0, z)


def _stable_sigmoid(z):
    return 0.5 * (1 + np.tanh(np.asarray(z, dtype=float) / 2))


def softplus_graph_loss(X, W1, b1, w2):
    """L = mean(softplus(w2 @ softplus(W1 @ X + b1))): exercise 6.12's graph."""
    return float(np.mean(_softplus(w2 @ _softplus(W1 @ X + b1))))


def softplus_graph_with(X, W1, b1, w2, slope, incoming=True):
    """The gradients of the graph when softplus's VJP returns ``slope(a)`` times g (or, incoming=False, without g)."""
    m = X.shape[1]
    Z1 = W1 @ X + b1
    H = _softplus(Z1)
    Z2 = w2 @ H
    gZ2 = slope(Z2) / m if incoming else slope(Z2)
    gZ1 = (w2.T @ gZ2) * slope(Z1) if incoming else slope(Z1)
    return {"dW1": gZ1 @ X.T, "db1": gZ1.sum(axis=1, keepdims=True), "dw2": gZ2 @ H.T}


def softplus_slips(X, W1, b1, w2):
    wrong = [(lambda z: _stable_sigmoid(-z), True, "Your backward rule uses sigma(-a) = 1 - sigma(a): the "
              "derivative of log(1 + e^a) is e^a / (1 + e^a) = sigma(a)."),
             (lambda z: _stable_sigmoid(z) * (1 - _stable_sigmoid(z)), True, "Your backward rule uses "
              "sigma(a)(1 - sigma(a)), the sigmoid's derivative; softplus's derivative is sigma(a) itself."),
             (_stable_sigmoid, False, "Your backward rule returns the local derivative without the incoming "
              "gradient: the VJP is g * sigma(a).")]
    return [(softplus_graph_with(X, W1, b1, w2, slope, incoming)["dW1"], hint) for slope, incoming, hint in wrong]


def softplus_results(label, value, args, expected):
    results = compare_mapping(f"{label}: ", value, expected, rtol=RTOL, atol=ATOL)
    if isinstance(value, dict):
        slips = softplus_slips(*args)
        results = [recognise(r, value.get("dW1"), slips, rtol=RTOL, atol=ATOL) if key == "dW1" else r
                   for r, key in zip(results, expected, strict=True)]
    return results


def _softplus_check(value, args, label):
    X, W1, b1, w2 = args
    dW1, db1, dw2 = _numeric(lambda a, b, c: softplus_graph_loss(X, a, b, c), [W1, b1, w2])
    return softplus_results(label, value, args, {"value": softplus_graph_loss(*args), "dW1": dW1, "db1": db1,
                                                 "dw2": dw2})


def layer_function(W, b, x):
    """Exercise 6.13's f(x) = tanh(W x + b) + (x . x), the number added to every entry."""
    return np.tanh(W @ x + b) + float(np.sum(x * x))


def jvp_slips(W, b, x, v):
    z = W @ x + b
    return [((W @ v) + 2 * float(np.sum(x * v)), "The tangent of tanh is missing: the tangent of tanh(z) is "
             "(1 - tanh(z)^2) times the tangent of z."),
            ((1 - np.tanh(z) ** 2) * (W @ v) + float(np.sum(x * v)), "The tangent of x . x is 2 (x . v), not x . v.")]


def jvp_results(label, value, args, expected):
    results = compare_mapping(f"{label}: ", value, expected, rtol=RTOL, atol=ATOL)
    if isinstance(value, dict):
        results = [recognise(r, value.get("tangent"), jvp_slips(*args), rtol=RTOL, atol=ATOL) if key == "tangent"
                   else r for r, key in zip(results, expected, strict=True)]
    return results


def _jvp_check(value, args, label):
    W, b, x, v = args
    tangent = (layer_function(W, b, x + STEP * v) - layer_function(W, b, x - STEP * v)) / (2 * STEP)
    return jvp_results(label, value, args, {"value": layer_function(W, b, x), "tangent": tangent})


def measured_passes(n_outputs, n_inputs):
    """(forward, reverse): the passes that build a Jacobian of shape (n_outputs, n_inputs), counted on the engines."""
    from backprop.autodiff import Tensor, jacobian

    A = np.random.default_rng(0).normal(size=(n_outputs, n_inputs))
    forward = [0]

    def f(x):
        forward[0] += 1
        return A @ x
    jacobian(f, np.ones((n_inputs, 1)))
    reverse = 0
    for row in range(n_outputs):  # one backward pass per output: row `row` of the Jacobian
        x = Tensor(np.ones((n_inputs, 1)))
        (Tensor(A[row:row + 1], requires_grad=False) @ x).backward()
        reverse += 1
    return forward[0], reverse


def pass_slips(expected):
    return [(expected[:, ::-1], "Forward and reverse are swapped: one forward pass pushes one input direction "
             "and gives one column of J; one reverse pass pulls one output and gives one row."),
            (np.column_stack([expected[:, 0], np.ones(len(expected))]), "Reverse mode needs one pass per output "
             "(one row of J each): one pass only when the function has a single output, such as a loss.")]


def _passes_check(value, args, label):
    (shapes,) = args
    expected = np.array([measured_passes(int(o), int(i)) for o, i in shapes], dtype=float)
    result = compare(f"{label}: passes", value, expected, rtol=0, atol=1e-9, slip_hints=False)
    return [recognise(result, value, pass_slips(expected))]


def _matmul_check(value, args, label):
    A, B, G = args
    dA, dB = _numeric(lambda a, b: float(np.sum(G * (a @ b))), [A, B])
    return compare_mapping(f"{label}: ", value, {"dA": dA, "dB": dB}, rtol=RTOL, atol=ATOL)


SELF_CHECKS = {
    "q00_derivative": each_call(_derivative_check),
    "q01_identity_gradient": each_call(_neuron_check("identity_neuron")),
    "q02_sigmoid_gradient": each_call(_neuron_check("sigmoid_neuron")),
    "q03_gradient_descent": each_call(_descent_check),
    "q04_stale_variable_bug": _batch_judge,
    "q05_w1_update_bug": each_call(_sequence_check),
    "q05b_two_in_a_layer": each_call(_layer_check),
    "q07_relu_derivative": each_call(_relu_derivative_check),
    "q09_complete_calculation": each_call(_by_hand_check),
    "q10_two_hidden_layers": each_call(_net_check("sigmoid", "binary_cross_entropy", 3)),
    "q12_xtanh_derivative": value_check(judge_xtanh_derivative),
    "q13_xtanh_backward": each_call(_xtanh_backward_check),
    "q15_multi_output": each_call(_weighted_check),
    "q15e_multi_output_update": each_call(_update_check),
    "q17_tanh_hidden": each_call(_net_check("tanh", "binary_cross_entropy", 2)),
    "q18_l2_gradients": each_call(_net_check("sigmoid", "binary_cross_entropy", 2, l2_index=4)),
    "q19_sgd_epoch": each_call(_sgd_check),
    "q20_mse_gradients": each_call(_weighted_check),
    "q21_sin_fit": value_check(sin_fit),
    "q22_hidden_sizes": value_check(hidden_sizes),
    "q22b_tanh_against_sigmoid": value_check(activations_observed),
    "q22c_l2_strengths": value_check(l2_observed),
    "q22d_sgd_noise": value_check(sgd_observed),
    "q24_sigmoid_magnitudes": value_check(lambda v: judge_commitment("q24_sigmoid_magnitudes", v)),
    "q25_relu_magnitudes": value_check(lambda v: judge_commitment("q25_relu_magnitudes", v)),
    "q25b_relu_norm_factors": value_check(lambda v: judge_commitment(
        "q25b_relu_norm_factors", v, hint="Use chapter 8's variance argument for a ReLU with half the units active.")),
    "q27_design_checkable": value_check(design),
    "q29_gradient_norms": each_call(_gradient_norms_check),
    "q30_predicted_factor": each_call(_predicted_factor_check),
    "q31_measured_factor": each_call(_measured_factor_check),
    "q32_critical_sigma": each_call(_critical_sigma_check),
    "q34_c_from_lambda": each_call(_c_check),
    "q35_hinge_subgradient": each_call(_hinge_check),
    "q36_train_svm": each_call(_svm_check),
    "q37_logistic_gradients": each_call(_logistic_check),
    "q39_flip_energy": each_call(_flip_check),
    "q40_metropolis_acceptance": each_call(_acceptance_check),
    "q41_transition_matrix": each_call(_transition_check),
    "q42_observables": each_call(_observables_check),
    "q43_autocorrelation_time": each_call(_tau_check),
    "q45_binder_cumulant": each_call(_binder_check),
    "q46_curve_crossing": each_call(_crossing_check),
    "q47_balanced_accuracy": each_call(_accuracy_check),
    "q48_block_spins": each_call(_block_check),
    "q50_softplus_op": each_call(_softplus_check),
    "q51_jvp_by_duals": each_call(_jvp_check),
    "q52_pass_counts": each_call(_passes_check),
    "q53_matmul_vjp": each_call(_matmul_check),
}
