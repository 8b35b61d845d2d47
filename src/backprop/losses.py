"""Loss functions, each written next to its gradient.

Every loss averages over the samples, and the samples lie along the **last axis**: a vector of shape ``(m,)`` holds
one output per sample, an array of shape ``(n_outputs, m)`` holds one column per sample (the book's layout, where
``A[l]`` has shape ``(n_l, m)``). Each gradient is taken with respect to the loss's first argument and has its
shape, already divided by ``m``, so backpropagation can pass it on unchanged.

Numerical stability is part of the definition: the cross-entropy takes **logits** ``z`` (before the sigmoid), so it
never computes ``log(0)`` and never overflows for any finite ``z``.

A loss evaluated without checks (below) also takes a **stack of networks' outputs**, of shape
``(k, n_outputs, m)``, and returns the k networks' losses as an array (``backprop.mlp`` trains such stacks).

Every loss checks its input (equal shapes, finite values, valid labels). The losses that ``backprop.mlp`` evaluates at
every training step also accept ``check_input=False``, which skips those checks for a training loop that checked its
data once before the first step (as scikit-learn's ``check_input``); the value is the same.
"""

from __future__ import annotations

import numpy as np

from .activations import sigmoid
from .checks import non_negative_number, positive_int


def _pair(prediction, target, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Return both arrays as floats, requiring equal shapes and finite values."""
    prediction = np.asarray(prediction, dtype=float)
    target = np.asarray(target, dtype=float)
    if prediction.shape != target.shape:
        raise ValueError(
            f"{name}: the prediction and the target must have the same shape; got {prediction.shape} and "
            f"{target.shape}. With samples as columns, pass arrays of shape (n_outputs, m) or (m,) for both."
        )
    if prediction.size == 0:
        raise ValueError(f"{name}: got empty arrays; pass at least one sample.")
    for array, what in ((prediction, "prediction"), (target, "target")):
        if not np.all(np.isfinite(array)):
            raise ValueError(f"{name}: the {what} holds NaN or infinity; remove or replace those samples first.")
    return prediction, target


def _n_samples(array: np.ndarray) -> int:
    return array.shape[-1] if array.ndim else 1


def _mean_over_samples(per_sample: np.ndarray):
    """The sum over the outputs and the samples, divided by the number of samples m: a float; for a stack of
    networks' outputs, shape (k, n_outputs, m), an array of k means, one per network."""
    if per_sample.ndim == 3:
        return per_sample.sum(axis=(1, 2)) / _n_samples(per_sample)
    return float(per_sample.sum() / _n_samples(per_sample))


def _binary_labels(y: np.ndarray, name: str) -> None:
    if not np.all((y == 0) | (y == 1)):
        raise ValueError(f"{name}: labels must be 0 or 1; got the values {np.unique(y)[:5].tolist()}. "
                         "Map your two classes to 0 and 1 first, e.g. y = (labels == positive_class).astype(int).")


def _signed_labels(y: np.ndarray, name: str) -> None:
    if not np.all((y == -1) | (y == 1)):
        raise ValueError(f"{name}: labels must be -1 or +1; got the values {np.unique(y)[:5].tolist()}. "
                         "Convert 0/1 labels with y_signed = 2 * y - 1.")


# --- binary cross-entropy, from logits ------------------------------------------------------------------------------

def binary_cross_entropy_from_logits(z, y, check_input: bool = True) -> float:
    """Mean of ``-(y log sigma(z) + (1 - y) log(1 - sigma(z)))`` over the samples, for labels y in {0, 1}.

    Written as ``max(z, 0) - z*y + log(1 + exp(-|z|))``: the same number, but ``exp`` only sees ``-|z| <= 0`` and
    no logarithm of 0 is ever taken, so the loss is finite for every finite ``z`` (it grows like ``|z|`` when the
    prediction is confidently wrong, which is exactly what the probability form loses to ``inf``).
    """
    if check_input:
        z, y = _pair(z, y, "binary_cross_entropy_from_logits")
        _binary_labels(y, "binary_cross_entropy_from_logits")
    per_sample = np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))
    return _mean_over_samples(per_sample)


def binary_cross_entropy_from_logits_gradient(z, y) -> np.ndarray:
    """dL/dz = (sigma(z) - y) / m: the sigmoid's slope cancels against the logarithm's (derived in the book)."""
    z, y = _pair(z, y, "binary_cross_entropy_from_logits_gradient")
    _binary_labels(y, "binary_cross_entropy_from_logits_gradient")
    return (sigmoid(z) - y) / _n_samples(z)


# --- squared errors -------------------------------------------------------------------------------------------------

def mean_squared_error(y_hat, y, check_input: bool = True) -> float:
    """(1/m) * sum over samples of ||y_hat - y||^2 (summed over outputs): the linear-regression loss."""
    if check_input:
        y_hat, y = _pair(y_hat, y, "mean_squared_error")
    return _mean_over_samples((y_hat - y) ** 2)


def mean_squared_error_gradient(y_hat, y) -> np.ndarray:
    """dL/dy_hat = 2 (y_hat - y) / m."""
    y_hat, y = _pair(y_hat, y, "mean_squared_error_gradient")
    return 2.0 * (y_hat - y) / _n_samples(y_hat)


def half_mean_squared_error(y_hat, y, check_input: bool = True) -> float:
    """(1/2m) * sum over samples of ||y_hat - y||^2: the ½ of the earlier chapters, which cancels the 2."""
    return 0.5 * mean_squared_error(y_hat, y, check_input)


def half_mean_squared_error_gradient(y_hat, y) -> np.ndarray:
    """dL/dy_hat = (y_hat - y) / m."""
    return 0.5 * mean_squared_error_gradient(y_hat, y)


# --- hinge loss (linear SVM) -----------------------------------------------------------------------------------------

def hinge_loss(scores, y) -> float:
    """Mean of ``max(0, 1 - y * score)`` over the samples, for labels y in {-1, +1}."""
    scores, y = _pair(scores, y, "hinge_loss")
    _signed_labels(y, "hinge_loss")
    return float(np.sum(np.maximum(0.0, 1.0 - y * scores)) / _n_samples(scores))


def hinge_loss_subgradient(scores, y) -> np.ndarray:
    """A subgradient: -y/m where the margin y*score is below 1, and 0 where it is 1 or more.

    Away from the kink (margin exactly 1) this is the gradient; at the kink any value between -y/m and 0 is a valid
    subgradient, and we take 0.
    """
    scores, y = _pair(scores, y, "hinge_loss_subgradient")
    _signed_labels(y, "hinge_loss_subgradient")
    return np.where(y * scores < 1.0, -y, 0.0) / _n_samples(scores)


# --- L2 regularisation ------------------------------------------------------------------------------------------------

def _l2_and_m(l2, m) -> tuple[float, int]:
    return non_negative_number(l2, "l2"), positive_int(m, "m (the number of samples)")


def l2_penalty(weights, l2: float, m: int) -> float:
    """(lambda / 2m) * sum of the squared Frobenius norms of the weight matrices (biases are not penalised).

    For a stack of networks' weights (each of shape (k, n_out, n_in)), an array of the k networks' penalties."""
    l2, m = _l2_and_m(l2, m)
    if weights and np.ndim(weights[0]) == 3:
        return l2 / (2.0 * m) * sum(np.sum(np.square(w), axis=(1, 2)) for w in weights)
    return float(l2 / (2.0 * m) * sum(np.sum(np.square(w)) for w in weights))


def l2_penalty_gradient(w, l2: float, m: int) -> np.ndarray:
    """d/dW of the penalty: (lambda / m) * W."""
    l2, m = _l2_and_m(l2, m)
    return (l2 / m) * np.asarray(w, dtype=float)


LOSSES = {
    "binary_cross_entropy": (binary_cross_entropy_from_logits, binary_cross_entropy_from_logits_gradient),
    "mean_squared_error": (mean_squared_error, mean_squared_error_gradient),
    "half_mean_squared_error": (half_mean_squared_error, half_mean_squared_error_gradient),
    "hinge": (hinge_loss, hinge_loss_subgradient),
}


def get_loss(name: str):
    """Return the pair ``(loss, gradient)`` for a loss name (see ``LOSSES``)."""
    if not isinstance(name, str) or name not in LOSSES:
        raise ValueError(f"loss must be one of {sorted(LOSSES)}; got {name!r}. Pass e.g. loss='binary_cross_entropy'.")
    return LOSSES[name]
