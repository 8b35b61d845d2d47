"""Training windows from U4, the threshold classifier, learning by confusion, training and scoring, on constructed
data with known answers, and their errors on bad input."""

import numpy as np
import pytest

from backprop.ising import phases

T = np.linspace(1.0, 3.0, 21)


def test_windows_follow_the_rule():
    U = np.vstack([np.where(T < 1.55, 0.665, np.where(T > 2.45, 0.1, 0.5)), np.full(T.size, 0.665)])
    U[1, T > 2.05] = 0.2
    ordered, disordered = phases.training_windows(U)
    np.testing.assert_array_equal(T[ordered], T[T < 1.55])
    np.testing.assert_array_equal(T[disordered], T[T > 2.45])
    with pytest.raises(ValueError, match="empty"):
        phases.training_windows(np.full((2, T.size), 0.5))
    with pytest.raises(ValueError, match="n_sizes"):
        phases.training_windows(np.ones(5))


def test_fit_threshold_separates_two_clean_groups():
    feature = np.array([0.1, 0.2, 0.3, 0.7, 0.8, 0.9])
    threshold, accuracy = phases.fit_threshold(feature, [1, 1, 1, 0, 0, 0])
    assert threshold == pytest.approx(0.5) and accuracy == 1.0
    with pytest.raises(ValueError, match="one class"):
        phases.fit_threshold(feature, np.ones(6))
    with pytest.raises(ValueError, match="0 or 1"):
        phases.fit_threshold(feature, [0, 1, 2, 0, 1, 0])


def test_confusion_peaks_at_the_constructed_transition():
    # |m| = 0.9 below T = 2.05 and 0.1 above (with a little noise): the balanced accuracy is 1 only at T' = 2.05
    rng = np.random.default_rng(0)
    feature = np.where(T[:, None] < 2.05, 0.9, 0.1) + 0.01 * rng.standard_normal((T.size, 40))
    train, test = phases.halves(T.size, 40)
    trials = (T[:-1] + T[1:]) / 2
    accuracy = phases.confusion_curve(feature, T, trials, train, test)
    assert trials[np.argmax(accuracy)] == pytest.approx(2.05) and accuracy.max() == 1.0
    assert np.all(accuracy[np.abs(trials - 2.05) > 0.01] < 1.0)
    with pytest.raises(ValueError, match="strictly inside"):
        phases.confusion_curve(feature, T, [0.5], train, test)


def test_confusion_curve_equals_fit_threshold_at_every_trial():
    # confusion_curve sorts the training values once for all trials; it must give exactly what fitting each trial
    # with fit_threshold gives, ties in the feature and repeated samples (a bootstrap index) included
    rng = np.random.default_rng(1)
    feature = np.round(rng.uniform(0, 1, (T.size, 30)) + (T[:, None] < 2.05), 1)  # coarse values: many ties
    train, test = rng.integers(0, 15, (T.size, 15)), 15 + rng.integers(0, 15, (T.size, 15))
    trials = (T[:-1] + T[1:]) / 2
    rows = np.arange(T.size)[:, None]
    expected = []
    for trial in trials:
        label = (T > trial).astype(int)
        threshold, _ = phases.fit_threshold(feature[rows, train].ravel(), np.repeat(label, 15))
        expected.append(phases.balanced_accuracy((feature[rows, test].ravel() < threshold).astype(int),
                                                 np.repeat(label, 15)))
    assert phases.confusion_curve(feature, T, trials, train, test).tolist() == expected


def test_train_and_score_on_separable_inputs():
    n_T, n = T.size, 20
    sign = np.where(T < 2.0, 1.0, 0.0)[:, None, None]
    rng = np.random.default_rng(1)
    inputs = {4: np.concatenate([sign * np.ones((n_T, n, 3)), 0.1 * rng.standard_normal((n_T, n, 1))], axis=2)}
    ordered, disordered = T < 1.5, T > 2.5
    train, test = phases.halves(n_T, n)
    model = phases.train_classifier(inputs, {4: train}, ordered, disordered, seed=0, hidden_sizes=(), n_epochs=200,
                                    learning_rate=1.0)
    outputs = phases.network_outputs(model, inputs[4], test)
    assert outputs.shape == (n_T, n // 2)
    assert phases.window_accuracy(outputs, ordered, disordered) == 1.0
    with pytest.raises(ValueError, match="overlap"):
        phases.train_classifier(inputs, {4: train}, ordered, ordered, seed=0)
    with pytest.raises(ValueError, match="shape"):
        phases.network_outputs(model, inputs[4][0], test)
