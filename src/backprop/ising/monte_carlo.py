"""Monte Carlo sampling of the 2D Ising model: Metropolis, Wolff, autocorrelation times.

The model: spins ``s_i = +-1`` on an ``L x L`` square lattice with periodic boundaries, energy
``E = -J sum_<ij> s_i s_j`` over nearest-neighbour bonds, with ``J = 1`` and ``k_B = 1``. A configuration is an
``int8`` array of shape ``(L, L)``; the energy counts every site's bond to the right and the bond below, so each
site owns two bonds (on a 2 x 2 lattice the two bonds between a pair of sites are both counted, as periodic
boundaries say).

Two Markov chains sample ``exp(-E / T)``:

- **Metropolis** (Metropolis et al. 1953): propose to flip one spin, accept with probability ``min(1, exp(-dE/T))``,
  where ``dE = 2 s_i h_i`` and ``h_i`` is the sum of the four neighbours. One *sweep* visits every site once, first
  the sites with ``i + j`` even, then the odd ones (a checkerboard order), in compiled code; or L*L random sites.
- **Wolff** (Wolff 1989): grow a cluster of aligned spins from a random seed, adding each aligned neighbour with
  probability ``1 - exp(-2/T)``, and flip the whole cluster. One *step* is one cluster.

Randomness: the compiled kernels draw from an inlined xorshift64* generator (Vigna 2016), seeded once per call from
the caller's ``random_state`` (a numpy Generator or a seed), so a seeded call is reproducible. They run on one
thread.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..checks import positive_int, positive_number
from .kernels import metropolis_sweeps, wolff_steps

#: Bump when a change to the samplers changes the configurations they produce (the data cache keys on it).
SAMPLER_VERSION = 1
ALGORITHMS = ("metropolis", "wolff")
#: Onsager's critical temperature 2 / ln(1 + sqrt 2).
CRITICAL_TEMPERATURE = 2.0 / np.log1p(np.sqrt(2.0))


# --- checks ----------------------------------------------------------------------------------------------------------

def check_lattice_size(L) -> int:
    """Return ``L`` as an int >= 2 or raise an error that says how to fix it."""
    if isinstance(L, bool) or not isinstance(L, numbers.Integral):
        raise ValueError(f"L (the lattice side) must be a whole number >= 2; got {L!r} ({type(L).__name__}). "
                         "Pass e.g. L=16.")
    if L < 2:
        raise ValueError(f"L (the lattice side) must be >= 2 so that every site has neighbours; got {L}.")
    return int(L)


def check_spins(spins) -> np.ndarray:
    """Return a C-contiguous int8 copy of a square configuration of +-1 spins."""
    array = np.asarray(spins)
    if array.ndim != 2 or array.shape[0] != array.shape[1] or array.shape[0] < 2:
        raise ValueError(f"spins must be a square array of shape (L, L) with L >= 2; got shape {array.shape}.")
    check_plus_minus_one(array)
    return np.ascontiguousarray(array, dtype=np.int8).copy()


def check_plus_minus_one(array: np.ndarray) -> None:
    """Raise an error that says how to fix it unless every entry of ``array`` is +1 or -1."""
    if not np.all((array == 1) | (array == -1)):
        raise ValueError("spins must hold only +1 and -1; convert 0/1 bits with 2 * bits - 1.")


def _seed_from(random_state) -> int:
    """One integer seed for the compiled kernels' generator, drawn from the caller's Generator (or seed)."""
    return int(np.random.default_rng(random_state).integers(2**31 - 1))


# --- observables -----------------------------------------------------------------------------------------------------

def energy_per_site(spins) -> np.ndarray:
    """E / N of one configuration (L, L) or of a batch (..., L, L): -(1/N) sum_i s_i (s_right + s_below)."""
    s = np.asarray(spins)
    if s.dtype != np.int8:  # int8 +-1 spins (the datasets') stay int8: each bond is -2 to 2, and int64 copies cost
        s = s.astype(np.int64)
    bonds = s * (np.roll(s, -1, axis=-1) + np.roll(s, -1, axis=-2))
    return -bonds.sum(axis=(-2, -1), dtype=np.int64) / (s.shape[-1] * s.shape[-2])


def magnetisation_per_site(spins) -> np.ndarray:
    """m = (1/N) sum_i s_i of one configuration (L, L) or of a batch (..., L, L) (signed; take abs for |m|)."""
    s = np.asarray(spins)
    return s.sum(axis=(-2, -1), dtype=np.int64) / (s.shape[-1] * s.shape[-2])


def acceptance_probabilities(temperature: float) -> np.ndarray:
    """Metropolis acceptance ``min(1, exp(-dE / T))`` for ``dE = 0, 4, 8`` (index 0, 1, 2; downhill moves are
    always accepted)."""
    return np.minimum(1.0, np.exp(-np.array([0.0, 4.0, 8.0]) / temperature))


def wolff_add_probability(temperature: float) -> float:
    """Probability ``1 - exp(-2J/T)`` of adding an aligned neighbour to a Wolff cluster."""
    return float(-np.expm1(-2.0 / temperature))


# --- chains ----------------------------------------------------------------------------------------------------------

def initial_spins(L, temperature, random_state=None) -> np.ndarray:
    """A starting configuration: all up below the critical temperature (cold start), random above (hot start)."""
    L = check_lattice_size(L)
    if temperature < CRITICAL_TEMPERATURE:
        return np.ones((L, L), dtype=np.int8)
    rng = np.random.default_rng(random_state)
    return (2 * rng.integers(0, 2, size=(L, L)) - 1).astype(np.int8)


def run_chain(spins, temperature, n_steps, algorithm="metropolis", random_state=None, snapshot_every=None,
              random_sites=False, energy=True):
    """Run a Markov chain from ``spins`` (not modified) for ``n_steps`` sweeps (Metropolis) or clusters (Wolff).

    Parameters
    ----------
    spins : array (L, L) of +-1, the starting configuration.
    temperature : T > 0 (in units of J / k_B).
    n_steps : number of Metropolis sweeps (L*L attempted flips each) or of Wolff cluster flips.
    algorithm : "metropolis" or "wolff".
    random_state : numpy Generator or seed.
    snapshot_every : if set to k, also return a copy of the configuration after every k-th step.
    random_sites : Metropolis only: visit random sites instead of the checkerboard order. On a 2 x 2 lattice the
        fixed order is not ergodic (both sites of a colour see the same field, and flips at dE = 0 are certain, so
        some states never appear at the end of a sweep); from 3 x 3 up the checkerboard is fine and faster.
    energy : False returns None for ``e``: a Wolff chain then skips the energy, a quarter of its time (the spins and
        ``m`` are the same either way; Metropolis keeps it up to date at no extra cost and always computes it).

    Returns
    -------
    final : int8 array (L, L), the configuration after the last step.
    m : float array (n_steps,), magnetisation per site after each step (signed).
    e : float array (n_steps,), energy per site after each step.
    cluster_sizes : int array (n_steps,) for Wolff (sites flipped per step); None for Metropolis.
    snapshots : int8 array (n_steps // snapshot_every, L, L), only when ``snapshot_every`` is given.
    """
    final = check_spins(spins)
    T = positive_number(temperature, "temperature")
    n_steps = positive_int(n_steps, "n_steps")
    if algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm must be one of {ALGORITHMS}; got {algorithm!r}.")
    every = 1 if snapshot_every is None else positive_int(snapshot_every, "snapshot_every")
    L = final.shape[0]
    snapshots = np.empty((0 if snapshot_every is None else n_steps // every, L, L), dtype=np.int8)
    m, e = np.empty(n_steps), np.empty(n_steps if energy or algorithm == "metropolis" else 0)
    seed = _seed_from(random_state)
    sizes = None
    if algorithm == "metropolis":
        # thresholds for 32-bit random integers; a probability of 1 maps to 2**32, above every integer drawn
        thresholds = np.floor(acceptance_probabilities(T) * 2.0**32).astype(np.uint64)
        metropolis_sweeps(final, thresholds, n_steps, seed, bool(random_sites), m, e, snapshots, every)
    else:
        sizes = np.empty(n_steps, dtype=np.int64)
        add_threshold = np.uint64(wolff_add_probability(T) * 2.0**32)
        wolff_steps(final, add_threshold, n_steps, seed, m, e, sizes, snapshots, every)
    e = e if energy else None
    if snapshot_every is None:
        return final, m, e, sizes
    return final, m, e, sizes, snapshots


# --- autocorrelation -------------------------------------------------------------------------------------------------

def autocorrelation(x) -> np.ndarray:
    """Normalised autocorrelation rho(t) = C(t) / C(0) of a series, for t = 0 .. n-1 (FFT, zero-padded).

    A constant series has no fluctuation to correlate: rho is 1 at t = 0 and 0 after.
    """
    x = np.asarray(x, dtype=float)
    n = x.size
    d = x - x.mean()
    if not np.any(d):
        rho = np.zeros(n)
        rho[0] = 1.0
        return rho
    f = np.fft.rfft(d, n=2 * n)
    c = np.fft.irfft(f * np.conj(f))[:n] / np.arange(n, 0, -1)
    return c / c[0]


def integrated_autocorrelation_time(x, c: float = 5.0) -> float:
    """tau_int = 1/2 + sum_{t=1}^{W} rho(t), with Sokal's automatic window: the smallest W with W >= c * tau(W).

    The variance of the mean of ``n`` correlated measurements is ``2 tau_int var(x) / n``: ``n / (2 tau_int)``
    measurements are worth as much as independent ones. The window stops the sum before the noisy tail of rho
    dominates (Sokal 1997, "Monte Carlo methods in statistical mechanics"). Needs a series much longer than tau.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 1 or x.size < 4:
        raise ValueError(f"x must be a 1-D series of at least 4 measurements; got shape {x.shape}.")
    rho = autocorrelation(x)
    taus = 0.5 + np.cumsum(rho[1:])  # taus[W - 1] = tau(W)
    windows = np.arange(1, x.size)
    ok = np.flatnonzero(windows >= c * taus)
    W = windows[ok[0]] if ok.size else windows[-1]
    return float(max(taus[W - 1], 0.5))


# --- sampling --------------------------------------------------------------------------------------------------------

def sample_configurations(L, temperature, n_samples, algorithm="metropolis", random_state=None,
                          n_equilibrate=200, n_pilot=2000, spacing_factor=2.0):
    """Equilibrated, decorrelated configurations at one temperature.

    1. Start cold (all up) below Tc or hot (random) above, run ``n_equilibrate`` steps.
    2. Pilot run of ``n_pilot`` steps: measure tau, the integrated autocorrelation time of |m|.
    3. Discard ``10 tau`` more steps if the start was shorter than that, then keep one configuration every
       ``spacing = ceil(spacing_factor * tau)`` steps: consecutive samples are then nearly independent.

    Returns
    -------
    configurations : int8 array (n_samples, L, L).
    info : dict with ``tau`` (steps), ``spacing`` (steps), ``algorithm``, ``mean_cluster_size`` (Wolff, in sites).
    """
    L = check_lattice_size(L)
    T = positive_number(temperature, "temperature")
    n_samples = positive_int(n_samples, "n_samples")
    rng = np.random.default_rng(random_state)
    spins = initial_spins(L, T, rng)
    # only the spins and m are needed: the chains skip the energy
    spins, *_ = run_chain(spins, T, positive_int(n_equilibrate, "n_equilibrate"), algorithm, rng, energy=False)
    spins, m, _, sizes = run_chain(spins, T, positive_int(n_pilot, "n_pilot"), algorithm, rng, energy=False)
    tau = integrated_autocorrelation_time(np.abs(m))
    spacing = int(np.ceil(spacing_factor * tau))
    extra = int(np.ceil(10 * tau)) - n_equilibrate
    if extra > 0:
        spins, *_ = run_chain(spins, T, extra, algorithm, rng, energy=False)
    *_, configurations = run_chain(spins, T, n_samples * spacing, algorithm, rng, snapshot_every=spacing,
                                   energy=False)
    info = {"tau": tau, "spacing": spacing, "algorithm": algorithm,
            "mean_cluster_size": float(sizes.mean()) if sizes is not None else None}
    return configurations, info
