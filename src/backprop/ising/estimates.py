"""Estimates with error bars: the bootstrap over configurations, the systematic spread, and how to print them.

A quantity computed from the sampled configurations (a crossing temperature, a peak) has a **statistical** error:
another run of the sampler would give other configurations. The bootstrap estimates it by recomputing the quantity
on resamples of the configurations (drawn with replacement, separately at each temperature) and taking the standard
deviation of the results. A **systematic** uncertainty comes from the method's choices (which sizes, which fit
window): it is estimated as half the spread of the values that reasonable choices, fixed in advance, give. The
total adds the two in quadrature.

When an estimate is not precise enough, the remedy is more data where it matters: ``refinement_grid`` gives the
temperatures a second, finer run should cover, from the first run's estimates and their uncertainties alone.
"""

from __future__ import annotations

import numpy as np

from ..checks import positive_int, positive_number, require_callable


def resample_indices(n_temperatures: int, n_samples: int, rng) -> np.ndarray:
    """Indices (n_temperatures, n_samples) that draw ``n_samples`` configurations with replacement at each
    temperature; ``rng`` is a numpy Generator or a seed."""
    n_temperatures, n_samples = positive_int(n_temperatures, "n_temperatures"), positive_int(n_samples, "n_samples")
    return np.random.default_rng(rng).integers(0, n_samples, size=(n_temperatures, n_samples))


def bootstrap(statistic, data, n_resamples: int, random_state=None) -> np.ndarray:
    """The values of ``statistic`` on ``n_resamples`` bootstrap resamples of ``data``.

    ``data`` has shape (n_temperatures, n_samples, ...): the configurations (or values derived from them) at each
    temperature; each resample draws n_samples of them with replacement at every temperature, independently.
    ``statistic`` maps an array of that shape to a number or an array. Returns an array (n_resamples, ...).
    The standard deviation over the first axis (``ddof=1``) is the bootstrap's statistical error.
    """
    require_callable(statistic, "statistic")
    n_resamples = positive_int(n_resamples, "n_resamples")
    data = np.asarray(data)
    if data.ndim < 2 or data.shape[1] < 2:
        raise ValueError(f"data must have shape (n_temperatures, n_samples, ...) with n_samples >= 2; got shape "
                         f"{data.shape}. Add a temperature axis with data[None] for a single temperature.")
    rng = np.random.default_rng(random_state)
    rows = np.arange(data.shape[0])[:, None]
    return np.array([statistic(data[rows, resample_indices(*data.shape[:2], rng)]) for _ in range(n_resamples)])


def half_spread(values) -> float:
    """Half the range of ``values``: the systematic uncertainty from choices that give these values."""
    values = np.asarray(values, dtype=float).ravel()
    if values.size < 2 or not np.all(np.isfinite(values)):
        raise ValueError(f"half_spread needs at least two finite values; got {values.tolist()}.")
    return float((values.max() - values.min()) / 2)


def total_uncertainty(statistical: float, systematic: float) -> float:
    """sqrt(statistical^2 + systematic^2): independent errors add in quadrature."""
    for name, value in (("statistical", statistical), ("systematic", systematic)):
        if not np.isfinite(value) or value < 0:
            raise ValueError(f"the {name} uncertainty must be a finite number >= 0; got {value!r}.")
    return float(np.hypot(statistical, systematic))


def error_decimals(error: float) -> int:
    """The number of decimals that shows ``error`` to one significant digit (two if it starts with 1): the decimal
    place to which a value with this error, and its parts, are printed."""
    if not np.isfinite(error) or error <= 0:
        raise ValueError(f"error_decimals needs a finite error > 0; got {error!r}.")
    exponent = int(np.floor(np.log10(error)))
    digits = 2 if f"{error:.1e}"[0] == "1" else 1
    return max(0, digits - 1 - exponent)


def plus_minus(value: float, error: float) -> str:
    """"value ± error" with the error to one significant digit (two if it starts with 1) and the value to the same
    decimal place, so that only digits the error allows are printed."""
    if not np.isfinite(value) or not np.isfinite(error) or error <= 0:
        raise ValueError(f"plus_minus needs a finite value and a finite error > 0; got {value!r} ± {error!r}.")
    decimals = error_decimals(error)
    return f"{value:.{decimals}f} ± {error:.{decimals}f}"


def refinement_grid(values, uncertainties, n_sigma: float = 3.0, step: float = 0.005) -> np.ndarray:
    """The temperatures of a second, finer run: a grid of spacing ``step`` that covers every first estimate
    ``value ± n_sigma * uncertainty``, its ends rounded outwards to multiples of ``step``.

    Only the first run's results enter (no known answer), so the rule can be written down before the second run.
    """
    values = np.asarray(values, dtype=float).ravel()
    uncertainties = np.asarray(uncertainties, dtype=float).ravel()
    if values.size == 0 or values.shape != uncertainties.shape:
        raise ValueError(f"values and uncertainties must be two non-empty lists of the same length; got "
                         f"{values.size} and {uncertainties.size}.")
    if not (np.all(np.isfinite(values)) and np.all(np.isfinite(uncertainties)) and np.all(uncertainties > 0)):
        raise ValueError(f"values must be finite and uncertainties finite and > 0; got {values.tolist()} and "
                         f"{uncertainties.tolist()}.")
    n_sigma, step = positive_number(n_sigma, "n_sigma"), positive_number(step, "step")
    # rounded outwards on the grid of multiples of step (the small slack keeps a bound that already lies on it)
    low = np.floor(np.min(values - n_sigma * uncertainties) / step + 1e-9) * step
    high = np.ceil(np.max(values + n_sigma * uncertainties) / step - 1e-9) * step
    n_points = int(round((high - low) / step)) + 1
    return np.round(low + step * np.arange(n_points), 10)
