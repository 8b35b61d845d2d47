"""Graded exercises: per-question checks, a sandbox for student code, the grading command and in-notebook feedback.

- ``questions``: the question registry (stable ids, points, inputs to try, how to judge); ``references`` is the
  answer key built on the ``backprop`` kernels; ``checks`` and ``symbolic_checks`` compare values and give hints.
- ``sandbox``: runs a notebook's code in a fresh, limited process and returns what its functions produce.
- ``grader``: the ``backprop-grade`` command (table, CSV, Gradescope results.json; folders in parallel).
- ``feedback``: ``check(qid, obj)`` for the student, inside the notebook.
"""
