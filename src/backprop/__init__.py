"""Kernels of the course book *Backprop by hand*.

One concept per module; the chapters import them after deriving each idea inline:

- ``backprop.checks``            input validation with errors that say how to fix them
- ``backprop.gradcheck``         finite-difference derivatives and gradient checks
- ``backprop.gradient_descent``  gradient descent that returns its path
- ``backprop.plotting``          figures shared by several chapters (a descent path over contours)
- ``backprop.activations``       identity and sigmoid, each beside its derivative
- ``backprop.small_networks``    the hand-worked networks: forward, backward by name, training history
- ``backprop.symbolic``          SymPy cross-check of hand-derived gradients
- ``backprop.graph_drawing``     computation graphs with forward values and backward gradients
- ``backprop.exercises``         generates exercises/ from solutions/
"""

__version__ = "0.1.0"
