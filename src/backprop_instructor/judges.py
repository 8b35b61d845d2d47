"""How each question is graded: sub-checks against the instructor's answer key, with slip-specific hints.

A judge takes ``outcomes`` (``("value", decoded value)`` or ``("error", message)``, one per call) and the calls,
and returns a list of :class:`~backprop.grading.checks.Result`. Beyond right/wrong, judges recognise the slips the
sources invite: the source's own two bugs (a stale scalar in the batch gradient, w1 stepped from w2), the L2 term
without its 1/m, "SGD" that is really one full-batch step, a step uphill, the single path's factor where the norm's
is asked, a tanh classifier where the source's sigmoid is asked.
"""

from __future__ import annotations

import numpy as np

from backprop.grading.checks import Result, compare, compare_mapping
from backprop.grading.self_checks import (
    L2_STRENGTHS,
    acceptance_slips,
    accuracy_slips,
    activation_runs,
    binder_slips,
    block_slips,
    c_slips,
    critical_sigma_slips,
    crossing_slips,
    design,
    each_call,
    fit_slips,
    flip_slips,
    gradient_norms_results,
    hidden_size_losses,
    hinge_result,
    judge_xtanh_derivative,
    jvp_results,
    l2_runs,
    logistic_results,
    observable_results,
    pass_slips,
    predicted_factor_slips,
    recognise,
    sgd_runs,
    sin_fit,
    softplus_results,
    svm_result,
    tau_slips,
    transition_slips,
    uses_the_data,
    value_check,
)
from backprop_instructor import references as ref


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
    return results + (uses_the_data(outcomes, calls) if not all(r.passed for r in results) else [])


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


def update_check(value, args, label):
    results = compare_mapping(f"{label}: new ", value, ref.multi_output_update(*args))
    if isinstance(value, dict) and not results[0].passed and "W1" in value:
        X, Y, W1, b1, W2, b2, c, learning_rate = args
        gradient = ref.multi_output_gradients(X, Y, W1, b1, W2, b2, c)["dW1"]
        for guess, hint in ((W1 + learning_rate * gradient, "you stepped uphill: the step is minus the gradient"),
                            (gradient, "this is the gradient itself; return the parameters after the step")):
            if compare("", value["W1"], guess, slip_hints=False).passed:
                results[0] = Result(results[0].name, False, f"{label}: new W1: {hint}.")
    return results


def with_slips(result, value, slips):
    """Replace a failed result's message when ``value`` matches a known wrong answer (slips: [(value, hint)])."""
    if result.passed:
        return result
    for wrong, hint in slips:
        if compare("", value, wrong, rtol=1e-3, atol=1e-6, slip_hints=False).passed:
            return Result(result.name, False, f"{result.message} {hint}")
    return result


def magnitudes(name, factor, slips=()):
    def check(value):
        return [with_slips(compare(name, value, ref.gradient_magnitudes(5, factor), rtol=1e-3, atol=1e-6), value,
                           slips)]
    return check


def norm_factors(value):
    slips = [(np.array([0.5, 0.5]), "0.5 is the single path's expected derivative, not the norm's factor through "
              "random weights."),
             (np.array([0.5, 1.0]), "These are the variance's factors; the norm's are their square roots.")]
    return [with_slips(compare("relu_norm_factors", value, ref.relu_norm_factors([1, 2]), rtol=1e-3, atol=1e-6),
                       value, slips)]


def hidden_sizes(value):
    results, array = hidden_size_losses(value)
    if array is None:
        return results
    result = compare("final_losses", array, ref.source_classifier_losses("sigmoid"), rtol=2e-3, atol=1e-6,
                     slip_hints=False)
    tanh = (np.array(ref.source_classifier_losses("tanh")), "These are the losses of a tanh hidden layer: the "
            "source's classifier uses the sigmoid.")
    return [*results, with_slips(result, array, [tanh])]


# The trained values of 3.6-3.8 are compared with the key's own training loosely: a few thousand steps on another CPU
# (another SIMD path, another BLAS) move the last digits, never the second; the trends are the self-checks'.
TRAINED_RTOL = 0.02


def _near(name, got, expected, rtol=TRAINED_RTOL, atol=1e-4):
    return compare(name, got, expected, rtol=rtol, atol=atol, slip_hints=False)


def tanh_against_sigmoid(value):
    results, runs = activation_runs(value)
    if runs is None:
        return results
    key = ref.activation_study()
    every = slice(None, None, 500)  # the curve every 500 epochs: its shape, not its last digits
    for name in ("sigmoid", "tanh"):
        curve, train, test = runs[name]
        results.append(_near(f"{name} curve", curve[every], key[name]["curve"][every]))
        results.append(_near(f"{name} final losses", [train, test], [key[name]["train"], key[name]["test"]]))
    return results


def l2_strengths(value):
    results, array = l2_runs(value)
    if array is None:
        return results
    key = ref.l2_study()
    expected = np.array([[key[lam]["train"], key[lam]["test"], key[lam]["weight_norm"]] for lam in L2_STRENGTHS])
    return [*results, _near("losses", array[:, :2], expected[:, :2]),
            _near("weight norms", array[:, 2], expected[:, 2])]


def sgd_noise(value):
    results, parsed = sgd_runs(value)
    if parsed is None:
        return results
    key = ref.sgd_study()
    every = slice(None, None, 10)
    return [*results, _near("full-batch curve", parsed["full_batch"][every], key["full_batch"][every]),
            _near("SGD curve", parsed["sgd"][every], key["sgd"][every], rtol=0.05),
            _near("SGD noise", parsed["sgd_noise"], key["sgd_noise"], rtol=0.25, atol=0.0)]


def _compare_each(name, reference, **tolerances):
    return each_call(lambda v, a, label: [compare(f"{label}: {name}", v, reference(*a), **tolerances)])


def gradient_norms_check(value, args, label):
    return gradient_norms_results(label, value, args, ref.gradient_norms(*args))


def predicted_factor_check(value, args, label):
    return [recognise(compare(f"{label}: factor", value, ref.predicted_factor(*args), slip_hints=False), value,
                      predicted_factor_slips(*args))]


def measured_factor_check(value, args, label):
    r = ref.measured_factor(*args)
    return [recognise(compare(f"{label}: r", value, r, slip_hints=False), value, fit_slips(args[0], r))]


def critical_sigma_check(value, args, label):
    return [recognise(compare(f"{label}: sigma_w", value, ref.critical_sigma(*args), slip_hints=False), value,
                      critical_sigma_slips(*args))]


def c_check(value, args, label):
    return [recognise(compare(f"{label}: C", value, ref.sklearn_C(*args), slip_hints=False), value, c_slips(*args))]


def hinge_check(value, args, label):
    z, y = (np.asarray(a, dtype=float) for a in args)
    return [hinge_result(f"{label}: dL/dz", value, z, y, ref.hinge_subgradient(z, y))]


def svm_check(value, args, label):
    X, y, l2, _, _ = args
    return [svm_result(f"{label}: (w, b)", value, X, y, l2, *ref.svm_minimiser(X, y, l2))]


def logistic_check(value, args, label):
    return logistic_results(label, value, args, ref.logistic_gradients(*args))


# ---------------------------------------------------------------------------------------------- set 06
def _with_slips(name, reference, slips, rtol=1e-9, atol=1e-12):
    """A judge comparing with ``reference(*args)``, naming the known wrong answers ``slips(args, expected)``."""
    def check(value, args, label):
        expected = reference(*args)
        result = compare(f"{label}: {name}", value, expected, rtol=rtol, atol=atol, slip_hints=False)
        return [recognise(result, value, slips(args, expected), rtol=1e-6, atol=1e-9)]
    return each_call(check)


def observables_check(value, args, label):
    return observable_results(label, value, args[0], ref.per_site(*args))


def softplus_check(value, args, label):
    return softplus_results(label, value, args, ref.softplus_graph(*args))


def jvp_check(value, args, label):
    return jvp_results(label, value, args, ref.layer_jvp(*args))


def matmul_check(value, args, label):
    return compare_mapping(f"{label}: ", value, ref.matmul_vjp(*args), rtol=1e-9, atol=1e-12)


JUDGES = {
    "q00_derivative": _compare_each("f'(x)", ref.new_function_derivative, rtol=1e-5, atol=1e-8),
    "q01_identity_gradient": each_call(pair_check(ref.identity_neuron_gradient)),
    "q02_sigmoid_gradient": each_call(pair_check(ref.sigmoid_neuron_gradient)),
    "q03_gradient_descent": _compare_each("path", ref.descend),
    "q04_stale_variable_bug": batch_judge,
    "q05_w1_update_bug": each_call(sequence_check),
    "q05b_two_in_a_layer": each_call(lambda v, a, label: compare_mapping(f"{label}: dL/d", v,
                                                                          ref.layer_gradients(*a))),
    "q07_relu_derivative": _compare_each("g'(z)", ref.relu_derivative),
    "q09_complete_calculation": each_call(by_hand_check),
    "q10_two_hidden_layers": each_call(net_check("sigmoid", "binary_cross_entropy", 3)),
    "q12_xtanh_derivative": value_check(judge_xtanh_derivative),
    "q13_xtanh_backward": _compare_each("dZ", ref.xtanh_backward),
    "q15_multi_output": each_call(multi_check),
    "q15e_multi_output_update": each_call(update_check),
    "q17_tanh_hidden": each_call(net_check("tanh", "binary_cross_entropy", 2)),
    "q18_l2_gradients": each_call(net_check("sigmoid", "binary_cross_entropy", 2, l2_index=4)),
    "q19_sgd_epoch": each_call(sgd_check),
    "q20_mse_gradients": each_call(mse_check),
    "q21_sin_fit": value_check(sin_fit),
    "q22_hidden_sizes": value_check(hidden_sizes),
    "q22b_tanh_against_sigmoid": value_check(tanh_against_sigmoid),
    "q22c_l2_strengths": value_check(l2_strengths),
    "q22d_sgd_noise": value_check(sgd_noise),
    "q24_sigmoid_magnitudes": value_check(magnitudes("sigmoid_magnitudes", 0.25, [
        (ref.gradient_magnitudes(5, 0.5), "A factor of 1/2 per layer is sigma(0), not the slope sigma'(0).")])),
    "q25_relu_magnitudes": value_check(magnitudes("relu_magnitudes", 0.5, [
        (ref.gradient_magnitudes(5, np.sqrt(0.5)), "This is the norm's factor; this part asks for a single path.")])),
    "q25b_relu_norm_factors": value_check(norm_factors),
    "q27_design_checkable": value_check(design),
    "q29_gradient_norms": each_call(gradient_norms_check),
    "q30_predicted_factor": each_call(predicted_factor_check),
    "q31_measured_factor": each_call(measured_factor_check),
    "q32_critical_sigma": each_call(critical_sigma_check),
    "q34_c_from_lambda": each_call(c_check),
    "q35_hinge_subgradient": each_call(hinge_check),
    "q36_train_svm": each_call(svm_check),
    "q37_logistic_gradients": each_call(logistic_check),
    "q39_flip_energy": _with_slips("dE", ref.flip_energy_changes, lambda a, e: flip_slips(a[0], e)),
    "q40_metropolis_acceptance": _with_slips("A(dE)", ref.metropolis_acceptance, lambda a, e: acceptance_slips(*a)),
    "q41_transition_matrix": _with_slips("P", ref.metropolis_matrix, lambda a, e: transition_slips(*a)),
    "q42_observables": each_call(observables_check),
    "q43_autocorrelation_time": _with_slips("tau_int", ref.tau_int, lambda a, e: tau_slips(a[0], e)),
    "q45_binder_cumulant": _with_slips("U4", ref.binder, lambda a, e: binder_slips(a[0])),
    "q46_curve_crossing": _with_slips("T_cross", ref.crossing, lambda a, e: crossing_slips(*a)),
    "q47_balanced_accuracy": _with_slips("balanced accuracy", ref.balanced_accuracy,
                                         lambda a, e: accuracy_slips(*a)),
    "q48_block_spins": _with_slips("block spins", ref.majority_blocks, lambda a, e: block_slips(a[0], int(a[1]))),
    "q50_softplus_op": each_call(softplus_check),
    "q51_jvp_by_duals": each_call(jvp_check),
    "q52_pass_counts": _with_slips("passes", ref.pass_counts, lambda a, e: pass_slips(e)),
    "q53_matmul_vjp": each_call(matmul_check),
}
