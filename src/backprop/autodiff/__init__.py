"""Automatic differentiation: the chain rule of the earlier chapters, done by the computer.

Read the modules in this order:

1. ``backprop.autodiff.tensor``    reverse mode: ``Tensor``, ``backward``, broadcasting (the engine)
2. ``backprop.autodiff.forward``   forward mode: dual numbers (``Dual``), ``jvp``, ``forward_gradient`` (one pass per
                                   input) and ``jacobian``, to compare with reverse mode
3. ``backprop.autodiff.networks``  the book's networks written once, run with Tensors or Duals (the third gradient
                                   check, and forward mode through the same networks)
4. ``backprop.autodiff.graph``     drawing the computation graph a Tensor expression recorded

The engines' interfaces are also importable from the subpackage itself
(``from backprop.autodiff import Tensor, Dual``).
"""

from .forward import Dual, forward_gradient, jacobian, jvp
from .tensor import Tensor, topological_order, unbroadcast, zero_grad

__all__ = ["Dual", "Tensor", "forward_gradient", "jacobian", "jvp", "topological_order", "unbroadcast", "zero_grad"]
