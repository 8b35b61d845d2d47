"""Learning the phases: training windows fixed by a rule, one classifier per size or for all sizes, and learning
by confusion.

Conventions: ``inputs[L]`` is an array (n_temperatures, n_samples, n_features) of network inputs for lattice size
``L`` (raw spins or block spins, flattened), on the temperature grid of the dataset. ``index[L]`` is an integer
array (n_temperatures, n) that picks n of the samples at each temperature (the training or the test half, or a
bootstrap resample of it). Label 0 means ordered, label 1 disordered, as in the source.
"""

from __future__ import annotations

import numpy as np

from ..checks import as_finite_vector
from ..mlp import MLP

#: The ordered window: U4 within 1% of its ordered limit 2/3, for every size.
ORDERED_BINDER = 0.66
#: The disordered window: U4 nearer its disordered limit 0 than its ordered limit 2/3 (below 1/3), for every size,
#: at this and every higher temperature.
DISORDERED_BINDER = 1.0 / 3.0


def training_windows(binder, ordered_min: float = ORDERED_BINDER, disordered_max: float = DISORDERED_BINDER):
    """The temperatures whose configurations get the labels 0 (ordered) and 1 (disordered), from the data alone.

    ``binder`` is U4 of every size on the temperature grid, shape (n_sizes, n_temperatures), temperatures
    increasing. Ordered: U4 >= ordered_min for every size. Disordered: U4 <= disordered_max for every size at this
    temperature and at every higher one. Returns two boolean masks (n_temperatures,); raises ValueError if either
    window is empty or they overlap.
    """
    U = np.asarray(binder, dtype=float)
    if U.ndim != 2 or U.shape[1] < 2 or not np.all(np.isfinite(U)):
        raise ValueError(f"binder must be a finite array (n_sizes, n_temperatures); got shape {U.shape}.")
    if not 0 < disordered_max < ordered_min < 2 / 3:
        raise ValueError(f"need 0 < disordered_max < ordered_min < 2/3; got {disordered_max}, {ordered_min}.")
    ordered = np.all(U >= ordered_min, axis=0)
    low_enough = np.all(U <= disordered_max, axis=0)
    disordered = np.flip(np.logical_and.accumulate(np.flip(low_enough)))
    if not ordered.any() or not disordered.any():
        raise ValueError("a training window is empty: no temperature has U4 >= ordered_min for every size, or none "
                         "(with every higher one) has U4 <= disordered_max; extend the temperature range.")
    if np.any(ordered & disordered) or np.flatnonzero(ordered).max() > np.flatnonzero(disordered).min():
        raise ValueError("the ordered and disordered windows overlap or interleave; the U4 curves are too noisy.")
    return ordered, disordered


def halves(n_temperatures: int, n_samples: int):
    """The training index (the first half of the samples at every temperature) and the test index (the second)."""
    half = n_samples // 2
    if half < 1:
        raise ValueError(f"need at least 2 samples per temperature to split in halves; got {n_samples}.")
    train = np.tile(np.arange(half), (n_temperatures, 1))
    return train, train + half


def _check_inputs(inputs, index, labels_length):
    if not inputs:
        raise ValueError("inputs must map at least one lattice size L to an array (n_T, n_samples, n_features).")
    for L, array in inputs.items():
        if np.ndim(array) != 3 or np.shape(array)[0] != labels_length:
            raise ValueError(f"inputs[{L}] must have shape (n_T = {labels_length}, n_samples, n_features); got "
                             f"{np.shape(array)}.")
        if L in index and (np.ndim(index[L]) != 2 or np.shape(index[L])[0] != labels_length):
            raise ValueError(f"index[{L}] must have shape (n_T = {labels_length}, n); got {np.shape(index[L])}.")


def train_classifier(inputs, train_index, ordered, disordered, seed: int, **network):
    """Fit ``MLP(**network)`` on the samples ``train_index[L]`` at the ordered (label 0) and disordered (label 1)
    temperatures of every size in ``train_index``. The samples are shuffled once with ``seed``, which also seeds the
    initial weights. Returns the fitted MLP."""
    ordered, disordered = np.asarray(ordered, dtype=bool), np.asarray(disordered, dtype=bool)
    if ordered.shape != disordered.shape or np.any(ordered & disordered):
        raise ValueError("ordered and disordered must be boolean masks of the same shape that do not overlap.")
    _check_inputs(inputs, train_index, ordered.size)
    missing = [L for L in train_index if L not in inputs]
    if missing:
        raise ValueError(f"train_index names sizes {missing} that inputs does not hold.")
    windows = np.flatnonzero(ordered | disordered)
    X = np.concatenate([inputs[L][k, index[k]] for L, index in train_index.items() for k in windows])
    y = np.concatenate([np.repeat(disordered[windows].astype(float), index.shape[1]) for index in train_index.values()])
    order = np.random.default_rng(seed).permutation(y.size)  # shuffle once; mini-batches then take slices
    return MLP(**network, random_state=seed).fit(X[order], y[order])


def network_outputs(model, inputs, test_index) -> np.ndarray:
    """The model's outputs P(disordered) for the samples ``test_index`` (n_T, n) of one size's inputs
    (n_T, n_samples, n_features): an array (n_T, n)."""
    inputs, test_index = np.asarray(inputs), np.asarray(test_index)
    if inputs.ndim != 3 or test_index.ndim != 2 or test_index.shape[0] != inputs.shape[0]:
        raise ValueError(f"inputs must be (n_T, n_samples, n_features) and test_index (n_T, n); got shapes "
                         f"{inputs.shape} and {test_index.shape}.")
    X = inputs[np.arange(inputs.shape[0])[:, None], test_index]
    return model.predict_proba(X.reshape(-1, inputs.shape[-1])).reshape(test_index.shape)


def window_accuracy(outputs, ordered, disordered) -> float:
    """Accuracy of outputs (n_T, n) on the labelled windows: output < 1/2 is right at the ordered temperatures,
    output > 1/2 at the disordered ones (the temperatures in between have no label and are not counted)."""
    outputs = np.asarray(outputs, dtype=float)
    ordered, disordered = np.asarray(ordered, dtype=bool), np.asarray(disordered, dtype=bool)
    if outputs.ndim != 2 or outputs.shape[0] != ordered.size or ordered.shape != disordered.shape:
        raise ValueError(f"outputs must be (n_T, n) with n_T = {ordered.size} (the masks' length); got "
                         f"{outputs.shape}.")
    if not (ordered | disordered).any():
        raise ValueError("both windows are empty: there is nothing to score.")
    correct = np.concatenate([outputs[ordered] < 0.5, outputs[disordered] > 0.5], axis=0)
    return float(correct.mean())


def fit_threshold(feature, labels):
    """The one-parameter classifier "label 1 when feature < threshold" with the best balanced training accuracy.

    The balanced accuracy is the mean of the accuracies on the label-0 and on the label-1 samples, so a classifier
    that ignores the feature scores 1/2 however unequal the two classes are. The threshold is searched over the
    midpoints between the sorted feature values. Returns (threshold, balanced training accuracy).
    """
    x = as_finite_vector(feature, "feature")
    y = np.asarray(labels)
    if y.shape != x.shape or not np.all((y == 0) | (y == 1)):
        raise ValueError(f"labels must be 0 or 1, one per feature value (shape {x.shape}); got shape {y.shape}.")
    if int(y.sum()) in (0, x.size):
        raise ValueError("labels hold only one class; a threshold needs samples of both labels 0 and 1.")
    order = np.argsort(x, kind="stable")
    return _best_cut(x[order], y[order].astype(np.int64))


def _best_cut(xs, ys):
    """``fit_threshold`` on feature values already sorted (``xs``, stable order) and their labels ``ys`` (int, both
    classes present) in the same order: the sorting, the costly part, can then be shared by several labellings."""
    n_ones = int(ys.sum())
    # a cut between xs[j-1] and xs[j] gives the j lowest label 1: right among the ones, right among the zeros
    ones_below = np.concatenate([[0], np.cumsum(ys)])
    zeros_above = np.concatenate([np.cumsum((1 - ys)[::-1])[::-1], [0]])
    balanced = (ones_below / n_ones + zeros_above / (xs.size - n_ones)) / 2
    distinct = np.concatenate([[False], xs[1:] > xs[:-1], [False]])  # cut only between different values
    j = int(np.argmax(np.where(distinct, balanced, -1.0)))
    return float((xs[j - 1] + xs[j]) / 2), float(balanced[j])


def balanced_accuracy(predicted, labels) -> float:
    """The mean of the accuracies on the samples labelled 0 and on those labelled 1."""
    predicted, labels = np.asarray(predicted), np.asarray(labels)
    if predicted.shape != labels.shape or not np.all((labels == 0) | (labels == 1)):
        raise ValueError(f"predicted and labels must have the same shape, labels 0 or 1; got {predicted.shape} and "
                         f"{labels.shape}.")
    if labels.all() or not labels.any():
        raise ValueError("labels hold only one class; the balanced accuracy needs both.")
    ones = labels == 1
    return float((np.mean(predicted[ones] == 1) + np.mean(predicted[~ones] == 0)) / 2)


def confusion_curve(feature, temperatures, trial_temperatures, train_index, test_index) -> np.ndarray:
    """Learning by confusion (van Nieuwenburg, Liu & Huber 2017) with the threshold classifier of ``fit_threshold``.

    For each trial temperature T', the configurations at temperatures below T' get label 0, those above label 1;
    the classifier is fitted on the training samples and scored on the test samples by its balanced accuracy (1/2
    for a classifier that has learned nothing, whatever the share of each label). ``feature`` is one number per
    configuration, (n_T, n_samples); every trial temperature must have grid temperatures on both sides. Returns the
    test balanced accuracy at each trial temperature, (n_trials,).
    """
    f = np.asarray(feature, dtype=float)
    T = as_finite_vector(temperatures, "temperatures")
    trials = as_finite_vector(trial_temperatures, "trial_temperatures")
    if f.ndim != 2 or f.shape[0] != T.size:
        raise ValueError(f"feature must be (n_T = {T.size}, n_samples); got shape {f.shape}.")
    if trials.min() <= T.min() or trials.max() >= T.max():
        raise ValueError(f"every trial temperature must lie strictly inside the grid [{T.min()}, {T.max()}]; got "
                         f"{trials.min()} to {trials.max()}.")
    rows = np.arange(T.size)[:, None]
    train, test = f[rows, train_index], f[rows, test_index]
    # Every trial relabels the same training values: sort them once (as fit_threshold would, stable) for all trials.
    order = np.argsort(train.ravel(), kind="stable")
    train_sorted, train_T_sorted = train.ravel()[order], np.repeat(T, train.shape[1])[order]
    test_T = np.repeat(T, test.shape[1])
    accuracy = []
    for trial in trials:
        threshold, _ = _best_cut(train_sorted, (train_T_sorted > trial).astype(np.int64))
        accuracy.append(balanced_accuracy((test.ravel() < threshold).astype(int), (test_T > trial).astype(int)))
    return np.array(accuracy)
