"""The students' side of the graded exercises: feedback in the notebook, and the sandbox that runs a submission.

Nothing here holds an answer; the answer key and the grading command are in ``backprop_instructor``, which students
never get. Read the modules in this order:

- ``questions``: the question registry (stable ids, points, what the student defines, the inputs to try);
  ``inputs`` makes those inputs.
- ``checks``: comparisons that explain a mismatch without revealing the expected value (the ½, transposes, signs,
  shapes, NaN); ``symbolic_checks``: a derivative written as a formula, parsed safely and compared with SymPy.
- ``self_checks``: each question judged from its own definition (gradient checks against central differences of
  the exercise's loss, consistency, shapes), and ``commitments`` for plain values.
- ``feedback``: ``check(qid, obj)`` for the student, inside the notebook.
- ``sandbox``: runs a submission's code confined by bubblewrap and brings back what its functions return.
"""
