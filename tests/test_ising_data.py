"""The Ising data cache: seeded generation, one file per parameter set, never regenerated, robust to corruption."""

import warnings

import numpy as np
import pytest

from backprop import ising_data

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
                                 {"seed": -1}, {"seed": 1.5}, {"algorithm": "glauber"}])
def test_bad_input_is_refused(tmp_path, bad):
    with pytest.raises(ValueError):
        make(tmp_path, **bad)
