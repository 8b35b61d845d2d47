"""Commitments: a check of a plain value that holds no answer, for questions no definition can judge cheaply.

For such a question the student package holds only a salted, slow hash of the answer's digits (in
``commitments.json``, written by the instructor's ``backprop_instructor.commitments``). The student's value is
rounded the same way and hashed; equal hashes mean equal digits. The hash reveals nothing a guess does not: to use
it, one must already hold the candidate answer.

Tolerance, and why it is sound. Every number is rounded to ``SIGNIFICANT_DIGITS`` significant digits before hashing,
and the instructor's generator refuses an answer that lies within ``MARGIN`` (relative) of a rounding boundary. So
any value within ``MARGIN`` of the answer rounds to the same digits and passes, and any value that differs in those
digits fails: right answers computed in another order (or on another CPU) pass, slips fail. A whole answer (all its
numbers) is one commitment, so guessing it number by number is impossible; PBKDF2 with many iterations makes each
guess slow.

An entry may also list **slips**: the digests of known wrong answers (the single-path factor where the norm's is
asked, a tanh network where the sigmoid is asked...), each with its hint. A wrong value that matches one gets that
hint; the slips are wrong answers, so they reveal nothing of the right one.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from backprop.grading.checks import Result, as_array, describe

SIGNIFICANT_DIGITS = 3
MARGIN = 1e-4
ITERATIONS = 200_000
STORE = Path(__file__).with_name("commitments.json")


def canonical_digits(value) -> str | None:
    """The value's shape and numbers rounded to SIGNIFICANT_DIGITS significant digits, as text (None: not numbers)."""
    array = as_array(value)
    if array is None or array.dtype == object or not np.all(np.isfinite(array)):
        return None
    numbers = ",".join(f"{float(v):.{SIGNIFICANT_DIGITS - 1}e}" for v in array.reshape(-1))
    return f"{array.shape}:{numbers}"


def digest(text: str, salt: str) -> str:
    """The slow salted hash of a canonical text."""
    return hashlib.pbkdf2_hmac("sha256", text.encode(), salt.encode(), ITERATIONS).hex()


def load() -> dict:
    """{qid: {"salt", "digest", "shape"}} from the store shipped with the package."""
    return json.loads(STORE.read_text(encoding="utf-8"))


def judge_commitment(qid: str, value, hint: str = "Check each layer's factor and where the product starts."
                     ) -> list[Result]:
    """Does ``value`` have the committed answer's shape and digits? Never says what the answer is.

    ``hint`` ends the message of a wrong value that matches none of the entry's known slips.
    """
    entry = load()[qid]
    shape = tuple(entry["shape"])
    array = as_array(value)
    if array is None or array.dtype == object:
        return [Result("value", False, f"{qid}: expected numbers, received {describe(value)}.")]
    if array.shape != shape:
        return [Result("value", False, f"{qid}: expected shape {shape}, received shape {array.shape}.")]
    if not np.all(np.isfinite(array)):
        return [Result("value", False, f"{qid}: contains NaN or inf.")]
    received = digest(canonical_digits(array), entry["salt"])
    if received == entry["digest"]:
        return [Result("value", True, f"{qid}: correct to {SIGNIFICANT_DIGITS} significant digits.")]
    hint = next((slip["hint"] for slip in entry.get("slips", []) if slip["digest"] == received), hint)
    return [Result("value", False, f"{qid}: not the expected values (compared to {SIGNIFICANT_DIGITS} significant "
                                   f"digits). {hint}")]
