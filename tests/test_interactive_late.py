"""Unit tests of the interactive figures of chapters 7, 8 and 11 (backprop.interactive.training, flow, ising) and of
``MLP``'s ``snapshot_epochs``: the frames' shapes and rounding, bad input, the states, the mime bundle, and the frames
against the chapters' numbers.

The browser side (the page draws what is stored, and shows what the chapters say) is
tests/test_interactive_figures_late.py.
"""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.datasets import make_moons  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from backprop.gradient_flow import bound_factors, decay_factor, layer_gradient_norms  # noqa: E402
from backprop.interactive.flow import flow_figure, flow_frames  # noqa: E402
from backprop.interactive.ising import ising_figure, ising_frames  # noqa: E402
from backprop.interactive.training import boundary_figure, boundary_frames, log_ticks, probability_grid  # noqa: E402
from backprop.mlp import MLP, batch_loss, forward, init_parameters  # noqa: E402

MAX_HTML = 200_000  # bytes of text/html per figure (the budget)


@pytest.fixture(scope="module")
def moons():
    """Chapter 7's split."""
    X, y = make_moons(n_samples=200, noise=0.2, random_state=42)
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.3, random_state=42)
    return X_train, y_train


CHAPTER_7 = dict(activation="sigmoid", init="normal", init_scale=0.01, learning_rate=1.0, random_state=0)


@pytest.fixture(scope="module")
def short_runs(moons):
    """1 and 4 hidden units with chapter 7's settings, for 2,500 epochs (the 4-unit network leaves the plateau)."""
    X, y = moons
    return {size: MLP(hidden_sizes=(size,), n_epochs=2500, snapshot_epochs=[0, 200, 1500, 2500], **CHAPTER_7).fit(X, y)
            for size in (1, 4)}


# ------------------------------------------------------------------------------------------ MLP.snapshot_epochs
def test_snapshots_are_the_weights_at_those_epochs(moons):
    X, y = moons
    model = MLP(hidden_sizes=(3,), n_epochs=30, learning_rate=0.5, snapshot_epochs=[0, 7, 30]).fit(X, y)
    assert sorted(model.snapshots_) == [0, 7, 30]
    for epoch in (7, 30):
        shorter = MLP(hidden_sizes=(3,), n_epochs=epoch, learning_rate=0.5).fit(X, y)
        for kept, trained in zip(model.snapshots_[epoch][0] + model.snapshots_[epoch][1],
                                 shorter.weights_ + shorter.biases_, strict=True):
            np.testing.assert_array_equal(kept, trained)
    start, _ = init_parameters((2, 3, 1), "xavier", None, np.random.default_rng(0))
    np.testing.assert_array_equal(model.snapshots_[0][0][0], start[0])
    # loss_curve_[e] is the loss at snapshot e: the loss before that epoch's step
    weights, biases = model.snapshots_[7]
    logits = forward(weights, biases, X.T, "sigmoid")[0][-1]
    assert batch_loss(weights, logits, y[None, :].astype(float), "binary_cross_entropy") == pytest.approx(
        model.loss_curve_[7], rel=1e-12)


def test_snapshots_are_copies_and_change_nothing(moons):
    X, y = moons
    plain = MLP(hidden_sizes=(3,), n_epochs=20).fit(X, y)
    kept = MLP(hidden_sizes=(3,), n_epochs=20, snapshot_epochs=(0, 10, 20)).fit(X, y)
    assert plain.loss_curve_ == kept.loss_curve_ and plain.snapshots_ == {}
    assert kept.snapshots_[0][0][0] is not kept.weights_[0]
    assert not np.array_equal(kept.snapshots_[0][0][0], kept.snapshots_[20][0][0])
    np.testing.assert_array_equal(kept.snapshots_[20][0][1], kept.weights_[1])


def test_a_diverged_run_keeps_only_the_epochs_it_reached(moons):
    X, y = moons  # chapter 8's run that blows up: ten ReLU layers, He's scale, learning rate 1.0
    model = MLP(hidden_sizes=(32,) * 10, activation="relu", init="he", learning_rate=1.0, n_epochs=20,
                snapshot_epochs=[0, 3, 20]).fit(X, y)
    assert model.diverged_ and sorted(model.snapshots_) == [0, 3]


@pytest.mark.parametrize("bad", [[-1], [0, 11], [True], "0, 5", 5, None, [1.5]])
def test_snapshot_epochs_are_checked(moons, bad):
    X, y = moons
    with pytest.raises(ValueError, match="snapshot_epochs must be a list of whole numbers from 0 to n_epochs=10"):
        MLP(n_epochs=10, snapshot_epochs=bad).fit(X, y)


# ------------------------------------------------------------------------------ chapter 7: the decision boundary
def test_probability_grid_spans_the_data(moons):
    X, _ = moons
    xs, ys = probability_grid(X, 25, 0.5)
    assert len(xs) == len(ys) == 25
    assert xs[0] <= X[:, 0].min() - 0.5 + 1e-3 and xs[-1] >= X[:, 0].max() + 0.5 - 1e-3
    assert np.all(np.diff(xs) > 0) and np.all(np.round(xs, 3) == xs)
    with pytest.raises(ValueError, match="n_points must be at least 2"):
        probability_grid(X, 1)


def test_boundary_frames_shapes_and_rounding(moons, short_runs):
    X, y = moons
    frames = boundary_frames(short_runs, X, y, n_points=20)
    assert frames["sizes"] == [1, 4] and frames["epochs"] == [0, 200, 1500, 2500]
    assert set(frames["frames"]) == {(s, e) for s in (1, 4) for e in frames["epochs"]}
    for (size, epoch), frame in frames["frames"].items():
        percent = np.array(frame["percent"])
        assert percent.shape == (20, 20) and percent.dtype.kind == "i" and 0 <= percent.min() <= percent.max() <= 100
        assert frame["right"] + len(frame["wrong"]) == len(y)
        assert frame["loss"] == float(f"{frame['loss']:.4g}")
        model = short_runs[size]
        if epoch < model.n_epochs:
            assert frame["loss"] == pytest.approx(model.loss_curve_[epoch], rel=1e-3)
    # the last frame is the fitted network itself
    assert frames["frames"][4, 2500]["right"] == int(np.sum(short_runs[4].predict(X) == y))
    assert len(frames["loss_curves"][4]) == 2501  # every epoch, and the loss at the final weights
    assert 0 < frames["min_abs_logit"] < 1
    json.dumps(frames["frames"][4, 2500])  # plain Python


def test_boundary_frames_match_chapter_7(moons, short_runs):
    """The chapter's text: 118 of 140 right at epoch 200 for every size; 4 units 116 at epoch 1,500, 136 at 2,500
    (its loss down from 0.31 to 0.10); 1 unit keeps its straight line."""
    frames = boundary_frames(short_runs, *moons)["frames"]
    assert frames[1, 200]["right"] == frames[4, 200]["right"] == 118
    assert frames[4, 1500]["right"] == 116 and frames[4, 2500]["right"] == 136
    assert f"{frames[4, 1500]['loss']:.2f}" == "0.31" and f"{frames[4, 2500]['loss']:.2f}" == "0.10"
    assert frames[1, 2500]["right"] == 116


def test_boundary_frames_bad_input(moons, short_runs):
    X, y = moons
    with pytest.raises(ValueError, match="non-empty dict"):
        boundary_frames({}, X, y)
    with pytest.raises(ValueError, match="fitted with snapshot_epochs"):
        boundary_frames({4: "not a model"}, X, y)
    with pytest.raises(ValueError, match="kept 0 snapshot"):
        boundary_frames({4: MLP(n_epochs=3).fit(X, y)}, X, y)
    other = MLP(hidden_sizes=(2,), n_epochs=10, snapshot_epochs=[0, 10]).fit(X, y)
    with pytest.raises(ValueError, match="same snapshot epochs"):
        boundary_frames({4: short_runs[4], 2: other}, X, y)
    deep = MLP(hidden_sizes=(2, 2), n_epochs=2, snapshot_epochs=[0, 2]).fit(X, y)
    with pytest.raises(ValueError, match="one hidden layer"):
        boundary_frames({2: deep}, X, y)
    with pytest.raises(ValueError, match="X"):
        boundary_frames(short_runs, X[:, :1], y)


def test_boundary_figure_states_and_bundle(moons, short_runs):
    X, y = moons
    frames = boundary_frames(short_runs, X, y)
    figure = boundary_figure(frames, X, y, name="boundary-test", default_size=4)
    assert len(figure.payload["states"]) == 4 * 2
    assert figure.default_key == (3, 1)  # the last epoch, 4 units
    state = figure.state(3, 1)
    assert state["readout"] == "4 hidden units, epoch 2,500: training loss 0.1003, 136 of 140 training samples right"
    assert state["traces"]["3"]["selectedpoints"] == frames["frames"][4, 2500]["wrong"]
    assert np.array(state["traces"]["0"]["z"]).shape == (25, 25)
    assert state["traces"]["5"]["line"]["width"] == 3 and state["traces"]["4"]["line"]["width"] == 1
    assert figure.state(0, 0)["traces"]["6"] == {"x": [0], "y": [frames["frames"][1, 0]["loss"]]}
    bundle = figure._repr_mimebundle_()
    assert set(bundle) == {"text/html", "image/png", "text/plain"} and len(bundle["text/html"]) < MAX_HTML
    assert bundle["text/html"] == boundary_figure(frames, X, y, name="boundary-test", default_size=4).html()
    assert '<p class="bp-description" id="bp-boundary-test-desc">Left: the probability of class 1' in bundle[
        "text/html"]
    # the short runs' snapshots (0, 200, 1500, 2500) are uneven: the hint beside the slider says so and lists them
    assert '-hint">The 4 steps are uneven (0, 200, 1,500, 2,500 epochs)' in figure.html()
    # the loss axis is labelled at 1-2-5 values, not only at the powers of ten
    axis = figure.payload["base"]["layout"]["yaxis2"]
    assert axis["tickvals"] == log_ticks(10 ** axis["range"][0], 10 ** axis["range"][1]) and 0.1 in axis["tickvals"]
    assert axis["ticktext"] == [f"{v:g}" for v in axis["tickvals"]]
    found = boundary_figure(frames, X, y, name="boundary-test", default_size=4, finding="Every run bends.")
    assert found.payload != figure.payload or "Every run bends." in found.html()
    assert '-desc">Left: the probability' in found.html() and "Every run bends.</p>" in found.html()
    with pytest.raises(ValueError, match="default_size must be one of"):
        boundary_figure(frames, X, y, default_size=20)


def test_log_ticks():
    assert log_ticks(0.04, 0.85) == [0.05, 0.1, 0.2, 0.5]
    assert log_ticks(0.01, 1.0) == [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0]
    assert log_ticks(3.0, 4.0) == []
    for low, high in ((0.0, 1.0), (1.0, 0.5), (np.nan, 1.0)):
        with pytest.raises(ValueError, match="0 < low < high"):
            log_ticks(low, high)


# ------------------------------------------------------------------------------------ chapter 8: gradient flow
def chapter_8_norms(activation, init, scale=None, seeds=range(3)):
    """The chapter's measurement (geometric means over seeds), on its ten-layer network."""
    X, y = make_moons(n_samples=200, noise=0.2, random_state=42)
    sizes = (2, *(32,) * 10, 1)
    logs = []
    for seed in seeds:
        weights, biases = init_parameters(sizes, init, scale, np.random.default_rng(seed))
        norms = layer_gradient_norms(weights, biases, X.T, y[None, :].astype(float), activation,
                                     "binary_cross_entropy")
        bound_factors(weights, activation)
        logs.append(np.log(norms))
    weight, error = np.exp(np.mean(logs, axis=0))
    return weight, error


def fake_norms(activations=("sigmoid", "relu"), inits=("a", "b")):
    layers = np.arange(1, 6)
    return {(act, init): (2.0 ** layers * (k + 1), 0.5 ** (5 - layers) * (j + 1))
            for k, act in enumerate(activations) for j, init in enumerate(inits)}


def test_flow_frames_round_and_fit():
    frames = flow_frames(fake_norms(), ["sigmoid", "relu"], ["a", "b"])
    assert frames["layers"] == [1, 2, 3, 4, 5]
    frame = frames["frames"]["relu", "b"]
    assert frame["weight"] == [4.0, 8.0, 16.0, 32.0, 64.0]
    assert frame["factor"] == 0.5  # 0.5 per layer towards the input... the error doubles towards the output
    assert frame["weight_factor"] == 0.5  # the weight norms double towards the output: 0.5 per layer back
    thirds = flow_frames({("sigmoid", "a"): ([1 / 3, 2 / 3], [1 / 7, 2 / 7])}, ["sigmoid"], ["a"], slice(0, 2),
                         slice(0, 2))
    assert thirds["frames"]["sigmoid", "a"]["weight"] == [0.333, 0.667]
    assert thirds["frames"]["sigmoid", "a"]["error"] == [0.143, 0.286]


def test_flow_frames_match_chapter_8():
    """The chapter's table: sigmoid with Xavier 0.23 per layer, ReLU with He 0.98 (ten seeds there, three here)."""
    norms = {("sigmoid", "xavier"): chapter_8_norms("sigmoid", "xavier"), ("sigmoid", "he"): chapter_8_norms(
        "sigmoid", "he")}
    frames = flow_frames(norms, ["sigmoid"], ["xavier", "he"])["frames"]
    assert frames["sigmoid", "xavier"]["factor"] == pytest.approx(0.23, abs=0.02)
    assert frames["sigmoid", "xavier"]["factor"] == round(decay_factor(norms["sigmoid", "xavier"][1][:10]), 2)
    assert frames["sigmoid", "xavier"]["weight"][0] == pytest.approx(2.2e-7, rel=0.3)


@pytest.mark.parametrize("norms,match", [
    ({}, "no entry for"),
    ({("sigmoid", "a"): ([1.0, 2.0], [1.0])}, "two 1-D arrays of the same length"),
    ({("sigmoid", "a"): ([1.0, 0.0], [1.0, 1.0])}, "finite and > 0"),
    ({("sigmoid", "a"): ([1.0, np.nan], [1.0, 1.0])}, "finite and > 0"),
    ([1, 2], "must be a dict"),
])
def test_flow_frames_bad_input(norms, match):
    with pytest.raises(ValueError, match=match):
        flow_frames(norms, ["sigmoid"], ["a"])


def test_flow_frames_need_two_layers_to_fit():
    norms = {("sigmoid", "a"): ([1.0, 2.0], [1.0, 2.0])}
    with pytest.raises(ValueError, match="weight_fit_layers must pick at least 2"):
        flow_frames(norms, ["sigmoid"], ["a"])  # the default fits the weight gradient from layer 2 on
    with pytest.raises(ValueError, match="fit_layers must pick at least 2"):
        flow_frames(norms, ["sigmoid"], ["a"], slice(0, 1), slice(0, 2))


def test_flow_readout_explains_a_flat_weight_gradient():
    """When the error vanishes but the weight gradient is flat (the activations shrink forward as fast), the readout
    says that the weight gradient has vanished in every layer; when both follow each other, it does not."""
    layers = np.arange(11)
    flat_tiny = (np.full(11, 1e-15), 0.04 ** (10 - layers) * 0.035)
    follows = (0.25 ** (10 - layers) * 0.4, 0.25 ** (10 - layers) * 0.04)
    flat_huge = (np.full(11, 1e5), 4.0 ** (10 - layers) * 0.04)
    norms = {("relu", "tiny"): flat_tiny, ("relu", "huge"): flat_huge, ("sigmoid", "tiny"): follows,
             ("sigmoid", "huge"): follows}
    figure = flow_figure(flow_frames(norms, ["sigmoid", "relu"], ["tiny", "huge"]), name="flow-flat",
                         labels={"relu": "ReLU", "tiny": "normal σ_w = 0.01"})
    assert figure.payload["controls"][1]["options"] == ["normal σ_w = 0.01", "huge"]
    text = figure.state(1, 0)["readout"]
    assert text.startswith("ReLU, normal σ_w = 0.01: towards the input the backward error shrinks by a factor 0.04 "
                           "per layer (it vanishes); the forward activations shrink as fast")
    assert "is flat, but it has vanished in every layer: ||dL/dW[1]|| = 1e-15, ||dL/dW[11]|| = 1e-15" in text
    assert "is flat, but it has exploded in every layer" in figure.state(1, 1)["readout"]
    assert "grows by a factor 4.00 per layer (it explodes)" in figure.state(1, 1)["readout"]
    follows_text = figure.state(0, 0)["readout"]
    assert "flat" not in follows_text and follows_text.endswith("||dL/dW[1]|| = 3.8e-07, ||dL/dW[11]|| = 0.4")
    assert "ReLU with normal σ_w = 0.01, ReLU with huge the weight gradient's line is flat" in figure.alt
    # the backward error is the solid line, the weight gradient the dotted one
    data = figure.payload["base"]["data"]
    assert data[0]["line"]["dash"] == "dot" and "dash" not in data[1]["line"]


def test_flow_frames_need_one_depth():
    norms = {("sigmoid", "a"): ([1.0, 2.0], [1.0, 2.0]), ("sigmoid", "b"): ([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])}
    with pytest.raises(ValueError, match="same number of layers"):
        flow_frames(norms, ["sigmoid"], ["a", "b"], slice(0, 2), slice(0, 2))
    with pytest.raises(ValueError, match="non-empty"):
        flow_frames(norms, [], ["a"])


def test_flow_figure_states_and_bundle():
    frames = flow_frames(fake_norms(), ["sigmoid", "relu"], ["a", "b"])
    figure = flow_figure(frames, name="flow-test", default=("relu", "a"), labels={"relu": "ReLU"})
    assert figure.default_key == (1, 0) and len(figure.payload["states"]) == 4
    state = figure.state(1, 1)
    assert state["traces"]["0"]["y"] == frames["frames"]["relu", "b"]["weight"]
    assert state["traces"]["1"]["line"]["color"] == "#2ca02c"
    assert state["readout"].startswith("ReLU, b: towards the input the backward error shrinks by a factor 0.50")
    assert figure.payload["controls"][0]["options"] == ["sigmoid", "ReLU"]
    assert len(figure.html()) < MAX_HTML and figure.html() == flow_figure(
        frames, name="flow-test", default=("relu", "a"), labels={"relu": "ReLU"}).html()
    with pytest.raises(ValueError, match="default must be an"):
        flow_figure(frames, default=("tanh", "a"))


# -------------------------------------------------------------------------------------- chapter 11: the Ising model
def fake_ising(n_T=6, L=8, n=20, seed=0):
    rng = np.random.default_rng(seed)
    temperatures = np.linspace(1.5, 3.5, n_T)
    disorder = np.linspace(0.0, 0.5, n_T)  # chance of a flipped spin: ordered to random
    lattices = np.where(rng.random((n_T, L, L)) < disorder[:, None, None], -1, 1).astype(np.int8)
    magnetisation = {L: lattices.mean(axis=(1, 2))[:, None] * np.ones((1, n)), 16: rng.uniform(-1, 1, (n_T, n))}
    outputs = {L: np.tile(disorder[:, None] * 2, (1, n // 2)), 16: rng.uniform(0, 1, (n_T, n // 2))}
    return temperatures, lattices, magnetisation, outputs


def test_ising_frames_shapes_and_rounding():
    temperatures, lattices, magnetisation, outputs = fake_ising()
    frames = ising_frames(temperatures, lattices, magnetisation, outputs)
    assert frames["L"] == 8 and frames["sizes"] == [8, 16]
    up = np.array(frames["lattices"])
    assert up.shape == (6, 8, 8) and set(np.unique(up)) <= {0, 1}
    np.testing.assert_array_equal(2 * up - 1, lattices)
    assert frames["lattice_abs_m"][0] == 1.0 and frames["abs_m"][8][0] == 1.0
    assert frames["output"][8] == np.round(np.linspace(0.0, 1.0, 6), 3).tolist()
    assert all(v == round(v, 3) for v in frames["abs_m"][16])
    json.dumps(frames)


@pytest.mark.parametrize("change,match", [
    (lambda t, s, m, o: (t[::-1], s, m, o), "increasing"),
    (lambda t, s, m, o: (t, s[:, :, :4], m, o), "one square configuration per temperature"),
    (lambda t, s, m, o: (t, s[:-1], m, o), "n_temperatures=6"),
    (lambda t, s, m, o: (t, s * 2, m, o), "spins -1 and \\+1 only"),
    (lambda t, s, m, o: (t, s, {8: m[8]}, o), "the same sizes"),
    (lambda t, s, m, o: (t, s, m, {8: o[8][:-1], 16: o[16]}), "outputs\\[8\\] must be a finite array"),
    (lambda t, s, m, o: (t, s, {}, {}), "non-empty dicts"),
])
def test_ising_frames_bad_input(change, match):
    with pytest.raises(ValueError, match=match):
        ising_frames(*change(*fake_ising()))


def test_ising_figure_states_and_bundle():
    temperatures, lattices, magnetisation, outputs = fake_ising()
    frames = ising_frames(temperatures, lattices, magnetisation, outputs)
    figure = ising_figure(frames, name="ising-test", default_temperature=2.0, marks=[(2.0, "edge")],
                          unlabelled=(1.9, 2.8), zoom=(1.9, 2.7))
    assert figure.default_key == (1,) and len(figure.payload["states"]) == 6  # 2.0 is the grid's nearest: 1.9
    state = figure.state(5)
    assert state["traces"]["0"]["z"] == frames["lattices"][5]
    # traces: the lattice; the |m| curves (2) and the line at T; the output curves (2) and the line at T; the |m|
    # dot; the zoomed output curves (2), the line at T and the output dots. What sits at T is placed by x0.
    assert state["traces"]["3"] == {"x0": 3.5} and state["traces"]["6"] == {"x0": 3.5}
    assert state["traces"]["7"] == {"x0": 3.5, "y": [frames["lattice_abs_m"][5]]}
    assert state["traces"]["10"] == {"x0": 3.5}
    assert state["traces"]["11"] == {"x0": 3.5, "y": [frames["output"][8][5], frames["output"][16][5]]}
    assert len(figure.payload["base"]["data"]) == 12
    assert state["readout"] == (f"T = 3.50: |m| = {frames['lattice_abs_m'][5]:.2f} here, mean "
                                f"{frames['abs_m'][8][5]:.2f} (L = 8); outputs, L = 8 to 16: "
                                f"{frames['output'][8][5]:.2f}, {frames['output'][16][5]:.2f}")
    layout = figure.payload["base"]["layout"]
    assert len(layout["shapes"]) == 3 + 1  # the unlabelled band on three panels, the zoom's outline
    assert layout["xaxis4"]["range"] == [1.9, 2.7] and layout["xaxis"]["showline"] and layout["yaxis"]["mirror"]
    # the spins in two colours that both show on a white page, and the lattice's title says which is which
    assert [c for _, c in figure.payload["base"]["data"][0]["colorscale"]] == ["#1d2951", "#f0b429"]
    assert "■</span> +1" in layout["annotations"][0]["text"]
    html = figure.html()
    assert "edge</span>" in html and len(html) < MAX_HTML
    with pytest.raises(ValueError, match="must be one of the sizes"):
        ising_figure(dict(frames, sizes=[16]))
    with pytest.raises(ValueError, match="zoom must be"):
        ising_figure(frames, zoom=(3.0, 2.0))
    with pytest.raises(ValueError, match="at least 2 grid temperatures"):
        ising_figure(frames)  # the default zoom, 2.0 to 2.6, holds one of this grid's temperatures


def test_a_40_by_40_lattice_at_50_temperatures_fits_the_budget():
    """Chapter 11's figure: L = 40, 50 temperatures, six sizes, in under 200 KB of HTML."""
    rng = np.random.default_rng(1)
    temperatures = np.linspace(1.0, 3.5, 50)
    lattices = np.where(rng.random((50, 40, 40)) < 0.5, -1, 1)
    magnetisation = {L: rng.uniform(-1, 1, (50, 40)) for L in (10, 20, 30, 40, 60, 80)}
    outputs = {L: rng.uniform(0, 1, (50, 20)) for L in magnetisation}
    figure = ising_figure(ising_frames(temperatures, lattices, magnetisation, outputs))
    assert len(figure.html()) < MAX_HTML
