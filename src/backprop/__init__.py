"""The shared code of the course book *Backprop by hand*.

One concept per module, and a subpackage for a topic with several modules (each says in its docstring what it
holds and in what order to read it); the chapters import them after deriving each idea inline:

- ``backprop.checks``            input validation with errors that say how to fix them
- ``backprop.gradcheck``         finite-difference derivatives and gradient checks
- ``backprop.gradient_descent``  gradient descent that returns its path
- ``backprop.plotting``          figures shared by several chapters: a descent path over contours, a decision boundary
- ``backprop.activations``       identity, sigmoid, tanh and ReLU, each beside its derivative
- ``backprop.small_networks``    the hand-worked networks: forward, backward by name, training history
- ``backprop.symbolic``          SymPy cross-check of hand-derived gradients
- ``backprop.graph_drawing``     computation graphs with forward values and backward gradients
- ``backprop.losses``            losses beside their gradients: cross-entropy from logits, squared errors, hinge, L2
- ``backprop.mlp``               a multilayer perceptron with a hand-written backward pass, in the scikit-learn shape
- ``backprop.gradient_flow``     per-layer gradient norms, the slope bound, decay fits
- ``backprop.linear_models``     linear and logistic regression and a linear SVM, trained by our gradient descent
- ``backprop.ising``             subpackage: the 2D Ising model (Monte Carlo, exact results, datasets, block spins)
- ``backprop.autodiff``          subpackage: automatic differentiation (Tensor engine, the book's networks, graphs)
- ``backprop.exercises``         generates exercises/ from solutions/
- ``backprop.grading``           subpackage: the students' side of grading: feedback without the key, the sandbox

The answer key and the grading command are in a separate package, ``backprop_instructor``, never handed to students.
"""

__version__ = "0.1.0"
