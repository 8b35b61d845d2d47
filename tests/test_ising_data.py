"""The Ising data cache: seeded generation, one file per parameter set, never regenerated, robust to corruption."""

import warnings

import numpy as np
import pytest

from backprop.ising import data as ising_data

TEMPERATURES = [1.5, 3.0]


def make(directory, **overrides):
    arguments = {"sizes": [4], "temperatures": TEMPERATURES, "n_samples": 6, "seed": 3, "directory": directory,
                 "progress": False} | overrides
    return ising_data.ising_dataset(**arguments)


def test_second_call_loads_from_the_cache_without_regenerating(tmp_path, monkeypatch):
    first = make(tmp_path)[4]
    assert first["generated"] and first["spins"].shape == (2, 6, 4, 4) and first["spins"].dtype == np.int8

    def refuse(*args, **kwargs):
        raise AssertionError("the cache should have been used")

    monkeypatch.setattr(ising_data, "generate", refuse)
    second = make(tmp_path)[4]
    assert not second["generated"] and second["spins"].dtype == np.int8
    for key in ("spins", "tau", "spacing", "temperatures"):
        np.testing.assert_array_equal(first[key], second[key])
    assert len(list(tmp_path.glob("*.npz"))) == 1 and not list(tmp_path.glob("*.tmp"))


@pytest.mark.parametrize("change", [{"seed": 4}, {"n_samples": 7}, {"temperatures": [1.5, 3.1]},
                                    {"algorithm": "metropolis"}, {"sizes": [5]}])
def test_every_parameter_is_part_of_the_key(tmp_path, change):
    make(tmp_path)
    assert next(iter(make(tmp_path, **change).values()))["generated"]
    assert len(list(tmp_path.glob("*.npz"))) == 2


def test_sampler_version_is_part_of_the_key(monkeypatch):
    before = ising_data.cache_key(4, TEMPERATURES, 6, 3)
    monkeypatch.setattr(ising_data, "SAMPLER_VERSION", ising_data.SAMPLER_VERSION + 1)
    assert ising_data.cache_key(4, TEMPERATURES, 6, 3) != before


def test_generation_is_seeded_and_each_temperature_is_independent_of_the_others(tmp_path):
    both = make(tmp_path / "a")[4]["spins"]
    alone = make(tmp_path / "b", temperatures=[3.0])[4]["spins"]
    np.testing.assert_array_equal(both[1], alone[0])


def test_a_corrupt_file_is_regenerated(tmp_path):
    first = make(tmp_path)[4]
    (path,) = tmp_path.glob("*.npz")
    path.write_bytes(b"not an npz file")
    with pytest.warns(RuntimeWarning, match="could not be read"):
        again = make(tmp_path)[4]
    assert again["generated"]
    np.testing.assert_array_equal(first["spins"], again["spins"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not make(tmp_path)[4]["generated"]


def test_a_file_with_the_right_shape_but_unreadable_data_is_regenerated(tmp_path):
    """fill_cache trusts a file's stored shape; ising_dataset, which reads the rest, regenerates it if that fails."""
    first = make(tmp_path)[4]
    (path,) = tmp_path.glob("*.npz")
    np.savez(path, shape=np.array(first["spins"].shape))  # the shape alone: no spins
    assert ising_data.fill_cache([([4], TEMPERATURES, 6, 3)], directory=tmp_path) == [[]]
    with pytest.warns(RuntimeWarning, match="could not be read"):
        again = make(tmp_path)[4]
    assert again["generated"]
    np.testing.assert_array_equal(first["spins"], again["spins"])
    assert not make(tmp_path)[4]["generated"]


def test_cache_directory_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_CACHE_DIR", str(tmp_path))
    assert ising_data.cache_dir() == tmp_path
    make(None)
    assert len(list(tmp_path.glob("ising_L4_*.npz"))) == 1
    monkeypatch.delenv("BACKPROP_CACHE_DIR")
    assert ising_data.cache_dir().parts[-2:] == (".cache", "backprop")


def test_progress_bar_is_off_outside_a_terminal(tmp_path, capsys):
    make(tmp_path, progress=None)
    assert capsys.readouterr().err == ""


def test_auto_uses_wolff_below_and_metropolis_above():
    assert ising_data.choose_algorithm(2.3) == "wolff"
    assert ising_data.choose_algorithm(3.0) == "metropolis"
    assert ising_data.choose_algorithm(3.0, "wolff") == "wolff"


@pytest.mark.parametrize("bad", [{"sizes": [1]}, {"sizes": [4.0]}, {"temperatures": [0.0]}, {"n_samples": 0},
                                 {"seed": -1}, {"seed": 1.5}, {"algorithm": "glauber"}, {"jobs": 0}])
def test_bad_input_is_refused(tmp_path, bad):
    with pytest.raises(ValueError):
        make(tmp_path, **bad)


def test_sizes_generated_in_processes_are_the_sizes_generated_in_one(tmp_path):
    """jobs=2 writes the same files' contents as one process, and a different seed shows the comparison can fail."""
    in_one = make(tmp_path / "one", sizes=[4, 6, 8])
    in_two = make(tmp_path / "two", sizes=[4, 6, 8], jobs=2)
    other_seed = make(tmp_path / "other", sizes=[4, 6, 8], jobs=2, seed=4)
    for L in (4, 6, 8):
        assert in_two[L]["generated"]
        for key in ("spins", "tau", "spacing", "temperatures"):
            np.testing.assert_array_equal(in_one[L][key], in_two[L][key])
        assert not np.array_equal(in_two[L]["spins"], other_seed[L]["spins"])
    assert sorted(path.name for path in (tmp_path / "one").iterdir()) == \
        sorted(path.name for path in (tmp_path / "two").iterdir())



def test_fill_cache_generates_several_runs_in_one_pool_as_ising_dataset_would(tmp_path):
    """Two runs (other temperatures, samples and seed) filled by one pool of two processes: each run then reads from
    the cache, with the contents one process generates; a second fill generates nothing."""
    runs = [([4, 6], TEMPERATURES, 3, 0), ([6, 8], (2.2, 2.3), 5, 1)]
    assert ising_data.fill_cache(runs, directory=tmp_path / "pool", jobs=2, progress=False) == [[4, 6], [6, 8]]
    assert ising_data.fill_cache(runs, directory=tmp_path / "pool", jobs=2, progress=False) == [[], []]
    for sizes, temperatures, n_samples, seed in runs:
        cached, fresh = (ising_data.ising_dataset(sizes, temperatures, n_samples, seed, directory=tmp_path / folder,
                                                  progress=False) for folder in ("pool", "one"))
        for L in sizes:
            assert not cached[L]["generated"] and fresh[L]["generated"]
            for key in ("spins", "tau", "spacing"):
                np.testing.assert_array_equal(cached[L][key], fresh[L][key])


def test_fill_cache_refuses_a_bad_run(tmp_path):
    with pytest.raises(ValueError, match="temperatures must be > 0"):
        ising_data.fill_cache([([4], (2.0, -1.0), 3, 0)], directory=tmp_path)
    with pytest.raises(ValueError, match="jobs"):
        ising_data.fill_cache([([4], (2.0,), 3, 0)], directory=tmp_path, jobs=0)


# The fingerprint of a small dataset generated by both samplers (Wolff below Tc, Metropolis above). The samplers
# work with integers and compare random numbers with probabilities, so their output does not depend on the CPU,
# the SIMD paths or numba's target; the `portability` stage of `make test` runs this test in other numeric
# environments to prove it. The chapters' cached data are then the same on every machine. If a change to the
# samplers changes this fingerprint on purpose, bump SAMPLER_VERSION and update it.
SAMPLER_FINGERPRINT = "5f2e188bea7b3fba"


def test_generated_data_have_the_same_bits_on_every_machine(tmp_path):
    import hashlib

    data = ising_data.ising_dataset([6], [1.8, 2.3, 3.2], 8, seed=11, directory=tmp_path, progress=False)[6]
    digest = hashlib.sha256(np.packbits(data["spins"] > 0).tobytes() + data["spacing"].tobytes()).hexdigest()
    assert digest[:16] == SAMPLER_FINGERPRINT, f"fingerprint {digest[:16]}"
