"""Compiled inner loops of the Ising samplers (numba, one thread); ``backprop.ising.monte_carlo`` is the interface.

Both kernels update ``spins`` (an int8 array (L, L)) in place, keep the total magnetisation M and energy E up to date
as they go (no O(N) recount per step) and draw random numbers from an inlined xorshift64* generator, seeded once per
call: a seeded call is reproducible bit for bit.
"""

import numpy as np
from numba import njit


@njit(cache=True)
def _xorshift(state):
    """xorshift64* (Vigna 2016): the next state and a uniform 32-bit integer (the high half of the scrambled state).
    Inlined by numba; about twice as fast as a call to numba's Mersenne Twister."""
    state ^= state >> np.uint64(12)
    state ^= state << np.uint64(25)
    state ^= state >> np.uint64(27)
    return state, (state * np.uint64(2685821657736338717)) >> np.uint64(32)


@njit(cache=True)
def _start(spins, seed):
    """The generator's first state and the lattice's total magnetisation M and energy E (each bond counted once)."""
    L = spins.shape[0]
    M = 0
    E = 0
    for i in range(L):
        for j in range(L):
            M += spins[i, j]
            E -= spins[i, j] * (spins[i, (j + 1) % L] + spins[(i + 1) % L, j])
    return np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15) | np.uint64(1), M, E  # any non-zero state works


@njit(cache=True)
def metropolis_sweeps(spins, thresholds, n_sweeps, seed, random_sites, m_series, e_series, snapshots, every):
    """n_sweeps sweeps in place; m_series/e_series (length n_sweeps) get m and e after each sweep, and
    snapshots[k] a copy of the spins after sweep (k + 1) * every (for k < len(snapshots)).

    A sweep is L*L attempted flips: in checkerboard order (sites with i + j even, then odd) or, with
    ``random_sites``, at sites drawn at random. An uphill move (s*h = 2 or 4, i.e. dE = 4 or 8) is accepted when
    a uniform 32-bit integer is below ``thresholds[s*h / 2]`` = P(accept) * 2**32.
    """
    L = spins.shape[0]
    n = L * L
    state, M, E = _start(spins, seed)
    for sweep in range(n_sweeps):
        for _ in range(n if random_sites else 0):
            state, r = _xorshift(state)
            site = (r * np.uint64(n)) >> np.uint64(32)
            i, j = site // L, site % L
            s = spins[i, j]
            sh = s * (spins[(i - 1) % L, j] + spins[(i + 1) % L, j] + spins[i, (j - 1) % L] + spins[i, (j + 1) % L])
            if sh > 0:  # dE = 2 s h > 0: accept with probability exp(-dE / T)
                state, r = _xorshift(state)
                if r >= thresholds[sh >> 1]:
                    continue
            spins[i, j] = -s
            M -= 2 * s
            E += 2 * sh
        for parity in range(0 if random_sites else 2):
            for i in range(L):
                up = i - 1 if i > 0 else L - 1
                down = i + 1 if i < L - 1 else 0
                for j in range((i + parity) % 2, L, 2):
                    left = j - 1 if j > 0 else L - 1
                    right = j + 1 if j < L - 1 else 0
                    # the same move as above, written out again: a shared helper made the sweep 5x slower
                    s = spins[i, j]
                    sh = s * (spins[up, j] + spins[down, j] + spins[i, left] + spins[i, right])
                    if sh > 0:  # dE = 2 s h = 4 or 8: accept with probability exp(-dE / T)
                        state, r = _xorshift(state)
                        if r >= thresholds[sh >> 1]:
                            continue
                    spins[i, j] = -s
                    M -= 2 * s
                    E += 2 * sh
        m_series[sweep] = M / n
        e_series[sweep] = E / n
        if (sweep + 1) % every == 0 and (sweep + 1) // every <= snapshots.shape[0]:
            snapshots[(sweep + 1) // every - 1] = spins


@njit(cache=True)
def wolff_steps(spins, add_threshold, n_steps, seed, m_series, e_series, sizes, snapshots, every):
    """n_steps Wolff cluster flips in place; records m, e and the cluster size after each step, and snapshots
    as ``metropolis_sweeps`` does. An aligned neighbour joins when a uniform 32-bit integer is below ``add_threshold``
    = P(add) * 2**32. An empty ``e_series`` skips the energy: its loop over the cluster's bonds is about a quarter of
    a step's time, and it draws no random number, so the spins are the same either way."""
    L = spins.shape[0]
    n = L * L
    state, M, E = _start(spins, seed)
    flat = spins.reshape(n)
    members = np.empty(n, dtype=np.int64)  # members[:size] is the cluster; members[size:top] the sites to visit
    mark = np.zeros(n, dtype=np.int64)  # mark[site] == step + 1: the site joined this step's cluster
    nbs = np.empty(4, dtype=np.int64)
    for step in range(n_steps):
        stamp = step + 1
        state, r = _xorshift(state)
        seed_site = (r * np.uint64(n)) >> np.uint64(32)
        s = flat[seed_site]
        flat[seed_site] = -s  # flip on entry, so that a site is never added twice
        mark[seed_site] = stamp
        members[0] = seed_site
        size = 0
        top = 1
        while size < top:  # breadth-first: members[size] is the next site whose neighbours we try
            site = members[size]
            size += 1
            _neighbours(site, L, nbs)
            for k in range(4):
                nb = nbs[k]
                if flat[nb] != s:
                    continue
                state, r = _xorshift(state)
                if r < add_threshold:
                    flat[nb] = -s
                    mark[nb] = stamp
                    members[top] = nb
                    top += 1
        M -= 2 * s * size
        m_series[step] = M / n
        sizes[step] = size
        if e_series.shape[0] > 0:
            # energy change: a bond from the cluster (now -s) to a site outside goes from -s*s_out to +s*s_out;
            # bonds inside the cluster keep their sign
            dE = 0
            for c in range(size):
                _neighbours(members[c], L, nbs)
                for k in range(4):
                    if mark[nbs[k]] != stamp:
                        dE += 2 * s * flat[nbs[k]]
            E += dE
            e_series[step] = E / n
        if (step + 1) % every == 0 and (step + 1) // every <= snapshots.shape[0]:
            snapshots[(step + 1) // every - 1] = spins


@njit(cache=True)
def _neighbours(site, L, out):
    i = site // L
    j = site - i * L
    out[0] = (i - 1 if i > 0 else L - 1) * L + j
    out[1] = (i + 1 if i < L - 1 else 0) * L + j
    out[2] = i * L + (j - 1 if j > 0 else L - 1)
    out[3] = i * L + (j + 1 if j < L - 1 else 0)
