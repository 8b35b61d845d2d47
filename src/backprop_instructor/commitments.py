"""Write the commitments the student package ships (``backprop/grading/commitments.json``) from the answer key.

    python -m backprop_instructor.commitments          # rewrite the store
    python -m backprop_instructor.commitments --check  # fail if the store is not what the key gives

Each committed answer must sit at least ``MARGIN`` away from a rounding boundary of its digits (see
``backprop.grading.commitments``), otherwise a right answer computed another way could round the other way; the
generator refuses such an answer rather than shipping a flaky check.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys

import numpy as np

from backprop.grading.commitments import MARGIN, SIGNIFICANT_DIGITS, STORE, canonical_digits, digest
from backprop_instructor import references as ref

ANSWERS = {
    "q22_hidden_sizes": lambda: ref.source_classifier_losses("sigmoid"),
    "q24_sigmoid_magnitudes": lambda: ref.gradient_magnitudes(5, 0.25),
    "q25_relu_magnitudes": lambda: ref.gradient_magnitudes(5, 0.5),
    "q25b_relu_norm_factors": lambda: ref.relu_norm_factors([1, 2]),
}

# Known wrong answers and the hint each gets (wrong answers: committing them reveals nothing of the right one).
SLIPS = {
    "q22_hidden_sizes": [
        (lambda: ref.source_classifier_losses("tanh"), "These are the losses of a tanh hidden layer: the source's "
         "classifier uses the sigmoid."),
    ],
    "q24_sigmoid_magnitudes": [
        (lambda: ref.gradient_magnitudes(5, 0.5), "A factor of 1/2 per layer is the sigmoid's value at 0, sigma(0); "
         "the gradient is multiplied by its slope, sigma'(z)."),
    ],
    "q25_relu_magnitudes": [
        (lambda: ref.gradient_magnitudes(5, np.sqrt(0.5)), "This is the norm's factor through random weights; this "
         "part asks for the single path, where a layer multiplies the gradient by one unit's g'(z)."),
    ],
    "q25b_relu_norm_factors": [
        (lambda: np.array([0.5, 0.5]), "0.5 is the single path's expected derivative; through n random weights the "
         "variances add: one layer back multiplies the error's variance by n sigma_w^2 E[g'(z)^2]."),
        (lambda: np.array([0.5, 1.0]), "These are the factors of the variance; the norm (the gradient's size) is "
         "multiplied by their square root."),
    ],
}


def distance_to_boundary(value: float) -> float:
    """Relative distance from ``value`` to the nearest value whose rounding to SIGNIFICANT_DIGITS digits differs."""
    if value == 0:
        return np.inf
    exponent = np.floor(np.log10(abs(value)))
    unit = 10.0 ** (exponent - SIGNIFICANT_DIGITS + 1)
    scaled = abs(value) / unit
    return abs(scaled - np.floor(scaled) - 0.5) * unit / abs(value)


def build() -> dict:
    store = {}
    for qid, answer in ANSWERS.items():
        array = np.asarray(answer(), dtype=float)
        close = [float(v) for v in array.reshape(-1) if distance_to_boundary(float(v)) < MARGIN]
        if close:
            raise ValueError(f"{qid}: {close} lie within {MARGIN:g} of a rounding boundary; commit another form.")
        salt = hashlib.sha256(f"backprop-commitment/{qid}".encode()).hexdigest()[:16]
        store[qid] = {"salt": salt, "digest": digest(canonical_digits(array), salt), "shape": list(array.shape)}
        slips = [{"digest": digest(canonical_digits(np.asarray(wrong(), dtype=float)), salt), "hint": hint}
                 for wrong, hint in SLIPS.get(qid, [])]
        if slips:
            store[qid]["slips"] = slips
    return store


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if the store is out of date")
    args = parser.parse_args(argv)
    text = json.dumps(build(), indent=1, sort_keys=True) + "\n"
    if args.check:
        if not STORE.exists() or STORE.read_text(encoding="utf-8") != text:
            print(f"{STORE.name} is out of date: run python -m backprop_instructor.commitments", file=sys.stderr)
            return 1
        return 0
    STORE.write_text(text, encoding="utf-8")
    print(f"wrote {STORE.name}: {len(ANSWERS)} commitments ({SIGNIFICANT_DIGITS} significant digits)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
