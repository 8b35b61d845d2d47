"""The graded questions: a stable id, the points, what the student defines, the inputs to try and how to judge.

A question names one object the student defines in the notebook (``target``): a function the grader calls on
inputs of its own choosing (``kind="function"``), or a value it reads (``kind="value"``). A ``kind="rubric"``
question is a written answer the instructor marks with the rubric in ``solutions/RUBRIC.md``; it is listed with
its points but never scored automatically.

``calls(rng)`` returns the argument tuples to call the function with (the source's own numbers first, then random
ones, so a hard-coded answer fails).

This registry holds no answers, so it ships to students. How a question is judged lives in two places: the
student's in-notebook feedback judges without the answer key (``backprop.grading.self_checks``: gradient checks
against central differences of the exercise's own loss, shapes, finite values, commitments), and the grade comes
from the instructor's answer key (``backprop_instructor.judges``), which the student package does not contain.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from backprop.grading.inputs import (
    acceptance_calls,
    batch_calls,
    block_calls,
    by_hand_calls,
    c_mapping_calls,
    confusion_calls,
    crossing_calls,
    deep_net_calls,
    flip_calls,
    hinge_calls,
    jvp_calls,
    layer_calls,
    logistic_calls,
    magnetisation_calls,
    matmul_calls,
    net_calls,
    norms_calls,
    observable_calls,
    regression_calls,
    scalar_points,
    sequence_calls,
    series_calls,
    sgd_calls,
    shape_calls,
    slope_calls,
    softplus_graph_calls,
    svm_calls,
    transition_calls,
    update_calls,
    width_calls,
)


@dataclass(frozen=True)
class Question:
    """One graded question (see the module docstring)."""

    qid: str
    exercise_set: str
    points: float
    title: str
    kind: str = "function"
    target: str | None = None
    calls: object = None   # rng -> list of argument tuples
    source: str = field(default="")


def _rubric(qid, exercise_set, points, title, source):
    return Question(qid, exercise_set, points, title, kind="rubric", source=source)


S1, S2, S3, S4 = "01_by_hand", "02_matrix_backprop", "03_training_choices", "04_analysis_and_design"
S5, S6 = "05_gradients_and_models", "06_ising_and_autodiff"


QUESTIONS = [
    Question("q00_derivative", S1, 2, "The derivative of a new function", target="f_prime",
             calls=lambda rng: [(np.array([-1.0, 0.0, 0.5, 2.0]),), (rng.uniform(-3, 3, 6),)],
             source="seed 000, derivatives"),
    Question("q01_identity_gradient", S1, 2, "Gradient of one identity neuron at a new point", target=
             "identity_neuron_gradient", calls=lambda rng: scalar_points(rng, (3.0, 2.0, 0.5, 1.0)),
             source="seed 000, one neuron"),
    Question("q02_sigmoid_gradient", S1, 2, "Gradient of one sigmoid neuron", target="sigmoid_neuron_gradient",
             calls=lambda rng: scalar_points(rng, (0.5, 1.0, 0.3, 0.1)),
             source="seed 000, sigmoid neuron"),
    Question("q03_gradient_descent", S1, 3, "Gradient descent on a new function", target="descend",
             calls=lambda rng: [((3.0, 1.0), 0.1, 30), (tuple(rng.uniform(-3, 3, 2)), 0.05, 7)],
             source="seed 000, gradient descent"),
    Question("q04_stale_variable_bug", S1, 3, "Find the bug: the batch gradient", target="batch_sigmoid_gradient",
             calls=batch_calls, source="seed 000, many points (stale z and x)"),
    Question("q05_w1_update_bug", S1, 3, "Find the bug: the update of w1", target="sequence_update",
             calls=sequence_calls, source="seed 000, two neurons"),
    Question("q05b_two_in_a_layer", S1, 3, "Two neurons in a layer: all eight gradients", target="layer_gradients",
             calls=layer_calls, source="seed 000, two neurons in a layer"),
    _rubric("q06_bug_explanations", S1, 2, "Explain both bugs and why the source's output hid them", "seed 000"),
    Question("q07_relu_derivative", S2, 2, "The derivative of ReLU", target="relu_derivative",
             calls=lambda rng: [(np.array([-2.0, -0.5, 0.0, 0.5, 3.0]),), (rng.normal(0, 2, (3, 4)),)],
             source="seed 001, mini-exercise 1"),
    _rubric("q08_relu_simplification", S2, 1, "What ReLU simplifies in the hidden-layer gradient",
            "seed 001, mini-exercise 1"),
    Question("q09_complete_calculation", S2, 5, "The complete backprop calculation with the given numbers",
             target="backprop_by_hand", calls=by_hand_calls, source="seed 001, second set, exercise 1"),
    _rubric("q09b_source_mse", S2, 1, "The source's MSE without the ½, and a target far from the output",
            "seed 001, second set, exercise 1"),
    Question("q10_two_hidden_layers", S2, 4, "Backprop through two hidden layers",
             target="two_hidden_layer_gradients", calls=net_calls((3, 4, 3, 1), 5),
             source="seed 001, final exercise 5"),
    _rubric("q11_two_hidden_explanation", S2, 2, "How the error reaches the first layer",
            "seed 001, final exercise 5"),
    Question("q12_xtanh_derivative", S2, 2, "The derivative of x tanh(x) (SymPy equivalence)",
             target="xtanh_derivative", kind="value", calls=lambda rng: [()],
             source="seed 001, second set, exercise 4a"),
    Question("q13_xtanh_backward", S2, 2, "Backward pass through an x tanh(x) layer", target="xtanh_backward",
             calls=lambda rng: [(rng.normal(size=(3, 4)), rng.normal(0, 2, (3, 4))) for _ in range(2)],
             source="seed 001, second set, exercise 4b"),
    _rubric("q14_xtanh_analysis", S2, 2, "Properties of x tanh(x) against ReLU and sigmoid",
            "seed 001, second set, exercise 4c-d"),
    _rubric("q15a_forward_and_loss", S2, 1, "Multi-output regression: the forward pass and a loss, argued",
            "seed 001, second set, exercise 5a-b"),
    Question("q15_multi_output", S2, 3, "Multi-output regression: the gradients",
             target="multi_output_gradients", calls=regression_calls(3, True),
             source="seed 001, second set, exercise 5c"),
    Question("q15e_multi_output_update", S2, 1, "Multi-output regression: one gradient step",
             target="multi_output_update", calls=update_calls, source="seed 001, second set, exercise 5e"),
    _rubric("q16_output_scales", S2, 1, "Outputs with different scales", "seed 001, second set, exercise 5d"),
    Question("q17_tanh_hidden", S3, 3, "A tanh hidden layer", target="tanh_gradients",
             calls=net_calls((2, 4, 1), 6), source="seed 001, final exercise 1"),
    Question("q18_l2_gradients", S3, 3, "L2 regularisation", target="l2_gradients",
             calls=net_calls((2, 4, 1), 6, extra=(0.7,)),
             source="seed 001, final exercise 2"),
    Question("q19_sgd_epoch", S3, 3, "Stochastic gradient descent", target="sgd_epoch", calls=sgd_calls,
             source="seed 001, final exercise 3"),
    Question("q20_mse_gradients", S3, 3, "Linear output and squared error", target="mse_gradients",
             calls=regression_calls(1, False), source="seed 001, final exercise 4"),
    Question("q21_sin_fit", S3, 2, "Fitting sin(x)", target="sin_predictions", kind="value",
             calls=lambda rng: [()], source="seed 001, final exercise 4"),
    Question("q22_hidden_sizes", S3, 2, "Hidden sizes: the source's classifier", target="final_losses", kind="value",
             calls=lambda rng: [()], source="seed 001, mini-exercise 2"),
    Question("q22b_tanh_against_sigmoid", S3, 2, "tanh against sigmoid, trained at the source's settings",
             target="tanh_vs_sigmoid", kind="value", calls=lambda rng: [()], source="seed 001, final exercise 1"),
    Question("q22c_l2_strengths", S3, 2, "L2: the losses and the weight norm for four lambdas", target="l2_study",
             kind="value", calls=lambda rng: [()], source="seed 001, final exercise 2"),
    Question("q22d_sgd_noise", S3, 2, "SGD against full batch: the curves and their noise", target="sgd_study",
             kind="value", calls=lambda rng: [()], source="seed 001, final exercise 3"),
    _rubric("q23_training_observations", S3, 3, "What tanh, L2, SGD and the hidden size change",
            "seed 001, mini-exercise 2 and final exercises 1-3"),
    Question("q24_sigmoid_magnitudes", S4, 1, "Vanishing gradient: sigmoid, a single path",
             target="sigmoid_magnitudes",
             kind="value", calls=lambda rng: [()], source="seed 001, second set, exercise 2a"),
    Question("q25_relu_magnitudes", S4, 1, "Vanishing gradient: ReLU, half the units active, a single path",
             target="relu_magnitudes", kind="value", calls=lambda rng: [()],
             source="seed 001, second set, exercise 2d"),
    Question("q25b_relu_norm_factors", S4, 1, "Vanishing gradient: ReLU, the norm through random weights",
             target="relu_norm_factors", kind="value", calls=lambda rng: [()],
             source="seed 001, second set, exercise 2d; chapter 8"),
    _rubric("q25c_models_against_measurement", S4, 1, "Both models against chapter 8's measurement",
            "seed 001, second set, exercise 2d; chapter 8"),
    _rubric("q26_vanishing_explanation", S4, 2, "The input layer's gradient and three remedies",
            "seed 001, second set, exercise 2b-c"),
    Question("q27_design_checkable", S4, 1, "Reaction-rate network: the checkable parts", target="design",
             kind="value", calls=lambda rng: [()], source="seed 001, second set, exercise 3"),
    _rubric("q28_design_rubric", S4, 4, "Reaction-rate network: the design argued", "seed 001, second set, ex. 3"),
    Question("q29_gradient_norms", S5, 3, "Per-layer gradient norms of a deep network (weights and errors)",
             target="gradient_norms", calls=deep_net_calls, source="chapter 8"),
    Question("q30_predicted_factor", S5, 2, "The predicted factor per layer from n sigma_w² and g'",
             target="predicted_factor", calls=slope_calls, source="chapter 8"),
    Question("q31_measured_factor", S5, 2, "The measured factor per layer, from a fit", target="measured_factor",
             calls=norms_calls, source="chapter 8"),
    Question("q32_critical_sigma", S5, 2, "Where a ReLU network starts to explode", target="critical_sigma",
             calls=width_calls, source="chapter 8"),
    _rubric("q33_prediction_against_measurement", S5, 2, "Predicted against measured, and the three regimes",
            "chapter 8"),
    Question("q34_c_from_lambda", S5, 2, "scikit-learn's C from the book's lambda", target="sklearn_C",
             calls=c_mapping_calls, source="chapter 9"),
    Question("q35_hinge_subgradient", S5, 2, "A subgradient of the mean hinge loss", target="hinge_subgradient",
             calls=hinge_calls, source="chapter 9"),
    Question("q36_train_svm", S5, 3, "A linear SVM trained by subgradient descent", target="train_svm",
             calls=svm_calls, source="chapter 9"),
    Question("q37_logistic_gradients", S5, 2, "The gradient of regularised logistic regression",
             target="logistic_gradients", calls=logistic_calls, source="chapter 9"),
    _rubric("q38_models_explained", S5, 2, "Why C = 1/lambda for any m, and what the kink does to training",
            "chapter 9"),
    Question("q39_flip_energy", S6, 2, "The energy change of every single flip on a periodic lattice",
             target="flip_energy_changes", calls=flip_calls, source="chapter 10"),
    Question("q40_metropolis_acceptance", S6, 2, "The Metropolis acceptance probability",
             target="metropolis_acceptance", calls=acceptance_calls, source="chapter 10"),
    Question("q41_transition_matrix", S6, 3, "The exact single-flip Metropolis matrix of a 2 x 2 lattice",
             target="metropolis_matrix", calls=transition_calls, source="chapter 10"),
    Question("q42_observables", S6, 2, "The magnetisation and the energy per site", target="per_site",
             calls=observable_calls, source="chapter 10"),
    Question("q43_autocorrelation_time", S6, 3, "The integrated autocorrelation time with Sokal's window",
             target="tau_int", calls=series_calls, source="chapter 10"),
    _rubric("q44_sampling_explained", S6, 2, "Detailed balance, the stationary distribution, and the spacing",
            "chapter 10"),
    Question("q45_binder_cumulant", S6, 2, "The Binder cumulant of given samples", target="binder",
             calls=magnetisation_calls, source="chapter 11"),
    Question("q46_curve_crossing", S6, 2, "Where two sampled curves cross (linear interpolation)",
             target="crossing", calls=crossing_calls, source="chapter 11"),
    Question("q47_balanced_accuracy", S6, 2, "The balanced accuracy of learning by confusion",
             target="balanced_accuracy", calls=confusion_calls, source="chapter 11"),
    Question("q48_block_spins", S6, 2, "Block spins by majority rule", target="majority_blocks",
             calls=block_calls, source="chapter 11"),
    _rubric("q49_phases_explained", S6, 2, "Why the curves cross at Tc, and why the balanced accuracy",
            "chapter 11"),
    Question("q50_softplus_op", S6, 3, "A new operation in the engine: softplus and its backward rule",
             target="softplus_graph", calls=softplus_graph_calls, source="chapter 12"),
    Question("q51_jvp_by_duals", S6, 2, "A Jacobian-vector product by dual numbers", target="layer_jvp",
             calls=jvp_calls, source="chapter 12"),
    Question("q52_pass_counts", S6, 2, "How many passes forward and reverse mode need", target="pass_counts",
             calls=shape_calls, source="chapter 12"),
    Question("q53_matmul_vjp", S6, 2, "The VJP of a matrix product", target="matmul_vjp", calls=matmul_calls,
             source="chapter 12"),
    _rubric("q54_modes_explained", S6, 2, "Which mode for which Jacobian, and why the VJP's shapes", "chapter 12"),
]

BY_ID = {q.qid: q for q in QUESTIONS}
EXERCISE_SETS = (S1, S2, S3, S4, S5, S6)


def questions_of(exercise_set: str) -> list[Question]:
    """The questions of one exercise notebook, in order."""
    if exercise_set not in EXERCISE_SETS:
        raise ValueError(f"exercise_set must be one of {EXERCISE_SETS}; got {exercise_set!r}.")
    return [q for q in QUESTIONS if q.exercise_set == exercise_set]


def get_question(qid: str) -> Question:
    """The question with id ``qid`` (an error lists the known ids)."""
    if qid not in BY_ID:
        raise ValueError(f"unknown question id {qid!r}; the ids are {sorted(BY_ID)}.")
    return BY_ID[qid]
