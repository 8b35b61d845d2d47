"""The chapters' worked examples of the small networks, with their data: (network, parameters, x, y).

Both automatic-differentiation modes are checked on them (tests/test_autodiff.py, tests/test_forward_mode.py).
"""

import numpy as np

X7 = np.array([0.5, 0.8, 1.5, 0.4, 0.4, 1.0, 1.9])
Y7 = np.array([1.0, 1.2, 1.2, 0.6, 0.5, 1.1, 1.3])
BOOK_EXAMPLES = [
    ("identity_neuron", {"w": 0.5, "b": 1.0}, 2.0, 5.0),
    ("sigmoid_neuron", {"w": 0.3, "b": 0.1}, 0.5, 1.0),
    ("sigmoid_neuron", {"w": 0.3, "b": 0.1}, X7, Y7),
    ("two_in_sequence", {"w1": 0.3, "w2": 0.2, "b1": 0.1, "b2": 0.2}, 0.5, 1.0),
    ("two_in_a_layer", dict(w11=0.3, w12=0.2, w21=0.1, w22=0.2, b11=0.1, b12=0.2, b21=0.1, b22=0.2), 0.5, 1.0),
]
