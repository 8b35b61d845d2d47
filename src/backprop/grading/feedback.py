"""Feedback inside the student's notebook: ``check("q01_identity_gradient", identity_neuron_gradient)``.

The call tries the student's function (or value) on the grader's kind of inputs, judges it without the answer key
(``backprop.grading.self_checks``: gradient checks against central differences of the exercise's own loss, shapes,
finite values, commitments), and prints what passed, what failed and a hint. No expected value is printed, and the
answer key is not in the student package at all.

This is for learning only. The instructor's grade never comes from it: the grader runs the notebook in a separate
process and judges the returned values in its own process against the instructor's key (``backprop_instructor``,
which students do not have), so redefining
``check`` or printing "10/10" changes nothing. Inside the grader's sandbox ``check`` does nothing, to save time.
"""

from __future__ import annotations

import os

import numpy as np

from backprop.grading.checks import fraction_passed
from backprop.grading.questions import get_question
from backprop.grading.self_checks import SELF_CHECKS

FEEDBACK_SEED = 7  # differs from the grader's seed: passing here is a good sign, not a guarantee


def _outcomes(question, obj, calls):
    outcomes = []
    for args in calls:
        try:
            if question.kind == "value":
                outcomes.append(("value", obj))
            else:
                outcomes.append(("value", obj(*[np.copy(a) if isinstance(a, np.ndarray) else a for a in args])))
        except NotImplementedError:
            outcomes.append(("error", "NotImplementedError: the stub is still there."))
        except Exception as exc:  # noqa: BLE001 - the student's error is the feedback
            outcomes.append(("error", f"{type(exc).__name__}: {exc}"))
    return outcomes


def check(qid: str, obj) -> None:
    """Print feedback for question ``qid`` on ``obj`` (the function or value the question asks for).

    Prints only; use ``feedback_results`` to get the sub-check results as data.
    """
    if os.environ.get("BACKPROP_GRADING") == "1":
        return
    question = get_question(qid)
    if question.kind == "rubric":
        print(f"{qid}: a written answer, marked by your instructor with the rubric ({question.points:g} points).")
        return
    if question.kind == "function" and not callable(obj):
        print(f"{qid}: expected the function {question.target}, received a {type(obj).__name__}. "
              f"Pass the function itself, without calling it.")
        return
    for line in report(qid, feedback_results(question, obj)):
        print(line)


def feedback_results(question, obj):
    """The sub-check results for ``obj`` on the feedback inputs (judged without the answer key)."""
    from backprop.grading.sandbox import decode, to_plain  # same plain-data round trip as the grader

    calls = question.calls(np.random.default_rng(FEEDBACK_SEED))
    outcomes = [(s, decode(to_plain(v)) if s == "value" else v) for s, v in _outcomes(question, obj, calls)]
    return SELF_CHECKS[question.qid](outcomes, calls)


def report(qid: str, results) -> list[str]:
    """The lines printed for a question: a count, each failure with its hint, or "All checks pass"."""
    question = get_question(qid)
    lines = [f"{qid} ({question.points:g} points): {sum(r.passed for r in results)} of {len(results)} checks pass."]
    lines += [f"  FAIL {r.message}" for r in results if not r.passed]
    if fraction_passed(results) == 1.0:
        lines.append("  All checks pass.")
    return lines
