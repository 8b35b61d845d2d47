"""The 2D Ising model: sampling it, checking the samples against exact results, the data the classifiers learn,
and locating the critical temperature from them.

Read the modules in this order:

1. ``backprop.ising.monte_carlo``  Metropolis and Wolff chains, observables, autocorrelation times (the interface)
2. ``backprop.ising.kernels``      the samplers' compiled (numba) inner loops, called by ``monte_carlo``
3. ``backprop.ising.exact``        exact results to validate against: small-lattice enumeration, Onsager, Yang
4. ``backprop.ising.data``         seeded datasets across lattice sizes and temperatures, cached on disk
5. ``backprop.ising.blocks``       Kadanoff block spins, which make lattices of different sizes comparable
6. ``backprop.ising.scaling``      the Binder cumulant, where two sampled curves cross, where a curve peaks
7. ``backprop.ising.estimates``    bootstrap errors over configurations, systematic spreads, printing value ± error
8. ``backprop.ising.phases``       training windows from the data, classifiers per size or for all sizes, learning
                                  by confusion

The sampler's interface is also importable from the package itself (``from backprop import ising`` then
``ising.run_chain(...)``), since the chapters use it most.
"""

from .monte_carlo import (
    ALGORITHMS,
    CRITICAL_TEMPERATURE,
    SAMPLER_VERSION,
    acceptance_probabilities,
    autocorrelation,
    check_lattice_size,
    check_plus_minus_one,
    check_spins,
    energy_per_site,
    initial_spins,
    integrated_autocorrelation_time,
    magnetisation_per_site,
    run_chain,
    sample_configurations,
    wolff_add_probability,
)

__all__ = [
    "ALGORITHMS",
    "CRITICAL_TEMPERATURE",
    "SAMPLER_VERSION",
    "acceptance_probabilities",
    "autocorrelation",
    "check_lattice_size",
    "check_plus_minus_one",
    "check_spins",
    "energy_per_site",
    "initial_spins",
    "integrated_autocorrelation_time",
    "magnetisation_per_site",
    "run_chain",
    "sample_configurations",
    "wolff_add_probability",
]
