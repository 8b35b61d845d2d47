"""Kernels of the course book *Backprop by hand*.

One concept per module; the chapters import them after deriving each idea inline:

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
- ``backprop.ising``             Ising Monte Carlo: Metropolis and Wolff, observables, autocorrelation times
- ``backprop.ising_kernels``     the samplers' compiled (numba) inner loops
- ``backprop.ising_exact``       exact Ising results: small-lattice enumeration, Onsager, Yang
- ``backprop.ising_data``        Ising datasets across sizes and temperatures, cached on disk
- ``backprop.autodiff``          reverse-mode automatic differentiation: Tensor, backward, broadcasting
- ``backprop.autodiff_networks`` the book's networks written with Tensors, for the third gradient check
- ``backprop.autodiff_graph``    the computation graph an autodiff expression recorded, with values and gradients
- ``backprop.exercises``         generates exercises/ from solutions/
- ``backprop.grading``           the grader: sandboxed runs of submissions, per-question checks and hints, CSV/JSON
"""

__version__ = "0.1.0"
