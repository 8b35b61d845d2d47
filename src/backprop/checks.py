"""Input checks shared by every function of the package.

Each check returns the cleaned value or raises a ``ValueError`` that says what
was expected, what was received and how to fix it, so that a learner who calls
a function with the wrong thing is told what to change instead of seeing a
traceback from deep inside NumPy.
"""

from __future__ import annotations

import numbers

import numpy as np


class NotFittedError(ValueError, AttributeError):
    """Raised when a model is used before ``fit`` (a ValueError and an AttributeError, as in scikit-learn)."""


def as_finite_vector(value, name: str) -> np.ndarray:
    """Return ``value`` as a new 1-D float array, refusing NaN and infinity.

    A scalar becomes an array of shape ``(1,)``: the functions work on vectors so that
    one code path serves f(x) and f(x, y).
    """
    try:
        array = np.array(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{name} must be a number or a 1-D sequence of numbers; got {value!r} "
            f"({type(value).__name__}). Pass e.g. 4.0 or [4.0, -4.0]."
        ) from exc
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim != 1:
        raise ValueError(
            f"{name} must be a number or a 1-D array; got an array of shape {array.shape}. "
            f"Flatten it with np.ravel({name}) if it holds one point."
        )
    if array.size == 0:
        raise ValueError(f"{name} must hold at least one number; got an empty array.")
    if not np.all(np.isfinite(array)):
        raise ValueError(
            f"{name} must be finite; got {array.tolist()}. "
            "Replace NaN or infinite entries with real numbers."
        )
    return array


def positive_number(value, name: str) -> float:
    """Return ``value`` as a float, requiring it to be finite and > 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a positive real number; got {value!r} ({type(value).__name__}).")
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0; got {value}. Use a small positive value such as 0.1.")
    return value


def non_negative_number(value, name: str) -> float:
    """Return ``value`` as a float, requiring it to be finite and >= 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number >= 0; got {value!r} ({type(value).__name__}).")
    value = float(value)
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0; got {value}.")
    return value


def positive_int(value, name: str) -> int:
    """Return ``value`` as an int, requiring it to be >= 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a whole number >= 1; got {value!r}. Pass e.g. 20.")
    return int(value)


def require_callable(value, name: str) -> None:
    """Raise unless ``value`` can be called."""
    if not callable(value):
        raise ValueError(
            f"{name} must be a function; got {value!r} ({type(value).__name__}). "
            "Pass the function itself, e.g. gradient=grad_f, not grad_f(x)."
        )


def as_sample_matrix(X, name: str = "X", n_features: int | None = None) -> np.ndarray:
    """Return ``X`` as a finite 2-D float array of shape (n_samples, n_features), one sample per row.

    ``n_features`` (when given) is the width a fitted model expects.
    """
    try:
        array = np.array(X, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be an array of numbers of shape (n_samples, n_features); "
                         f"got {type(X).__name__} that NumPy cannot turn into numbers.") from exc
    if array.ndim == 1:
        raise ValueError(f"{name} must be 2-D of shape (n_samples, n_features); got shape {array.shape}. "
                         f"Reshape with {name}.reshape(-1, 1) for one feature, "
                         f"or {name}.reshape(1, -1) for one sample.")
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"{name} must be 2-D of shape (n_samples, n_features) with at least one of each; "
                         f"got shape {array.shape}.")
    if n_features is not None and array.shape[1] != n_features:
        raise ValueError(f"{name} has {array.shape[1]} features per sample, but the model was fitted with "
                         f"{n_features}; pass samples with the same {n_features} columns as in fit.")
    bad = ~np.isfinite(array)
    if bad.any():
        rows = np.flatnonzero(bad.any(axis=1))
        raise ValueError(f"{name} holds NaN or infinity in {rows.size} sample(s) (rows {rows[:5].tolist()}...). "
                         "Remove those samples or impute the missing values first.")
    return array


def as_targets(y, n_samples: int, name: str = "y", binary: bool = False) -> np.ndarray:
    """Return ``y`` as a float array with one entry (or row) per sample; with ``binary``, labels must be 0 or 1."""
    array = np.array(y, dtype=float) if not isinstance(y, np.ndarray) or y.dtype != bool else y.astype(float)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim not in (1, 2) or array.shape[0] != n_samples:
        raise ValueError(f"{name} must hold one target per sample: shape ({n_samples},) or ({n_samples}, n_outputs); "
                         f"got shape {array.shape}. Check that X and {name} come from the same split.")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} holds NaN or infinity; remove those samples first.")
    if binary and (array.ndim != 1 or not np.all((array == 0) | (array == 1))):
        values = np.unique(array)[:5].tolist()
        raise ValueError(f"{name} must hold binary labels 0 or 1, one per sample; got the values {values} "
                         f"(shape {array.shape}). Map your classes to 0 and 1, e.g. y = (labels == 'yes').astype(int).")
    return array
