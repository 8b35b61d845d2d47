"""A multilayer perceptron with a backward pass written by hand.

Layout: **samples are columns**, as in the book's maths. For a batch of ``m`` samples, layer ``l`` holds

- ``A[l]`` of shape ``(n_l, m)`` (``A[0]`` is the input, ``X.T``),
- ``W[l]`` of shape ``(n_l, n_{l-1})`` and ``b[l]`` of shape ``(n_l, 1)`` (broadcast over the columns),
- ``Z[l] = W[l] @ A[l-1] + b[l]`` and ``A[l] = g(Z[l])``.

The output layer has one unit per output and no activation inside the loss: binary cross-entropy is computed from
the logits ``Z[L]`` (the sigmoid and the logarithm are fused, so no ``log(0)``), and mean squared error uses an
identity output. Either way the error at the output is ``dL/dZ[L] = (prediction - Y) / m``. Going back, each
hidden layer's slope ``g'(Z[l])`` is computed from the activation ``A[l]`` that the forward pass stored
(sigma' = a(1 - a), ...: ``activations.DERIVATIVES_FROM_OUTPUT``), so no activation is evaluated twice.

**A stack of networks.** Networks of the same shape train side by side on the same data when every ``W[l]`` and
``b[l]`` gets a leading axis, one slice per network: ``(k, n_l, n_{l-1})`` and ``(k, n_l, 1)``. NumPy's ``@``
multiplies each matrix of a stack by the same ``X``, so ``forward``, ``backward`` and ``batch_loss`` run ``k``
networks in one pass (``batch_loss`` then returns one loss per network), and each network's numbers are those it
gets alone. For small networks, where the cost of a step is the calls and not the arithmetic, this is several times
faster than ``k`` loops (chapter 7 trains its five seeds this way).

The functions ``forward``, ``backward`` and ``train_step`` are the algorithm; the class ``MLP`` wraps them in the
scikit-learn shape (``fit``, ``predict``, ``predict_proba``, ``score``, learned state ending in ``_``) and is the
only place that validates input, because its data is ``(n_samples, n_features)`` like every library's.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .activations import DERIVATIVES_FROM_OUTPUT, get_activation, sigmoid
from .checks import NotFittedError, as_sample_matrix, as_targets, non_negative_number, positive_int, positive_number
from .losses import binary_cross_entropy_from_logits, half_mean_squared_error, l2_penalty

LOSS_NAMES = ("binary_cross_entropy", "mean_squared_error")
INITIALISERS = ("xavier", "he", "normal")


def init_parameters(layer_sizes, init: str = "xavier", init_scale=None, rng=None):
    """Random weights and zero biases for layers of the given sizes.

    Parameters
    ----------
    layer_sizes : sequence of int, e.g. ``(2, 4, 1)`` for 2 inputs, 4 hidden units and 1 output.
    init : "xavier" (Glorot: std = sqrt(2 / (n_in + n_out)), suits sigmoid and tanh), "he" (std = sqrt(2 / n_in),
        suits ReLU) or "normal" (std = ``init_scale``, e.g. the source's 0.01).
    init_scale : for "xavier" and "he", a factor on the standard deviation (default 1); for "normal", the standard
        deviation itself (required).
    rng : numpy Generator (or a seed).

    Returns
    -------
    weights, biases : lists with ``W[l]`` of shape (n_l, n_{l-1}) and ``b[l]`` of shape (n_l, 1), layer 1 first.
    """
    if init not in INITIALISERS:
        raise ValueError(f"init must be one of {INITIALISERS}; got {init!r}. Use 'he' with relu, 'xavier' otherwise.")
    if init == "normal" and init_scale is None:
        raise ValueError("init='normal' needs init_scale, the standard deviation of the weights; e.g. 0.01.")
    scale = 1.0 if init_scale is None else positive_number(init_scale, "init_scale")
    rng = np.random.default_rng(rng)
    weights, biases = [], []
    for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:], strict=True):
        std = {"xavier": np.sqrt(2.0 / (n_in + n_out)), "he": np.sqrt(2.0 / n_in), "normal": 1.0}[init] * scale
        weights.append(rng.standard_normal((n_out, n_in)) * std)
        biases.append(np.zeros((n_out, 1)))
    return weights, biases


def forward(weights, biases, X, activation: str, buffers=None):
    """Forward pass over a batch ``X`` of shape (n_features, m).

    Returns the lists ``Z`` (pre-activations of layers 1..L) and ``A`` (``A[0] = X``, then the hidden activations;
    the output layer's activation is left to the loss, so ``len(A) == len(Z)``). With ``buffers`` (a
    ``StepBuffers``), ``Z`` and ``A`` are written into its arrays instead of new ones.
    """
    g, _ = get_activation(activation)
    A, Z = [X], []
    for layer, (W, b) in enumerate(zip(weights, biases, strict=True), start=1):
        z = np.matmul(W, A[-1], out=_buffer(buffers, "Z", layer))  # W[l] @ A[l-1]
        z += b  # in place: a second full-size temporary costs more than the addition itself
        Z.append(z)
        if layer < len(weights):
            A.append(g(z, out=_buffer(buffers, "A", layer)))
    return Z, A


def output_error(Z_out, Y, loss: str):
    """dL/dZ[L] for a batch: (sigma(Z) - Y) / m for cross-entropy, (Z - Y) / m for squared error.

    For cross-entropy this is the simplification derived in the book: sigma'(z) cancels against d/da log(a).
    """
    prediction = sigmoid(Z_out) if loss == "binary_cross_entropy" else Z_out
    return (prediction - Y) / Y.shape[1]


def backward_errors(weights, Z, Y, activation: str, loss: str, A=None, buffers=None):
    """The error ``delta[l] = dL/dZ[l]`` of every layer, layer 1 first, each of shape (n_l, m).

    It starts at the output, ``output_error``, and moves back one layer at a time:
    ``delta[l-1] = (W[l].T @ delta[l]) * g'(Z[l-1])``, a matrix product followed by an element-wise product.
    Given the activations ``A`` of ``forward``, the slope g'(Z[l-1]) is taken from the stored output
    ``A[l-1] = g(Z[l-1])`` (sigma' = a(1 - a), tanh' = 1 - a^2, relu' = [a > 0]): the same numbers, without
    evaluating the activation again. With ``buffers``, the hidden layers' errors go into its arrays.
    """
    _, g_prime = get_activation(activation)
    g_prime_from_output = DERIVATIVES_FROM_OUTPUT[activation]
    deltas = [output_error(Z[-1], Y, loss)]
    for index in range(len(weights) - 1, 0, -1):  # Python's weights[index] is the book's W[l], l = index + 1
        W = weights[index]
        if W.ndim == 2:
            # np.dot is the matrix product W[l].T @ delta[l]; for a one-unit output layer it is an outer product,
            # which np.dot computes several times faster than @ does
            delta = np.dot(W.T, deltas[-1], out=_buffer(buffers, "deltas", index))
        elif W.shape[1] == 1:
            # a stack of one-unit layers: each product is an outer product, each entry a single multiplication,
            # which broadcasting computes (the same numbers) faster than @ does
            delta = W.mT * deltas[-1]
        else:
            # a stack: @ pairs matrix k of one stack with matrix k of the other (np.dot would pair every matrix
            # with every other); .mT transposes each matrix of the stack
            delta = W.mT @ deltas[-1]
        # times g'(Z[l-1]), in place; Python's Z[index - 1] is the book's Z[l-1], and A[index] its A[l-1]
        delta *= g_prime(Z[index - 1]) if A is None else g_prime_from_output(A[index])
        deltas.append(delta)
    return deltas[::-1]


def backward(weights, Z, A, Y, activation: str, loss: str, l2: float = 0.0, return_errors: bool = False,
             buffers=None):
    """Backward pass: the gradients of the mean loss (plus the L2 penalty) for every W[l] and b[l].

    With the errors ``delta[l]`` of ``backward_errors`` (its slopes taken from the activations ``A``), each layer's
    gradients are ``dW[l] = delta[l] @ A[l-1].T (+ l2/m * W[l])`` and ``db[l] = delta[l]`` summed over the samples
    (columns).
    Returns ``(dW, db)``, layer 1 first, or ``(dW, db, deltas)`` with ``return_errors``. With ``buffers``, the
    errors and ``dW`` are written into its arrays.
    """
    m = Y.shape[1]
    deltas = backward_errors(weights, Z, Y, activation, loss, A, buffers)
    # delta[l] @ A[l-1].T; .mT transposes a matrix, or each matrix of a stack
    dW = [np.matmul(delta, a.mT, out=_buffer(buffers, "dW", layer))
          for layer, (delta, a) in enumerate(zip(deltas, A, strict=True), start=1)]
    if l2:
        for gradient, W in zip(dW, weights, strict=True):
            gradient += (l2 / m) * W
    db = [delta.sum(axis=-1, keepdims=True) for delta in deltas]  # the samples are the last axis
    return (dW, db, deltas) if return_errors else (dW, db)


def batch_loss(weights, Z_out, Y, loss: str, l2: float = 0.0) -> float:
    """The mean loss of a batch from its output pre-activations, plus (l2 / 2m) * sum ||W||^2.

    Like ``forward`` and ``backward``, it leaves the checks of the data to ``MLP.fit``, which makes them once.
    For a stack of networks (``Z_out`` of shape (k, n_outputs, m)) it returns an array of the k networks' losses.
    """
    data_loss = (binary_cross_entropy_from_logits if loss == "binary_cross_entropy" else half_mean_squared_error)
    penalty = l2_penalty(weights, l2, Y.shape[1]) if l2 else 0.0
    return data_loss(Z_out, Y, check_input=False) + penalty


def frobenius_norm(array) -> float:
    """||array||: the square root of the sum of its squared entries, as ``np.linalg.norm`` computes it (the same dot
    product, so the same bits) without its checks and dispatch, which cost more than the sum for a small layer."""
    flat = array.ravel(order="K")
    return math.sqrt(flat.dot(flat))


class StepBuffers:
    """The large arrays of a training step, allocated once and filled in place at every step of the same size.

    For batches of ``m`` samples and the given layer sizes: the pre-activations ``Z[l]`` and hidden activations
    ``A[l]``, the hidden layers' errors ``delta[l]`` and the weight gradients ``dW[l]``. The maths is unchanged, to
    the bit; only the memory is reused. Why it matters: a step of a mid-size network (100-128-128-1 on 1,024
    samples) makes several arrays of a megabyte. The memory allocator hands such blocks back to the operating system
    when they are freed, and a new one costs page faults on first use: allocated afresh at every step, they took as
    long as the arithmetic (``bench/bench_mlp.py``).
    """

    def __init__(self, layer_sizes, m: int):
        units = tuple(layer_sizes[1:])
        self.Z = [np.empty((n, m)) for n in units]
        self.A = [np.empty((n, m)) for n in units[:-1]]
        self.deltas = [np.empty((n, m)) for n in units[:-1]]
        self.dW = [np.empty((n_out, n_in)) for n_in, n_out in zip(layer_sizes[:-1], units, strict=True)]


def _buffer(buffers, name: str, layer: int):
    """The array of ``buffers`` that holds layer ``layer``'s ``name`` (Z, A, deltas or dW; layers count from 1), or
    None, which tells a NumPy function to allocate a new array."""
    return None if buffers is None else getattr(buffers, name)[layer - 1]


def clip_by_norm(gradients, max_norm: float):
    """Scale all gradients by ``max_norm / ||g||`` when their joint norm ``||g||`` exceeds ``max_norm``.

    Returns the (possibly scaled) list and the norm before clipping. The direction of the step is kept; only its
    length is capped.
    """
    norm = float(np.sqrt(sum(np.sum(g * g) for g in gradients)))
    if norm > max_norm:
        gradients = [g * (max_norm / norm) for g in gradients]
    return gradients, norm


def train_step(weights, biases, X, Y, activation: str, loss: str, learning_rate: float, l2: float = 0.0,
               clip_norm=None, buffers=None):
    """One step of gradient descent on a batch, in place: forward, backward, (clip), update.

    Returns the batch's loss before the step and, per layer, the norms of the weight gradient ``dW[l]`` and of the
    error ``delta[l]`` (before clipping). If the outputs are no longer finite (a diverged run), nothing is updated
    and the loss returned is ``inf``, with ``None`` for the norms. ``buffers``, a ``StepBuffers`` for batches of
    this size, holds the step's large arrays (``MLP.fit`` passes one); without it they are allocated anew.
    """
    Z, A = forward(weights, biases, X, activation, buffers)
    if not np.isfinite(Z[-1]).all():
        return float("inf"), None, None
    value = batch_loss(weights, Z[-1], Y, loss, l2)
    dW, db, deltas = backward(weights, Z, A, Y, activation, loss, l2, return_errors=True, buffers=buffers)
    weight_norms = [frobenius_norm(g) for g in dW]
    error_norms = [frobenius_norm(d) for d in deltas]
    if clip_norm is not None:
        clipped, _ = clip_by_norm(dW + db, clip_norm)
        dW, db = clipped[: len(dW)], clipped[len(dW):]
    for W, b, gW, gb in zip(weights, biases, dW, db, strict=True):
        gW *= learning_rate  # the step alpha * dW, in place (the gradient is not needed after it): W -= alpha * dW
        W -= gW
        b -= learning_rate * gb
    return value, weight_norms, error_norms


class MLP:
    """A fully connected network trained by gradient descent, in the scikit-learn estimator shape.

    Parameters
    ----------
    hidden_sizes : tuple of int, units per hidden layer; ``()`` is a network with no hidden layer (logistic or
        linear regression).
    activation : "sigmoid", "tanh", "relu" or "identity", for every hidden layer.
    loss : "binary_cross_entropy" (one sigmoid output, labels 0/1) or "mean_squared_error" (identity outputs; the
        loss is (1/2m) * sum ||y_hat - y||^2, with the ½ of the earlier chapters, as scikit-learn's MLPRegressor).
    l2 : the lambda of the penalty (lambda / 2m) * sum ||W||_F^2 (seed 001, exercise 2); biases are not penalised.
    learning_rate, n_epochs : step size and number of passes over the training data.
    batch_size : None for full-batch gradient descent, 1 for stochastic, k for mini-batches of k samples.
    init, init_scale : see ``init_parameters``.
    clip_norm : if set, the joint norm of all gradients is capped at this value before each step.
    random_state : seed (or Generator) for the initial weights and the shuffling of mini-batches.
    shuffle : reshuffle the samples every epoch (mini-batch and stochastic only; ``fit`` never changes X or y).
    snapshot_epochs : epochs (0 to n_epochs) at which ``fit`` keeps a copy of the weights and biases, taken before
        that epoch's step, so that ``loss_curve_[e]`` is the full-batch loss at snapshot ``e``; epoch ``n_epochs`` is
        the final weights. Training is the same with or without them (e.g. to draw the boundary as it forms).

    Attributes after ``fit``
    ------------------------
    weights_, biases_ : lists of arrays, ``W[l]`` of shape (n_l, n_{l-1}), ``b[l]`` of shape (n_l, 1).
    loss_curve_ : list of float, the training loss (with the L2 term) of each epoch: for full batch, the loss before
        that epoch's step (as the source records it); for mini-batches, the sample-weighted mean of the batch losses.
    gradient_norms_, error_norms_ : arrays (n_epochs, n_layers), the norms of each layer's weight gradient dW[l] and
        error delta[l] = dL/dZ[l] at the epoch's first step (before clipping).
    snapshots_ : dict {epoch: (weights, biases)}, copies at the ``snapshot_epochs`` that training reached.
    diverged_ : True when training stopped because the outputs or the weights stopped being finite; the curves then
        end at the last epoch that completed.
    n_features_in_, n_outputs_ : the widths seen in ``fit``.
    """

    def __init__(self, hidden_sizes=(4,), activation="sigmoid", loss="binary_cross_entropy", l2=0.0,
                 learning_rate=0.1, n_epochs=1000, batch_size=None, init="xavier", init_scale=None, clip_norm=None,
                 random_state=0, shuffle=True, snapshot_epochs=()):
        self.hidden_sizes = hidden_sizes
        self.activation = activation
        self.loss = loss
        self.l2 = l2
        self.learning_rate = learning_rate
        self.n_epochs = n_epochs
        self.batch_size = batch_size
        self.init = init
        self.init_scale = init_scale
        self.clip_norm = clip_norm
        self.random_state = random_state
        self.shuffle = shuffle
        self.snapshot_epochs = snapshot_epochs

    # --- checks ---------------------------------------------------------------------------------------------------

    def _validated_hyperparameters(self):
        get_activation(self.activation)
        if self.loss not in LOSS_NAMES:
            raise ValueError(f"loss must be one of {LOSS_NAMES}; got {self.loss!r}. Use 'binary_cross_entropy' "
                             "for a classifier and 'mean_squared_error' for regression.")
        sizes = tuple(self.hidden_sizes) if not isinstance(self.hidden_sizes, numbers.Integral) else None
        if sizes is None or not all(isinstance(n, numbers.Integral) and not isinstance(n, bool) and n >= 1
                                    for n in sizes):
            raise ValueError(f"hidden_sizes must be a tuple of whole numbers >= 1, one per hidden layer; got "
                             f"{self.hidden_sizes!r}. Write (4,) for one layer of 4 units, () for none.")
        non_negative_number(self.l2, "l2")
        positive_number(self.learning_rate, "learning_rate")
        positive_int(self.n_epochs, "n_epochs")
        if self.batch_size is not None:
            positive_int(self.batch_size, "batch_size")
        if self.clip_norm is not None:
            positive_number(self.clip_norm, "clip_norm")
        epochs = self.snapshot_epochs
        if isinstance(epochs, (str, bytes, numbers.Number)) or not hasattr(epochs, "__iter__") or not all(
                isinstance(e, numbers.Integral) and not isinstance(e, bool) and 0 <= e <= self.n_epochs
                for e in epochs):
            raise ValueError(f"snapshot_epochs must be a list of whole numbers from 0 to n_epochs={self.n_epochs}; "
                             f"got {epochs!r}. Write e.g. [0, 100, {self.n_epochs}].")
        return sizes

    def _check_fitted(self):
        if not hasattr(self, "weights_"):
            raise NotFittedError("This MLP is not fitted yet: call fit(X, y) before predict, score or "
                                 "hidden_activations.")

    def _columns(self, X):
        self._check_fitted()
        return as_sample_matrix(X, "X", self.n_features_in_).T

    def _target_columns(self, y, n_samples):
        binary = self.loss == "binary_cross_entropy"
        y = as_targets(y, n_samples, "y", binary=binary)
        return y.reshape(n_samples, -1).T  # (n_outputs, m): samples as columns

    # --- training ---------------------------------------------------------------------------------------------------

    def fit(self, X, y):
        """Initialise the weights (seeded) and train. X: (n_samples, n_features); y: (n_samples,) or
        (n_samples, n_outputs). Returns self."""
        sizes = self._validated_hyperparameters()
        X = as_sample_matrix(X, "X")
        Y = self._target_columns(y, X.shape[0])
        rng = np.random.default_rng(self.random_state)
        self.n_features_in_, self.n_outputs_ = X.shape[1], Y.shape[0]
        layer_sizes = (self.n_features_in_, *sizes, self.n_outputs_)
        self.weights_, self.biases_ = init_parameters(layer_sizes, self.init, self.init_scale, rng)
        # Samples stay rows in memory: a mini-batch is then a gather of contiguous rows, and its transpose (a view)
        # is the (n_features, batch) matrix of the maths. Gathering columns of a (n_features, m) array instead
        # touches every row of it and is many times slower for wide inputs.
        X_rows, Y_rows, m = X.copy(), Y.T.copy(), X.shape[0]
        batch = m if self.batch_size is None else min(self.batch_size, m)
        self.loss_curve_, weight_norms, error_norms, self.diverged_ = [], [], [], False
        order = np.arange(m)
        buffers = StepBuffers(layer_sizes, batch)  # for every step of `batch` samples (a shorter last batch allocates)
        wanted, self.snapshots_ = {int(e) for e in self.snapshot_epochs}, {}

        def keep(epoch):
            if epoch in wanted:
                self.snapshots_[epoch] = ([W.copy() for W in self.weights_], [b.copy() for b in self.biases_])
        # A diverging run overflows on purpose (large steps, large weights): it is detected and reported in
        # diverged_, so NumPy's overflow warnings along the way are silenced.
        with np.errstate(over="ignore", invalid="ignore"):
            for epoch in range(self.n_epochs):
                keep(epoch)
                if batch < m and self.shuffle:
                    order = rng.permutation(m)
                total, first_norms = 0.0, None
                for start in range(0, m, batch):
                    rows = order[start:start + batch] if batch < m else slice(None)
                    n_rows = min(start + batch, m) - start
                    value, w_norms, e_norms = train_step(self.weights_, self.biases_, X_rows[rows].T,
                                                         Y_rows[rows].T, self.activation, self.loss,
                                                         self.learning_rate, self.l2, self.clip_norm,
                                                         buffers if n_rows == batch else None)
                    if not np.isfinite(value):
                        break
                    first_norms = first_norms or (w_norms, e_norms)
                    total += value * n_rows
                if not np.isfinite(value):
                    self.diverged_ = True
                    break
                self.loss_curve_.append(total / m)
                weight_norms.append(first_norms[0])
                error_norms.append(first_norms[1])
                if not all(np.isfinite(W).all() for W in self.weights_):
                    self.diverged_ = True
                    break
            else:
                keep(self.n_epochs)
        n_layers = len(self.weights_)
        self.gradient_norms_ = np.array(weight_norms).reshape(-1, n_layers)
        self.error_norms_ = np.array(error_norms).reshape(-1, n_layers)
        return self

    # --- using the model --------------------------------------------------------------------------------------------

    def decision_function(self, X):
        """The output layer's pre-activations (logits for a classifier): (n_samples,) or (n_samples, n_outputs)."""
        X_cols = self._columns(X)
        Z, _ = forward(self.weights_, self.biases_, X_cols, self.activation)
        out = Z[-1].T
        return out[:, 0] if self.n_outputs_ == 1 else out

    def predict_proba(self, X):
        """Probability of class 1 for each sample, shape (n_samples,).

        Unlike scikit-learn, which returns the two columns (1 - p, p), this returns p alone: the book's network has
        one sigmoid output.
        """
        if self.loss != "binary_cross_entropy":
            raise ValueError("predict_proba needs a classifier (loss='binary_cross_entropy'); this model was built "
                             "for regression: use predict.")
        return sigmoid(self.decision_function(X))

    def predict(self, X):
        """Class labels 0/1 (probability above 1/2) for a classifier; the outputs themselves for regression."""
        if self.loss == "binary_cross_entropy":
            return (self.decision_function(X) > 0).astype(int)
        return self.decision_function(X)

    def score(self, X, y) -> float:
        """Accuracy for a classifier; the coefficient of determination R^2 for regression (as scikit-learn)."""
        X = as_sample_matrix(X, "X")
        Y = self._target_columns(y, X.shape[0]).T
        if self.loss == "binary_cross_entropy":
            return float(np.mean(self.predict(X) == Y[:, 0]))
        prediction = self.predict(X).reshape(Y.shape)
        residual = np.sum((Y - prediction) ** 2)
        spread = np.sum((Y - Y.mean(axis=0)) ** 2)
        return float(1.0 - residual / spread) if spread > 0 else float(residual == 0)

    def hidden_activations(self, X):
        """The activations of each hidden layer: a list of arrays of shape (n_samples, n_units)."""
        X_cols = self._columns(X)
        _, A = forward(self.weights_, self.biases_, X_cols, self.activation)
        return [a.T for a in A[1:]]

    def loss_and_gradients(self, X, y):
        """The training loss (with the L2 term) and its gradients at the current weights: (loss, dW, db)."""
        X_cols = self._columns(X)
        Y = self._target_columns(y, X_cols.shape[1])
        Z, A = forward(self.weights_, self.biases_, X_cols, self.activation)
        value = batch_loss(self.weights_, Z[-1], Y, self.loss, self.l2)
        dW, db = backward(self.weights_, Z, A, Y, self.activation, self.loss, self.l2)
        return value, dW, db
