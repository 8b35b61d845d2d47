"""Exact results for the 2D Ising model (J = 1, k_B = 1), to validate the Monte Carlo samplers against.

- Exact enumeration of every configuration of a small periodic lattice (2 x 2, 3 x 3, 4 x 4: 2**16 states at most),
  with the same energy convention as ``backprop.ising.monte_carlo``.
- Onsager's energy per site of the infinite lattice (Onsager 1944, "Crystal statistics. I.").
- Yang's spontaneous magnetisation (Yang 1952, "The spontaneous magnetization of a two-dimensional Ising model").
"""

from __future__ import annotations

import numpy as np
from scipy.special import ellipk

from ..checks import as_finite_vector
from .monte_carlo import CRITICAL_TEMPERATURE, check_lattice_size

MAX_ENUMERATED_SITES = 16


def _check_temperatures(temperature) -> np.ndarray:
    T = as_finite_vector(temperature, "temperature")
    if np.any(T <= 0):
        raise ValueError(f"temperature must be > 0; got {T[T <= 0].tolist()}. Temperatures are in units of J/k_B.")
    return T


def enumerate_states(L):
    """Energy E and magnetisation M (totals, not per site) of all 2**(L*L) configurations, as int arrays."""
    L = check_lattice_size(L)
    n = L * L
    if n > MAX_ENUMERATED_SITES:
        raise ValueError(f"exact enumeration is limited to L*L <= {MAX_ENUMERATED_SITES} sites (L <= 4); got L={L}, "
                         f"which has 2**{n} states. Use the Monte Carlo sampler instead.")
    codes = np.arange(2**n, dtype=np.int64)
    spins = (((codes[:, None] >> np.arange(n)) & 1) * 2 - 1).reshape(-1, L, L)
    E = -np.sum(spins * (np.roll(spins, -1, axis=2) + np.roll(spins, -1, axis=1)), axis=(1, 2))
    M = spins.sum(axis=(1, 2))
    return E, M


def exact_observables(L, temperature) -> dict:
    """Exact thermal averages on an L x L periodic lattice (L = 2, 3, 4) at one or more temperatures.

    Returns
    -------
    dict of float arrays, one entry per temperature:
        ``energy``: <E>/N; ``abs_magnetisation``: <|m|>; ``specific_heat``: (<E^2> - <E>^2) / (N T^2);
        ``binder``: U = 1 - <m^4> / (3 <m^2>^2).
    """
    E, M = enumerate_states(L)
    T = _check_temperatures(temperature)
    n = L * L
    # Boltzmann weights relative to the ground state E_min, so no exponent overflows at low T
    w = np.exp(-(E[None, :] - E.min()) / T[:, None])
    Z = w.sum(axis=1)

    def mean(x):
        return (w * x[None, :]).sum(axis=1) / Z

    e, m = E / n, M / n
    return {
        "energy": mean(e),
        "abs_magnetisation": mean(np.abs(m)),
        "specific_heat": n * (mean(e**2) - mean(e) ** 2) / T**2,
        "binder": 1.0 - mean(m**4) / (3.0 * mean(m**2) ** 2),
    }


def onsager_energy(temperature) -> np.ndarray:
    """Energy per site of the infinite lattice:

    u = -coth(2/T) [1 + (2/pi) (2 tanh^2(2/T) - 1) K(k^2)],  k = 2 sinh(2/T) / cosh^2(2/T),

    with K the complete elliptic integral of the first kind (scipy's ``ellipk`` takes the parameter k^2).
    At T = Tc, k = 1 and K diverges, but its factor vanishes: u(Tc) = -sqrt(2).
    """
    T = _check_temperatures(temperature)
    beta2 = 2.0 / T
    k = 2.0 * np.sinh(beta2) / np.cosh(beta2) ** 2
    factor = 2.0 * np.tanh(beta2) ** 2 - 1.0
    at_tc = np.isclose(T, CRITICAL_TEMPERATURE, rtol=1e-12, atol=0.0)
    K = ellipk(np.where(at_tc, 0.0, np.minimum(k**2, 1.0)))
    u = -(1.0 / np.tanh(beta2)) * (1.0 + (2.0 / np.pi) * np.where(at_tc, 0.0, factor * K))
    return u


def yang_magnetisation(temperature) -> np.ndarray:
    """Spontaneous magnetisation of the infinite lattice: (1 - sinh(2/T)^-4)^(1/8) below Tc, 0 above."""
    T = _check_temperatures(temperature)
    base = 1.0 - np.sinh(2.0 / np.minimum(T, CRITICAL_TEMPERATURE)) ** -4.0
    return np.where(T < CRITICAL_TEMPERATURE, np.maximum(base, 0.0) ** 0.125, 0.0)
