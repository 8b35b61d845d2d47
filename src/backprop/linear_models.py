"""Linear regression, logistic regression and a linear SVM, trained by our own gradient descent.

Each model is a network with no hidden layer: one pre-activation per sample, ``z = w X + b``, with the book's
layout (**samples are columns**): ``X`` has shape ``(n_features, m)``, ``w`` shape ``(1, n_features)``, ``b`` is a
number and ``z`` has shape ``(1, m)``. Only the loss differs:

===================  ====================================  ==============================================
model                objective J(w, b)                      dJ/dz (then dJ/dw = dJ/dz X^T + (l2/m) w)
===================  ====================================  ==============================================
LinearRegression     (1/m) sum (y - z)^2                    -2 (y - z) / m
LogisticRegression   (1/m) sum CE(sigma(z), y) + L2         (sigma(z) - y) / m
LinearSVM            (1/m) sum max(0, 1 - y z) + L2         -y / m where y z < 1, else 0 (a subgradient)
===================  ====================================  ==============================================

with ``L2 = (l2 / 2m) ||w||^2`` (``backprop.losses.l2_penalty``; the bias is not penalised) and always
``dJ/db = sum of dJ/dz``. This is backpropagation through one layer: the loss's gradient with respect to its input
``z``, times the local derivative ``dz/dw = X^T``.

Matching scikit-learn. Multiplying our objective by ``m / l2`` gives ``(1/l2) sum loss_i + (1/2) ||w||^2``, which
is scikit-learn's ``C sum loss_i + (1/2) ||w||^2`` with **C = 1 / l2**, whatever ``m`` is; so
``LogisticRegression(C=1/l2)`` (solver lbfgs, which leaves the intercept unpenalised) and
``LinearSVC(loss="hinge", C=1/l2)`` minimise the same function as ours. (``LinearSVC`` also penalises the intercept,
as ``(b / intercept_scaling)^2 / 2``; a large ``intercept_scaling`` such as 10 makes that negligible.)
``SGDClassifier(loss="hinge", alpha=...)`` minimises ``(1/m) sum loss_i + (alpha/2) ||w||^2``: ``alpha = l2 / m``.
"""

from __future__ import annotations

import numpy as np

from .activations import sigmoid
from .checks import NotFittedError, as_sample_matrix, as_targets, non_negative_number, positive_int, positive_number
from .gradient_descent import gradient_descent
from .losses import get_loss, l2_penalty, l2_penalty_gradient


def linear_forward(w, b, X_cols):
    """z = w X + b: shape (1, m) for ``w`` of shape (1, n_features) and ``X_cols`` of shape (n_features, m)."""
    return w @ X_cols + b


def loss_and_gradients(w, b, X_cols, y, loss: str, l2: float = 0.0):
    """The objective and its gradient for one linear model, samples as columns.

    Parameters
    ----------
    w : ndarray of shape (1, n_features); b : float
    X_cols : ndarray of shape (n_features, m)
    y : ndarray of shape (1, m), targets (``"mean_squared_error"``), labels 0/1 (``"binary_cross_entropy"``, from
        logits) or labels -1/+1 (``"hinge"``)
    loss : a name from ``backprop.losses.LOSSES``
    l2 : the lambda of the penalty (lambda / 2m) ||w||^2

    Returns
    -------
    J : float; dJ_dw : ndarray of shape (1, n_features); dJ_db : float
    """
    data_loss, data_gradient = get_loss(loss)
    z = linear_forward(w, b, X_cols)
    m = X_cols.shape[1]
    dJ_dz = data_gradient(z, y)  # already divided by m
    J = data_loss(z, y) + l2_penalty([w], l2, m)
    dJ_dw = dJ_dz @ X_cols.T + l2_penalty_gradient(w, l2, m)
    return J, dJ_dw, float(dJ_dz.sum())


class _LinearModel:
    """Shared estimator logic; subclasses set ``_loss`` and the label handling."""

    _loss = "mean_squared_error"
    _keep_best = False  # the subgradient method is not a descent method: keep the best point it visited

    def __init__(self, learning_rate=0.1, max_iterations=10_000, tolerance=1e-8, l2=0.0):
        self.learning_rate = learning_rate
        self.max_iterations = max_iterations
        self.tolerance = tolerance
        self.l2 = l2

    def _loss_and_gradients(self, w, b, X_cols, y):
        """The objective and gradients at (w, b); a subclass may replace this (the tests plant wrong ones here)."""
        return loss_and_gradients(w, b, X_cols, y, self._loss, self.l2)

    def _encode(self, y, n_samples):
        """Targets as a float row of shape (1, m)."""
        array = as_targets(y, n_samples, "y")
        if array.ndim != 1:
            raise ValueError(f"y must hold one target per sample, shape ({n_samples},); got shape {array.shape}. "
                             "Fit one model per output column.")
        return array.reshape(1, -1)

    def fit(self, X, y):
        """Train from w = 0, b = 0 by full-batch gradient descent. X: (n_samples, n_features); y: (n_samples,).

        Returns self. Raises ``ValueError`` if the run diverges (lower ``learning_rate``, or standardise X).
        """
        learning_rate = positive_number(self.learning_rate, "learning_rate")
        max_iterations = positive_int(self.max_iterations, "max_iterations")
        tolerance = non_negative_number(self.tolerance, "tolerance")
        l2 = non_negative_number(self.l2, "l2")
        if self._keep_best and l2 == 0:
            raise ValueError("l2 must be > 0 for the SVM: without the penalty the hinge loss has no maximum-margin "
                             "solution. Pass e.g. l2=1.0 (scikit-learn's C = 1 / l2).")
        X = as_sample_matrix(X, "X")
        y_row = self._encode(y, X.shape[0])
        X_cols, n = X.T.copy(), X.shape[1]
        objective = []

        def gradient(theta):
            w, b = theta[:n].reshape(1, n), theta[n]
            with np.errstate(over="ignore", invalid="ignore"):
                finite = np.all(np.isfinite(linear_forward(w, b, X_cols)))
            if not finite:  # z overflowed: report a non-finite gradient, and gradient_descent stops as diverged
                objective.append(np.inf)
                return np.full(n + 1, np.nan)
            J, dJ_dw, dJ_db = self._loss_and_gradients(w, b, X_cols, y_row)
            objective.append(J)
            return np.append(dJ_dw.ravel(), dJ_db)

        with np.errstate(over="ignore", invalid="ignore"):  # a diverging run is reported below, not as a warning
            path = gradient_descent(gradient, np.zeros(n + 1), learning_rate, max_iterations, tolerance)
        if path.diverged:
            raise ValueError(f"gradient descent diverged after {path.n_steps} steps with learning_rate="
                             f"{learning_rate}: the weights stopped being finite. Lower the learning rate, or "
                             "standardise the features (X - X.mean(axis=0)) / X.std(axis=0).")
        final = path.final
        objective.append(self._loss_and_gradients(final[:n].reshape(1, n), final[n], X_cols, y_row)[0])
        best = int(np.argmin(objective)) if self._keep_best else len(objective) - 1
        theta = path.points[best]
        self.coef_ = theta[:n].reshape(1, n)
        self.intercept_ = np.array([theta[n]])
        self.loss_curve_ = [float(v) for v in objective]
        self.n_iter_ = path.n_steps
        self.best_iteration_ = best
        self.converged_ = path.stopped_early
        self.n_features_in_ = n
        return self

    def _check_fitted(self):
        if not hasattr(self, "coef_"):
            raise NotFittedError(f"This {type(self).__name__} is not fitted yet: call fit(X, y) before predict, "
                                 "score or decision_function.")

    def decision_function(self, X):
        """z = w x + b for each sample: shape (n_samples,)."""
        self._check_fitted()
        X_cols = as_sample_matrix(X, "X", self.n_features_in_).T
        return linear_forward(self.coef_, self.intercept_[0], X_cols)[0]


class LinearRegression(_LinearModel):
    """Least squares, J = (1/m) sum (y - (w x + b))^2, by gradient descent (``l2`` adds (l2/2m) ||w||^2).

    Attributes after ``fit``: ``coef_`` (n_features,) and ``intercept_`` (float), as scikit-learn's
    ``LinearRegression``; ``loss_curve_`` (the objective at the start and after each step), ``n_iter_``,
    ``converged_`` (the gradient's norm fell below ``tolerance``).
    """

    def fit(self, X, y):
        super().fit(X, y)
        self.coef_, self.intercept_ = self.coef_[0], float(self.intercept_[0])
        return self

    def decision_function(self, X):
        self._check_fitted()
        X_cols = as_sample_matrix(X, "X", self.n_features_in_).T
        return linear_forward(self.coef_.reshape(1, -1), self.intercept_, X_cols)[0]

    def predict(self, X):
        """y_hat = w x + b, shape (n_samples,)."""
        return self.decision_function(X)

    def score(self, X, y) -> float:
        """The coefficient of determination R^2 (as scikit-learn)."""
        y_hat = self.predict(X)
        y = self._encode(y, y_hat.size)[0]
        spread = np.sum((y - y.mean()) ** 2)
        residual = np.sum((y - y_hat) ** 2)
        return float(1.0 - residual / spread) if spread > 0 else float(residual == 0)


class _LinearClassifier(_LinearModel):
    """Labels from the sign of z; accuracy as the score."""

    def predict(self, X):
        """The label of each sample: ``classes_[1]`` where z > 0, else ``classes_[0]``. Shape (n_samples,)."""
        z = self.decision_function(X)  # first, so an unfitted model says so
        return self.classes_[(z > 0).astype(int)]

    def score(self, X, y) -> float:
        """Accuracy: the fraction of samples whose predicted label equals y."""
        predicted = self.predict(X)
        y = as_targets(y, predicted.size, "y")
        return float(np.mean(predicted == y))


class LogisticRegression(_LinearClassifier):
    """A one-neuron network: z = w x + b, a = sigma(z), trained on the mean cross-entropy (from logits).

    Parameters
    ----------
    learning_rate, max_iterations, tolerance : gradient descent's step, step budget and stopping rule (stop when the
        gradient's norm falls below ``tolerance``).
    l2 : lambda in (l2/2m) ||w||^2. The minimiser is scikit-learn's ``LogisticRegression(C=1/l2)``; ``l2=0`` is its
        ``C=np.inf`` (no penalty).

    Labels must be 0 and 1. Attributes after ``fit``: ``coef_`` (1, n_features), ``intercept_`` (1,),
    ``classes_`` ([0, 1]), ``loss_curve_``, ``n_iter_``, ``converged_``.
    """

    _loss = "binary_cross_entropy"

    def _encode(self, y, n_samples):
        self.classes_ = np.array([0, 1])
        return as_targets(y, n_samples, "y", binary=True).reshape(1, -1)

    def predict_proba(self, X):
        """a = sigma(z), the probability of class 1, shape (n_samples,) (scikit-learn returns (1 - a, a))."""
        return sigmoid(self.decision_function(X))


class LinearSVM(_LinearClassifier):
    """A linear support vector machine: mean hinge loss plus (l2/2m) ||w||^2, by subgradient descent.

    The decision function is z = w x + b (scikit-learn's sign convention; texts that write w x - b have the opposite
    intercept). The minimiser is ``LinearSVC(loss="hinge", C=1/l2)``'s. Labels may be -1/+1 or 0/1; 0/1 are mapped
    to -1/+1 for training (``y_signed = 2 y - 1``) and ``predict`` returns labels from the set given to ``fit``.

    The hinge loss has a kink where y z = 1, so the step uses a subgradient (0 at the kink), which does not shrink to
    zero near the optimum: the objective can go up from one step to the next and ``tolerance`` rarely fires. Like
    every subgradient method with a fixed step, this one keeps the best point it visited: ``coef_`` and
    ``intercept_`` come from step ``best_iteration_``, the lowest value of ``loss_curve_``. The margin is
    ``2 / ||w||``, returned by ``margin()``.
    """

    _loss = "hinge"
    _keep_best = True

    def __init__(self, learning_rate=0.1, max_iterations=10_000, tolerance=1e-8, l2=1.0):
        super().__init__(learning_rate, max_iterations, tolerance, l2)

    def _encode(self, y, n_samples):
        array = as_targets(y, n_samples, "y")
        values = set(np.unique(array).tolist())
        if array.ndim != 1 or not (values <= {0.0, 1.0} or values <= {-1.0, 1.0}):
            raise ValueError(f"y must hold labels -1 and +1 (or 0 and 1), one per sample; got the values "
                             f"{sorted(values)[:5]} (shape {array.shape}). Map your classes first, e.g. "
                             "y = np.where(labels == positive_class, 1, -1).")
        uses_zero = 0.0 in values
        self.classes_ = np.array([0, 1]) if uses_zero else np.array([-1, 1])
        return (2.0 * array - 1.0 if uses_zero else array).reshape(1, -1)

    def margin(self) -> float:
        """The width of the margin, 2 / ||w||: the distance between the lines w x + b = -1 and w x + b = +1."""
        self._check_fitted()
        return float(2.0 / np.linalg.norm(self.coef_))
