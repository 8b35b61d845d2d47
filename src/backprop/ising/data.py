"""Datasets of Ising configurations across lattice sizes and temperatures, cached on disk.

Generation is seeded: the chain for lattice size ``L`` and temperature ``T`` draws its random numbers from
``SeedSequence([seed, L, round(T * 1e6)])``, so the data of one (L, T) does not depend on which other sizes or
temperatures are asked for, and a cached file holds exactly what a fresh generation would produce.

Cache: one ``.npz`` file per lattice size (spins packed eight to a byte), named by a hash of every parameter that
changes its content (L, the temperatures, samples per temperature, seed, algorithm choice, sampler settings,
``SAMPLER_VERSION`` and the file format). The directory is ``$BACKPROP_CACHE_DIR`` or ``~/.cache/backprop``. Files
are written to a temporary name and renamed, so an interrupted run never leaves half a file under the real name; a
file that cannot be read is regenerated (with a warning).
"""

from __future__ import annotations

import hashlib
import json
import numbers
import os
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

from ..checks import as_finite_vector, positive_int
from .monte_carlo import ALGORITHMS, CRITICAL_TEMPERATURE, SAMPLER_VERSION, check_lattice_size, sample_configurations

#: Below this temperature "auto" uses Wolff clusters (critical slowing down hurts Metropolis there); above, Metropolis.
WOLFF_BELOW = 2.6
SAMPLER_SETTINGS = {"n_equilibrate": 200, "n_pilot": 2000, "spacing_factor": 2.0}
#: Bump when the layout of the cached files changes.
CACHE_FORMAT = 2

# The grid of chapters 10 and 11, which write it out themselves (a test checks that they still agree with it): six
# lattice sizes, 50 temperatures (dense near Tc), 400 configurations each. It is here so that `python -m
# backprop.ising.data` can fill the cache before the notebooks run (make test does, beside the unit tests), instead
# of the first notebook that needs it generating it while others wait or generate it too.
BOOK_SIZES = (10, 20, 30, 40, 60, 80)
BOOK_TEMPERATURES = np.round(np.concatenate([np.linspace(1.0, 1.9, 10), np.linspace(2.0, 2.58, 30),
                                             np.linspace(2.6, 3.5, 10)]), 4)
BOOK_SAMPLES = 400
BOOK_SEED = 0
# Chapter 11's second, finer run near the crossings: the grid its rule gives from the first run's estimates
# (backprop.ising.estimates.refinement_grid; the chapter checks that it still gives this one), the four sizes of its
# pairs, twice the configurations, and another seed, so that no chain repeats one of the first run.
BOOK_REFINED_SIZES = (30, 40, 60, 80)
BOOK_REFINED_TEMPERATURES = np.round(np.linspace(2.235, 2.295, 13), 4)
BOOK_REFINED_SAMPLES = 800
BOOK_REFINED_SEED = 1


def cache_dir() -> Path:
    """The cache directory: ``$BACKPROP_CACHE_DIR`` if set, else ``~/.cache/backprop``."""
    return Path(os.environ.get("BACKPROP_CACHE_DIR") or Path.home() / ".cache" / "backprop")


def choose_algorithm(temperature: float, algorithm: str = "auto") -> str:
    """ "auto" picks Wolff below ``WOLFF_BELOW`` (ordered and critical region) and Metropolis above."""
    if algorithm == "auto":
        return "wolff" if temperature < WOLFF_BELOW else "metropolis"
    if algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm must be 'auto' or one of {ALGORITHMS}; got {algorithm!r}.")
    return algorithm


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0 (it names the cached file); got {seed!r}.")
    return int(seed)


def cache_key(L, temperatures, n_samples, seed, algorithm="auto") -> str:
    """A hex digest of every parameter that changes the generated data."""
    record = {"L": int(L), "temperatures": [float(t).hex() for t in temperatures], "n_samples": int(n_samples),
              "seed": int(seed), "algorithm": algorithm, "wolff_below": WOLFF_BELOW, "settings": SAMPLER_SETTINGS,
              "sampler_version": SAMPLER_VERSION, "format": CACHE_FORMAT}
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()[:20]


def generate(L, temperatures, n_samples, seed, algorithm="auto", progress_bar=None):
    """Sample ``n_samples`` configurations at each temperature (no cache). Returns ``(spins, tau, spacing)``:
    int8 (n_T, n_samples, L, L), and the autocorrelation time of |m| and the spacing used at each T (in the
    chosen algorithm's steps)."""
    spins = np.empty((len(temperatures), n_samples, L, L), dtype=np.int8)
    tau, spacing = np.empty(len(temperatures)), np.empty(len(temperatures), dtype=np.int64)
    for k, T in enumerate(temperatures):
        rng = np.random.default_rng(np.random.SeedSequence([seed, L, int(round(T * 1e6))]))
        spins[k], info = sample_configurations(L, T, n_samples, choose_algorithm(T, algorithm), rng,
                                               **SAMPLER_SETTINGS)
        tau[k], spacing[k] = info["tau"], info["spacing"]
        if progress_bar is not None:
            progress_bar.update(1)
    return spins, tau, spacing


def _save_atomically(path: Path, spins, tau, spacing) -> None:
    """Write to a temporary file in the same directory, then rename: readers see the old file or the new one.
    The spins are stored as bits (up = 1), eight to a byte."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.stem, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            np.savez(stream, bits=np.packbits(spins > 0, axis=None), shape=np.array(spins.shape), tau=tau,
                     spacing=spacing)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _warn_unreadable(path: Path, exc: Exception) -> None:
    warnings.warn(f"the cached Ising data {path.name} could not be read ({type(exc).__name__}); regenerating it.",
                  RuntimeWarning, stacklevel=4)


def _load(path: Path, shape):
    try:
        with np.load(path) as data:
            stored_shape = tuple(int(n) for n in data["shape"])
            if stored_shape != shape:
                raise ValueError(f"shape {stored_shape}")
            bits = np.unpackbits(data["bits"], count=int(np.prod(shape)))
            spins = bits.view(np.int8).reshape(shape)  # 0/1 to -1/+1 in place: no copies of the (large) array
            spins *= 2
            spins -= 1
            tau, spacing = data["tau"], data["spacing"]
    except Exception as exc:  # truncated, corrupt or foreign file: regenerate it
        _warn_unreadable(path, exc)
        return None
    return spins, tau, spacing


def _checked_run(sizes, temperatures, n_samples, seed):
    """The parameters of a run, checked: (sizes as a list, temperatures as an array, n_samples, seed)."""
    sizes = [check_lattice_size(L) for L in sizes]
    T = as_finite_vector(temperatures, "temperatures")
    if np.any(T <= 0):
        raise ValueError(f"temperatures must be > 0; got {T[T <= 0].tolist()}.")
    return sizes, T, positive_int(n_samples, "n_samples"), _check_seed(seed)


def _is_cached(path: Path, shape) -> bool:
    """Whether ``path`` is a cache file of this shape, read from its stored shape alone (reading a whole file takes a
    good fraction of a second); ``ising_dataset`` checks the rest as it loads. An unreadable file is not (warned)."""
    if not path.exists():
        return False
    try:
        with np.load(path) as data:
            stored_shape = tuple(int(n) for n in data["shape"])
    except Exception as exc:  # truncated, corrupt or foreign file: regenerate it
        _warn_unreadable(path, exc)
        return False
    return stored_shape == shape


def ising_dataset(sizes, temperatures, n_samples, seed=0, algorithm="auto", progress=None, directory=None,
                  jobs=1):
    """Configurations for every lattice size and temperature, from the cache when it has them.

    Parameters
    ----------
    sizes : sequence of int, lattice sides L (>= 2).
    temperatures : sequence of float > 0.
    n_samples : configurations per (L, T).
    seed : int >= 0; the data are a function of it (and of the other parameters).
    algorithm : "auto" (Wolff below ``WOLFF_BELOW``, Metropolis above), "metropolis" or "wolff".
    progress : show a tqdm bar on stderr while generating; None (default) shows it only in a terminal.
    directory : cache directory (default ``cache_dir()``).
    jobs : lattice sizes generated at the same time, each in a process of its own (default 1: in this process).
        The data are the same either way: each (L, T) draws from its own seeded generator.

    Returns
    -------
    dict mapping each L to a dict with ``spins`` int8 (n_T, n_samples, L, L), ``temperatures`` (n_T,),
    ``tau`` and ``spacing`` (n_T,) and ``generated`` (False when read from the cache).
    """
    sizes, T, n_samples, seed = _checked_run(sizes, temperatures, n_samples, seed)
    directory = Path(directory) if directory is not None else cache_dir()
    (generated,) = fill_cache([(sizes, T, n_samples, seed)], directory, jobs, algorithm, progress)
    result = {}
    for L in sizes:
        path = _cache_path(directory, L, T, n_samples, seed, algorithm)
        loaded = _load(path, (T.size, n_samples, L, L))
        if loaded is None:  # the file's header was fine but its data could not be read (warned): generated again
            loaded = generate(L, T, n_samples, seed, algorithm)
            _save_atomically(path, *loaded)
            generated.append(L)
        result[L] = dict(zip(("spins", "tau", "spacing"), loaded, strict=True), generated=L in generated,
                         temperatures=T.copy())
    return result


def _generate_and_save(L, temperatures, n_samples, seed, algorithm, path) -> int:
    """One lattice size, generated and written to its cache file (in a worker process)."""
    spins, tau, spacing = generate(L, temperatures, n_samples, seed, algorithm)
    _save_atomically(path, spins, tau, spacing)
    return L


def _cache_path(directory: Path, L, temperatures, n_samples, seed, algorithm) -> Path:
    return directory / f"ising_L{L}_{cache_key(L, temperatures, n_samples, seed, algorithm)}.npz"


def _generate_in_processes(tasks, jobs, bar) -> None:
    """Generate each task ``(L, temperatures, n_samples, seed, algorithm, path)`` in one of ``jobs`` processes, the
    costliest first (the cost grows with L * L times the number of configurations), each writing its own cache file;
    the caller then reads them. The samplers are compiled here first, once: otherwise every worker would compile them
    itself on a new machine (several seconds each)."""
    from concurrent.futures import ProcessPoolExecutor, as_completed

    warm_up = np.random.default_rng(0)
    for algorithm_name in ALGORITHMS:
        sample_configurations(4, CRITICAL_TEMPERATURE, 1, algorithm_name, warm_up, n_equilibrate=1, n_pilot=20)
    by_cost = sorted(tasks, key=lambda task: -task[0] ** 2 * len(task[1]) * task[2])
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks))) as pool:
        futures = {pool.submit(_generate_and_save, *task): len(task[1]) for task in by_cost}
        for future in as_completed(futures):
            bar.set_postfix(L=future.result())
            bar.update(futures[future])


def fill_cache(runs, directory=None, jobs=1, algorithm="auto", progress=None) -> list:
    """Make sure the cache holds several runs, each ``(sizes, temperatures, n_samples, seed)`` as ``ising_dataset``
    takes them, generating what is missing in one pool of ``jobs`` processes: one pool for all the runs keeps both
    cores busy to the end, where a pool per run would leave one idle while the other finishes the run's largest size.
    Returns, per run, the sizes generated now (an empty list when the cache had them all)."""
    jobs = positive_int(jobs, "jobs")
    directory = Path(directory) if directory is not None else cache_dir()
    if progress is None:
        progress = sys.stderr.isatty()
    tasks, generated = [], []
    choose_algorithm(CRITICAL_TEMPERATURE, algorithm)
    for run in runs:
        sizes, T, n_samples, seed = _checked_run(*run)
        paths = {L: _cache_path(directory, L, T, n_samples, seed, algorithm) for L in sizes}
        missing = [L for L in sizes if not _is_cached(paths[L], (T.size, n_samples, L, L))]
        tasks += [(L, T, n_samples, seed, algorithm, paths[L]) for L in missing]
        generated.append(missing)
    if tasks:
        from tqdm import tqdm

        with tqdm(total=sum(len(task[1]) for task in tasks), desc="Ising samples", unit="T", file=sys.stderr,
                  disable=not progress) as bar:
            if jobs > 1 and len(tasks) > 1:
                _generate_in_processes(tasks, jobs, bar)
            else:
                for L, *grid_and_seed, path in tasks:  # in this process, the bar moving at every temperature
                    bar.set_postfix(L=L)
                    _save_atomically(path, *generate(L, *grid_and_seed, progress_bar=bar))
    return generated


def main(argv=None) -> int:
    """``python -m backprop.ising.data``: make sure the cache holds the data of chapters 10 and 11 (both runs)."""
    import argparse
    import time

    parser = argparse.ArgumentParser(description="Fill the Ising data cache with the book's data (chapters 10 and "
                                                 "11); what is already cached is only read.")
    parser.add_argument("--directory", type=Path, default=None, help="cache directory (default: %(default)s, "
                        "meaning $BACKPROP_CACHE_DIR or ~/.cache/backprop)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                        help="lattice sizes generated side by side, one process each (default: %(default)s)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    runs = {"chapters 10 and 11": (BOOK_SIZES, BOOK_TEMPERATURES, BOOK_SAMPLES, BOOK_SEED),
            "chapter 11's finer run": (BOOK_REFINED_SIZES, BOOK_REFINED_TEMPERATURES, BOOK_REFINED_SAMPLES,
                                       BOOK_REFINED_SEED)}
    generated = fill_cache(list(runs.values()), directory=args.directory, jobs=args.jobs)
    for (name, (sizes, *_)), now in zip(runs.items(), generated, strict=True):
        print(f"Ising data of {name} in {args.directory or cache_dir()}: L = {', '.join(map(str, sizes))}; "
              f"generated now: {', '.join(map(str, now)) or 'none (all cached)'}")
    print(f"({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
