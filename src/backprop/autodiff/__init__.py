"""Automatic differentiation: the chain rule of the earlier chapters, done by the computer.

Read the modules in this order:

1. ``backprop.autodiff.tensor``    reverse mode: ``Tensor``, ``backward``, broadcasting (the engine)
2. ``backprop.autodiff.networks``  the book's networks written with Tensors, for the third gradient check
3. ``backprop.autodiff.graph``     drawing the computation graph a Tensor expression recorded

The engine's interface is also importable from the package itself (``from backprop.autodiff import Tensor``).
"""

from .tensor import Tensor, topological_order, unbroadcast, zero_grad

__all__ = ["Tensor", "topological_order", "unbroadcast", "zero_grad"]
