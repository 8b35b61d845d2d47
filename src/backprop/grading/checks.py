"""Comparison helpers shared by every question: is a student's value the expected one, and if not, why not?

Each helper returns a :class:`Result`: a pass flag and a message for the student. A message says what was compared
and, when it fails, what was received and a hint; it never prints the expected value, so the feedback in the
notebook does not give the answer away. The hints recognise the usual slips: a factor of exactly 2 (the ½ of the
squared error dropped or added), a sign flip, a transposed matrix, NaN or inf, a wrong shape or type.

All comparisons run in the grader's process on plain data (floats, arrays, dicts, strings) decoded from what the
student's code returned; nothing here runs student code.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RTOL = 1e-6
ATOL = 1e-9


@dataclass(frozen=True)
class Result:
    """One sub-check: its name, whether it passed, and the message shown to the student."""

    name: str
    passed: bool
    message: str


def _close(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def as_array(value):
    """``value`` as a float array, or None when it is not numeric (a string, None, a function...)."""
    if isinstance(value, (str, bytes, dict)) or value is None or callable(value):
        return None
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        return None
    return array


def describe(value) -> str:
    """A short description of a received value that never runs its code (type and shape only)."""
    array = as_array(value)
    if array is not None:
        return f"an array of shape {array.shape}" if array.ndim else "a number"
    return f"a {type(value).__name__}"


def compare(name: str, got, expected, rtol: float = RTOL, atol: float = ATOL, slip_hints: bool = True) -> Result:
    """Compare a numeric value (number or array) with the expected one; explain the mismatch without revealing it."""
    expected = np.asarray(expected, dtype=float)
    array = as_array(got)
    if array is None:
        return Result(name, False, f"{name}: expected numbers, received {describe(got)}.")
    if array.dtype == object:
        return Result(name, False, f"{name}: expected numbers, received a ragged or mixed object.")
    if array.shape != expected.shape:
        if array.size == expected.size and array.ndim <= 2 and expected.ndim <= 2:
            if array.T.shape == expected.shape and _close(array.T, expected, rtol, atol):
                return Result(name, False, f"{name}: right numbers but transposed: shape {array.shape}, expected "
                                           f"{expected.shape}. Check the layout (samples are columns).")
            if _close(array.reshape(expected.shape), expected, rtol, atol):
                return Result(name, False, f"{name}: right numbers, wrong shape {array.shape}; expected "
                                           f"{expected.shape}. Use keepdims=True or reshape.")
        return Result(name, False, f"{name}: expected shape {expected.shape}, received shape {array.shape}.")
    if not np.all(np.isfinite(array)):
        return Result(name, False, f"{name}: contains NaN or inf. Look for a division by zero or an overflow.")
    if _close(array, expected, rtol, atol):
        return Result(name, True, f"{name}: correct.")
    hint = ""
    if slip_hints and np.any(np.abs(expected) > atol):
        if _close(array, 2 * expected, rtol, atol):
            hint = (" Your values are exactly twice the expected ones: did you drop the ½ of the squared error? "
                    "This exercise uses L = ½(ŷ - y)².")
        elif _close(array, 0.5 * expected, rtol, atol):
            hint = (" Your values are exactly half the expected ones: this exercise's loss has no ½ here "
                    "(or you divided by 2 twice).")
        elif _close(array, -expected, rtol, atol):
            hint = " Your values have the wrong sign: is it (ŷ - y) or (y - ŷ), and is the step minus the gradient?"
    return Result(name, False, f"{name}: wrong value.{hint}")


def compare_mapping(prefix: str, got, expected: dict, rtol: float = RTOL, atol: float = ATOL) -> list[Result]:
    """Compare a dict of numeric values key by key (a missing key fails only its own sub-check)."""
    if not isinstance(got, dict):
        return [Result(f"{prefix}{key}", False, f"{prefix}{key}: expected a dict with key {key!r}, received "
                                                 f"{describe(got)}.") for key in expected]
    results = []
    for key, value in expected.items():
        if key not in got:
            results.append(Result(f"{prefix}{key}", False, f"{prefix}{key}: key {key!r} is missing from the dict."))
        else:
            results.append(compare(f"{prefix}{key}", got[key], value, rtol, atol))
    return results


def error_result(name: str, error: str) -> Result:
    """The sub-check failed because calling the student's code raised, timed out or returned something unreadable."""
    return Result(name, False, f"{name}: your code raised {error}")


def fraction_passed(results: list[Result]) -> float:
    """The share of sub-checks that passed (0 when there are none)."""
    return sum(r.passed for r in results) / len(results) if results else 0.0
