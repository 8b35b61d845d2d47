"""Kadanoff block spins: coarse-grain Ising configurations onto a fixed grid by majority rule.

An ``L x L`` configuration is cut into ``grid x grid`` square blocks of ``b = L / grid`` spins a side, and each block
becomes one spin: the sign of its sum (Kadanoff 1966). A tie (possible when ``b`` is even) is settled by a fair coin,
so the rule keeps the up-down symmetry of the model.

Why it matters here: at the critical temperature a configuration looks the same at every scale, so the
``grid x grid`` picture of a large lattice has (nearly) the same statistics for every ``L``, while the raw
magnetisation ``|m|`` at ``Tc`` shrinks like ``L^(-1/8)``. Below ``Tc`` the blocks align; above, they are random. A
classifier that sees block spins therefore switches at a fixed value of the scaling variable ``(T - Tc) L``.
"""

from __future__ import annotations

import numbers

import numpy as np

from .monte_carlo import check_plus_minus_one


def block_spins(spins, grid: int, random_state=None) -> np.ndarray:
    """Majority-rule block spins of one configuration ``(L, L)`` or a stack ``(..., L, L)`` of them.

    ``L`` must be a multiple of ``grid``; each ``b x b`` block (``b = L // grid``) becomes the sign of its sum, with
    ties broken by a fair coin drawn from ``random_state`` (a numpy Generator or a seed). ``grid == L`` returns the
    configuration unchanged. Returns int8 ``+-1`` of shape ``(..., grid, grid)``; the input is not modified.
    """
    array = np.asarray(spins)
    if array.ndim < 2 or array.shape[-1] != array.shape[-2]:
        raise ValueError(f"spins must end in two equal axes (..., L, L); got shape {array.shape}.")
    if isinstance(grid, bool) or not isinstance(grid, numbers.Integral) or grid < 1:
        raise ValueError(f"grid (blocks per side) must be a whole number >= 1; got {grid!r}.")
    L = array.shape[-1]
    if L % grid:
        divisors = [d for d in range(1, L + 1) if L % d == 0]
        raise ValueError(f"the lattice side L = {L} is not a multiple of grid = {grid}, so the blocks would not "
                         f"tile it; choose grid from {divisors}.")
    check_plus_minus_one(array)
    b = L // grid
    sums = array.reshape(*array.shape[:-2], grid, b, grid, b).sum(axis=(-3, -1), dtype=np.int32)
    blocks = np.sign(sums).astype(np.int8)
    ties = blocks == 0
    if ties.any():
        blocks[ties] = np.random.default_rng(random_state).choice(np.array([-1, 1], dtype=np.int8), size=ties.sum())
    return blocks
