"""The Ising samplers reproduce exact results, and a sampler with a wrong acceptance rule is caught.

Every comparison uses an error bar computed here from the chain itself (batch means), so a pass means "agrees within
statistics" and a failure means "disagrees by more than 4.5 standard errors".
"""

import numpy as np
import pytest

from backprop import ising
from backprop.ising import monte_carlo
from backprop.ising.exact import exact_observables, onsager_energy, yang_magnetisation

N_BATCHES = 20
TOLERANCE = 4.5  # standard errors


def batch_means(series_list, statistic):
    """The statistic on the whole chain and its standard error from N_BATCHES consecutive batches."""
    n = min(len(s) for s in series_list) // N_BATCHES * N_BATCHES
    values = [statistic(*(s[k * n // N_BATCHES:(k + 1) * n // N_BATCHES] for s in series_list))
              for k in range(N_BATCHES)]
    return statistic(*(s[:n] for s in series_list)), np.std(values, ddof=1) / np.sqrt(N_BATCHES)


def chain_estimates(L, T, algorithm, n_steps, seed, random_sites=False):
    """Energy, <|m|>, specific heat and Binder cumulant from one equilibrated chain, each with its error bar."""
    rng = np.random.default_rng(seed)
    spins, *_ = ising.run_chain(ising.initial_spins(L, T, rng), T, n_steps // 10, algorithm, rng,
                                random_sites=random_sites)
    _, m, e, _ = ising.run_chain(spins, T, n_steps, algorithm, rng, random_sites=random_sites)
    n = L * L
    return {
        "energy": batch_means([e], np.mean),
        "abs_magnetisation": batch_means([m], lambda m: np.mean(np.abs(m))),
        "specific_heat": batch_means([e], lambda e: n * np.var(e) / T**2),
        "binder": batch_means([m], lambda m: 1 - np.mean(m**4) / (3 * np.mean(m**2) ** 2)),
    }


def disagreements(L, temperatures, algorithm="metropolis", n_steps=40_000, seed=0, random_sites=None):
    """The (T, observable, estimate, error, exact) rows where the sampler misses the exact value.

    Metropolis on 2 x 2 visits random sites (see ``run_chain``: the checkerboard order is not ergodic there)."""
    exact = exact_observables(L, temperatures)
    if random_sites is None:
        random_sites = L == 2
    bad = []
    for k, T in enumerate(temperatures):
        for name, (estimate, error) in chain_estimates(L, T, algorithm, n_steps, seed + k, random_sites).items():
            if abs(estimate - exact[name][k]) > TOLERANCE * error + 1e-9:
                bad.append((T, name, estimate, error, exact[name][k]))
    return bad


VALIDATION_TEMPERATURES = [1.5, 2.27, 3.0]


@pytest.mark.parametrize("algorithm", ["metropolis", "wolff"])
@pytest.mark.parametrize("L", [2, 3, 4])
def test_sampler_matches_exact_enumeration(L, algorithm):
    assert disagreements(L, VALIDATION_TEMPERATURES, algorithm) == []


def test_checkerboard_order_is_not_ergodic_on_2x2_and_random_sites_fix_it():
    assert disagreements(2, [2.27], "metropolis", random_sites=False) != []
    assert disagreements(2, [2.27], "metropolis", random_sites=True) == []
    assert disagreements(4, [2.27], "metropolis", random_sites=True) == []


def test_error_bars_are_meaningful():
    # the comparison is only a test if the error bars are small compared to what a wrong sampler would be off by
    estimates = chain_estimates(4, 2.27, "metropolis", 40_000, 0)
    for name, (_, error) in estimates.items():
        assert 0 < error < 0.02, (name, error)


@pytest.mark.parametrize("wrong_rule", [
    lambda T: np.minimum(1.0, np.exp(-np.array([0.0, 4.0, 8.0]) / (2 * T))),  # exp(-dE / 2T): samples at 2T
    lambda T: np.ones(3),  # accepts every uphill move: infinite temperature
    lambda T: np.minimum(1.0, np.exp(-np.array([0.0, 8.0, 16.0]) / T)),  # dE counted twice
])
def test_validation_rejects_a_wrong_acceptance_rule(monkeypatch, wrong_rule):
    monkeypatch.setattr(monte_carlo, "acceptance_probabilities", wrong_rule)
    bad = disagreements(4, VALIDATION_TEMPERATURES, "metropolis", n_steps=10_000)
    assert any(name == "energy" for _, name, *_ in bad), bad


def test_validation_rejects_a_wrong_cluster_probability(monkeypatch):
    monkeypatch.setattr(monte_carlo, "wolff_add_probability", lambda T: float(-np.expm1(-1.0 / T)))
    assert disagreements(4, VALIDATION_TEMPERATURES, "wolff", n_steps=10_000) != []


@pytest.mark.parametrize("T", [1.5, 2.0, 3.0, 3.5])
def test_energy_matches_onsager_and_magnetisation_matches_yang_on_32x32(T):
    estimates = chain_estimates(32, T, "metropolis", 3000, seed=7)
    energy, error = estimates["energy"]
    assert abs(energy - onsager_energy(T)[0]) < TOLERANCE * error + 2e-3
    if T < ising.CRITICAL_TEMPERATURE:
        m, error = estimates["abs_magnetisation"]
        assert abs(m - yang_magnetisation(T)[0]) < TOLERANCE * error + 2e-3


def test_wolff_agrees_with_metropolis_near_tc():
    metropolis = chain_estimates(16, 2.3, "metropolis", 20_000, seed=1)
    wolff = chain_estimates(16, 2.3, "wolff", 20_000, seed=2)
    for name in ("energy", "abs_magnetisation"):
        (a, da), (b, db) = metropolis[name], wolff[name]
        assert abs(a - b) < TOLERANCE * np.hypot(da, db), (name, a, da, b, db)


def test_tracked_observables_match_the_final_configuration():
    for algorithm in ising.ALGORITHMS:
        final, m, e, _ = ising.run_chain(ising.initial_spins(6, 3.0, 0), 2.4, 50, algorithm, 3)
        assert m[-1] == pytest.approx(ising.magnetisation_per_site(final))
        assert e[-1] == pytest.approx(ising.energy_per_site(final))


@pytest.mark.parametrize("temperature", [1.8, 2.3])
def test_a_chain_without_energy_gives_the_same_spins_and_magnetisation(temperature):
    start = ising.initial_spins(12, temperature, 0)
    for algorithm in ising.ALGORITHMS:
        with_energy = ising.run_chain(start, temperature, 60, algorithm, 4, snapshot_every=7)
        without = ising.run_chain(start, temperature, 60, algorithm, 4, snapshot_every=7, energy=False)
        assert without[2] is None and with_energy[2].shape == (60,)
        for index in (0, 1, 4):  # final spins, m, snapshots
            np.testing.assert_array_equal(with_energy[index], without[index])
        if algorithm == "wolff":
            np.testing.assert_array_equal(with_energy[3], without[3])  # cluster sizes


def test_chains_are_seeded_and_leave_the_input_alone():
    start = ising.initial_spins(8, 3.0, 0)
    copy = start.copy()
    for algorithm in ising.ALGORITHMS:
        a = ising.run_chain(start, 2.5, 20, algorithm, 5)
        b = ising.run_chain(start, 2.5, 20, algorithm, 5)
        c = ising.run_chain(start, 2.5, 20, algorithm, 6)
        np.testing.assert_array_equal(a[0], b[0])
        assert not np.array_equal(a[1], c[1])
    np.testing.assert_array_equal(start, copy)


def test_integrated_autocorrelation_time_of_an_ar1_process():
    # x[t] = phi x[t-1] + noise has rho(t) = phi^t and tau_int = (1 + phi) / (2 (1 - phi)) = 4.5 for phi = 0.8
    rng = np.random.default_rng(0)
    phi, noise = 0.8, rng.standard_normal(100_000)
    x = np.empty_like(noise)
    x[0] = noise[0]
    for t in range(1, x.size):
        x[t] = phi * x[t - 1] + noise[t]
    assert ising.integrated_autocorrelation_time(x) == pytest.approx(4.5, rel=0.1)
    assert ising.integrated_autocorrelation_time(noise) == pytest.approx(0.5, abs=0.05)
    assert ising.integrated_autocorrelation_time(np.ones(100)) == 0.5


def test_sample_configurations_spaces_samples_by_the_autocorrelation_time():
    configurations, info = ising.sample_configurations(8, 2.3, 30, "metropolis", random_state=0)
    assert configurations.shape == (30, 8, 8) and configurations.dtype == np.int8
    assert set(np.unique(configurations)) <= {-1, 1}
    assert info["spacing"] == int(np.ceil(2 * info["tau"])) and info["tau"] >= 0.5
    again, _ = ising.sample_configurations(8, 2.3, 30, "metropolis", random_state=0)
    np.testing.assert_array_equal(configurations, again)


@pytest.mark.parametrize("L", [1, 0, -3, 2.5, "4", True, None])
def test_bad_lattice_sizes_are_refused(L):
    with pytest.raises(ValueError, match="L"):
        ising.sample_configurations(L, 2.0, 5)


@pytest.mark.parametrize("T", [0, -1.0, float("nan"), float("inf"), "hot"])
def test_bad_temperatures_are_refused(T):
    with pytest.raises(ValueError, match="temperature"):
        ising.sample_configurations(4, T, 5)


def test_other_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="n_samples"):
        ising.sample_configurations(4, 2.0, 0)
    with pytest.raises(ValueError, match="algorithm"):
        ising.run_chain(np.ones((4, 4)), 2.0, 5, "glauber")
    with pytest.raises(ValueError, match=r"\+1 and -1"):
        ising.run_chain(np.zeros((4, 4)), 2.0, 5)
    with pytest.raises(ValueError, match="square"):
        ising.run_chain(np.ones((4, 5)), 2.0, 5)
    with pytest.raises(ValueError, match="n_steps"):
        ising.run_chain(np.ones((4, 4)), 2.0, 1.5)


def test_energy_of_int8_spins_equals_the_int64_computation():
    # energy_per_site keeps the datasets' int8 spins as int8 (no int64 copy); every bond sum must still be exact
    spins = np.random.default_rng(5).choice(np.array([-1, 1], dtype=np.int8), size=(3, 4, 16, 16))
    spins[0, 0] = 1  # an ordered configuration: the extreme energy -2
    energy = ising.energy_per_site(spins)
    assert energy.tolist() == ising.energy_per_site(spins.astype(np.int64)).tolist() and energy[0, 0] == -2.0
