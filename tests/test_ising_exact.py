"""Exact results for the 2D Ising model: enumeration, Onsager's energy and Yang's magnetisation."""

import numpy as np
import pytest

from backprop import ising
from backprop.ising.exact import enumerate_states, exact_observables, onsager_energy, yang_magnetisation


def test_2x2_matches_its_partition_function_by_hand():
    # 2 x 2 periodic: two bonds per neighbouring pair; Z = 2 e^{8/T} + 12 + 2 e^{-8/T}
    T = np.array([1.0, 2.0, 5.0])
    b = 1 / T
    Z = 2 * np.exp(8 * b) + 12 + 2 * np.exp(-8 * b)
    mean_E = -(16 * np.exp(8 * b) - 16 * np.exp(-8 * b)) / Z
    mean_E2 = (128 * np.exp(8 * b) + 128 * np.exp(-8 * b)) / Z
    exact = exact_observables(2, T)
    np.testing.assert_allclose(exact["energy"], mean_E / 4)
    np.testing.assert_allclose(exact["specific_heat"], (mean_E2 - mean_E**2) / (4 * T**2))


def test_enumeration_uses_the_samplers_energy_convention():
    E, M = enumerate_states(3)
    codes = np.array([0, 5, 77, 300, 511])
    spins = (((codes[:, None] >> np.arange(9)) & 1) * 2 - 1).reshape(-1, 3, 3)
    np.testing.assert_allclose(ising.energy_per_site(spins), E[codes] / 9)
    np.testing.assert_allclose(ising.magnetisation_per_site(spins), M[codes] / 9)


def test_limits_of_the_exact_averages():
    cold, hot = exact_observables(4, [0.05, 1e4])["abs_magnetisation"]
    assert cold == pytest.approx(1.0) and hot < 0.25
    binder = exact_observables(4, [0.05, 1e4])["binder"]
    assert binder[0] == pytest.approx(2 / 3) and binder[1] < 0.1


def test_onsager_energy():
    assert onsager_energy(0.1)[0] == pytest.approx(-2.0, abs=1e-9)
    assert onsager_energy(ising.CRITICAL_TEMPERATURE)[0] == pytest.approx(-np.sqrt(2))
    # continuous through Tc (the elliptic integral diverges there, its factor vanishes)
    near = onsager_energy(ising.CRITICAL_TEMPERATURE * np.array([1 - 1e-6, 1 + 1e-6]))
    np.testing.assert_allclose(near, -np.sqrt(2), atol=1e-4)
    # high-temperature expansion: u = -2 tanh(1/T) + O(T^-3)
    assert onsager_energy(100.0)[0] == pytest.approx(-2 * np.tanh(0.01), rel=1e-3)
    # a 4 x 4 lattice at low T is already close to the infinite one
    assert exact_observables(4, 1.0)["energy"][0] == pytest.approx(onsager_energy(1.0)[0], abs=1e-3)


def test_yang_magnetisation():
    T = np.array([0.5, 2.0, ising.CRITICAL_TEMPERATURE - 1e-9, 2.3, 3.0])
    m = yang_magnetisation(T)
    assert m[0] == pytest.approx(1.0, abs=1e-6)
    assert m[1] == pytest.approx(0.911319, abs=1e-6)
    assert m[2] < 0.1 and m[3] == 0 and m[4] == 0
    assert np.all(np.diff(yang_magnetisation(np.linspace(0.5, 2.26, 50))) < 0)


def test_critical_temperature():
    assert ising.CRITICAL_TEMPERATURE == pytest.approx(2.269185314, abs=1e-9)


@pytest.mark.parametrize("bad", [0.0, -1.0, [1.0, -2.0], float("nan")])
def test_bad_temperatures_are_refused(bad):
    with pytest.raises(ValueError, match="temperature"):
        onsager_energy(bad)
    with pytest.raises(ValueError, match="temperature"):
        exact_observables(3, bad)


def test_enumeration_refuses_large_lattices():
    with pytest.raises(ValueError, match="L <= 4"):
        enumerate_states(5)
    with pytest.raises(ValueError, match="L"):
        enumerate_states(1)
