"""How each question's returned values are judged: sub-checks against the answer key, with slip-specific hints.

A judge takes ``outcomes`` (``("value", decoded value)`` or ``("error", message)``, one per call) and the calls,
and returns a list of :class:`~backprop.grading.checks.Result`. Beyond right/wrong, judges recognise the slips the
sources invite: the source's own two bugs (a stale scalar in the batch gradient, w1 stepped from w2), the L2 term
without its 1/m, "SGD" that is really one full-batch step.
"""

from __future__ import annotations

import numpy as np

from backprop.grading import references as ref
from backprop.grading.checks import Result, as_array, compare, compare_mapping, describe, error_result


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


def pair_check(reference):
    def check(value, args, label):
        return [compare(f"{label}: (dL/dw, dL/db)", value, reference(*args))]
    return check


def sequence_check(value, args, label):
    expected = ref.sequence_update(*args)
    results = compare_mapping(f"{label}: new ", value, expected)
    if isinstance(value, dict) and not results[0].passed:
        buggy = ref.sequence_update_with_source_bug(*args)
        if compare("w1", value.get("w1"), buggy["w1"]).passed:
            results[0] = Result(results[0].name, False, f"{label}: new w1 is computed from w2: the source's bug "
                                "(w1 = w2 - lr * dL/dw1). Each parameter steps from its own old value.")
    return results


def batch_judge(outcomes, calls):
    results = each_call(pair_check(ref.batch_sigmoid_gradient))(outcomes, calls)
    pairs = [as_array(v) for s, v in outcomes if s == "value"]
    if len(pairs) == len(calls) and all(p is not None and p.shape == (2,) and p[1] != 0 for p in pairs):
        ratios = np.array([p[0] / p[1] for p in pairs])
        if not all(r.passed for r in results) and np.all(np.isfinite(ratios)) and np.ptp(ratios) < 1e-9:
            results.append(Result("uses the data", False, "uses the data: your dL/dw is always the same multiple "
                                  "of dL/db, so dz/dw is one number instead of the array X. Is a variable left over "
                                  "from an earlier cell (a scalar z or x)?"))
    return results


def by_hand_check(value, args, label):
    return compare_mapping(f"{label}: ", value, ref.backprop_by_hand(*args))


def net_check(activation, loss, n_layers, l2_index=None):
    def check(value, args, label):
        X, Y, *params = args
        l2 = params.pop(l2_index) if l2_index is not None else 0.0
        expected = ref.network_gradients(X, Y, params[0:2 * n_layers:2], params[1:2 * n_layers:2], activation,
                                         loss, l2)
        results = compare_mapping(f"{label}: ", value, expected)
        if l2 and isinstance(value, dict) and not results[0].passed and "dW1" in value:
            plain = ref.network_gradients(X, Y, params[0:4:2], params[1:4:2], activation, loss)
            m = X.shape[1]
            for name, factor in (("lambda W (no 1/m)", l2), ("2 lambda / m W", 2 * l2 / m), ("no penalty", 0.0)):
                guess = plain["dW1"] + factor * np.asarray(params[0])
                if compare("", value["dW1"], guess, slip_hints=False).passed:
                    results[0] = Result(results[0].name, False, f"{label}: dW1 matches the gradient with {name}; "
                                        "this exercise's penalty (lambda / 2m) sum ||W||² gives (lambda / m) W.")
        return results
    return check


def multi_check(value, args, label):
    return compare_mapping(f"{label}: ", value, ref.multi_output_gradients(*args))


def mse_check(value, args, label):
    X, Y, W1, b1, W2, b2 = args
    return compare_mapping(f"{label}: ", value, ref.multi_output_gradients(X, Y, W1, b1, W2, b2, np.ones(1)))


def sgd_check(value, args, label):
    results = compare_mapping(f"{label}: new ", value, ref.sgd_epoch(*args))
    if isinstance(value, dict) and not results[0].passed and "W1" in value:
        if compare("", value["W1"], ref.full_batch_step(*args[:7])["W1"], slip_hints=False).passed:
            results[0] = Result(results[0].name, False, f"{label}: this is one full-batch step; SGD updates the "
                                "parameters after every single sample, in the given order.")
    return results


def value_check(check):
    def judge(outcomes, calls):
        status, value = outcomes[0]
        return [error_result("value", value)] if status != "value" else check(value)
    return judge


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


def hidden_sizes(value):
    if not isinstance(value, dict) or sorted(map(str, value)) != ["1", "2", "20", "50"]:
        return [Result("keys", False, f"final_losses: expected a dict with keys 1, 2, 20, 50; got {describe(value)}"
                       f"{' with keys ' + str(sorted(map(str, value))) if isinstance(value, dict) else ''}.")]
    losses = {str(k): v for k, v in value.items()}
    finite = all(np.isscalar(v) and np.isfinite(float(v)) for v in losses.values())
    if not finite:
        return [Result("finite", False, "final_losses: every loss must be a finite number.")]
    order = float(losses["50"]) < float(losses["1"]) and float(losses["20"]) < float(losses["1"])
    return [Result("finite", True, "final_losses: four finite losses."),
            Result("trend", order, "trend: more hidden units fit the training set better." if order else
                   "trend: a 1-unit network should not reach a lower training loss than 20 or 50 units; "
                   "did you train every network the same way?")]


def magnitudes(name, factor):
    def check(value):
        return [compare(name, value, ref.gradient_magnitudes(5, factor), rtol=1e-3, atol=1e-6)]
    return check


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
