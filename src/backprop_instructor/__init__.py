"""The instructor's side of grading: the answer key and the grading command. Never handed to students.

The student package (``backprop``, with ``backprop.grading``'s feedback, question registry and sandbox) holds no
answers; this package holds them, and it is left out of the student pack and out of the grading sandbox, where a
submission's code runs against the student package alone.

Read the modules in this order:

1. ``backprop_instructor.references``   the answer key: the instructor's answer to every checked question
2. ``backprop_instructor.judges``       how each question is graded against the key, with slip-specific hints
3. ``backprop_instructor.grader``       the ``backprop-grade`` command: sandboxed runs, scores, CSV, results.json
4. ``backprop_instructor.commitments``  writes the answer-free commitments the student package ships
5. ``backprop_instructor.student_pack`` writes what an instructor hands out: exercises, student book, package
"""
