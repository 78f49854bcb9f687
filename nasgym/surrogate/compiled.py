"""Compiled surrogate ensembles: one architecture's (mean, spread) in microseconds, equal to scikit-learn's.

scikit-learn's ``predict`` of one row costs 3-45 ms for 5 members (input validation, thread pools, one call per
tree of a forest), far above the goal of 50 us per architecture (issue 15). :func:`compile_ensemble` turns a fitted
:class:`~nasgym.surrogate.models.Ensemble` into arrays evaluated for one feature vector, all members at once:

- boosted trees (``gb``, ``hgb``; trees of <= 64 leaves): QuickScorer (Lucchese et al., SIGIR 2015), vectorized over
  every tree of every member. Leaves are numbered left to right; a split whose test sends ``x`` right removes the
  leaves of its left subtree from the tree's leaf bitmask; the exit leaf is the lowest bit left. That is a few numpy
  calls over all split nodes, where walking the trees level by level costs a few calls per level;
- forests (``rf``; deep trees of hundreds of leaves): the same node arrays in onnxruntime's ``TreeEnsemble``
  operator (ai.onnx.ml opset 5, float64 thresholds and leaf weights, one thread): too deep for numpy's per-level cost,
  too many leaves for QuickScorer's bitmasks;
- MLPs: the members' weight matrices stacked, one batched forward pass.

Splits compare as scikit-learn's do: ``GradientBoosting`` and random forests compare ``float32(x)`` with float64
thresholds, ``HistGradientBoosting`` compares ``x`` with its raw ``num_threshold`` (not the bins).
Predictions equal scikit-learn's up to float summation order (``tests/surrogate/test_compiled.py``: max |difference|
< 1e-9); features are finite, so missing-value routing never applies. A model kind without a compiler here falls back
to scikit-learn's ``predict`` per member (correct, slow).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from nasgym.surrogate.models import Ensemble

MAX_QUICKSCORER_LEAVES = 64  # leaf bitmasks fit a uint64


class CompiledEnsemble:
    """Per-member predictions of one feature vector, and their (mean, standard deviation) as in
    :meth:`Ensemble.predict`."""

    def __init__(self, kind: str, members: Any) -> None:
        self.kind = kind
        self.backend = type(members).__name__
        self._members = members

    def member_predictions(self, x: np.ndarray) -> np.ndarray:
        """(members,) predictions of one float64 feature vector ``x``."""
        return self._members(x)

    def predict_one(self, x: np.ndarray) -> tuple[float, float]:
        """(mean, standard deviation) over the members for one feature vector (numpy's mean and std, in Python)."""
        values = self._members(x).tolist()
        mean = sum(values) / len(values)
        return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))


def compile_ensemble(ensemble: Ensemble) -> CompiledEnsemble:
    """The compiled form of a fitted ``ensemble`` (see the module docstring)."""
    if not ensemble.members:
        raise ValueError(f"surrogate model {ensemble.name!r} is not fitted: call fit first")
    if ensemble.name == "mlp":
        return CompiledEnsemble("mlp", _MLP(ensemble.members))
    if ensemble.name in ("gb", "hgb", "rf"):
        trees = _trees(ensemble)
        fits = max(int((t.left < 0).sum()) for t in trees.nodes) <= MAX_QUICKSCORER_LEAVES
        return CompiledEnsemble(ensemble.name, _QuickScorer(trees) if fits else _OnnxForest(trees))
    return CompiledEnsemble(ensemble.name, _Sklearn(ensemble.members))


# ------------------------------------------------------------------------------------------------------------ trees
@dataclass
class _Tree:
    """One tree as node arrays (node 0 the root; ``left`` and ``right`` are -1 at a leaf)."""

    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray  # the leaf's contribution to its member's sum (learning rate or 1/trees applied)


@dataclass
class _Trees:
    """The trees of every member, member by member.

    Attributes:
        nodes: The trees.
        member: Member index of each tree.
        baseline: (members,) constant of each member's sum.
        float32: Whether splits see ``float32(x)`` (scikit-learn's DecisionTree input type) rather than ``x``.
    """

    nodes: list[_Tree]
    member: np.ndarray
    baseline: np.ndarray
    float32: bool


def _trees(ensemble: Ensemble) -> _Trees:
    """The node arrays of a fitted ``gb``, ``hgb`` or ``rf`` ensemble."""
    nodes, member, baseline = [], [], []
    for i, model in enumerate(ensemble.members):
        if ensemble.name == "hgb":
            baseline.append(float(np.ravel(model._baseline_prediction)[0]))
            for (predictor,) in model._predictors:
                n = predictor.nodes
                if n["is_categorical"].any():
                    raise ValueError("categorical splits are not compiled: expected numeric features only")
                leaf = n["is_leaf"].astype(bool)
                nodes.append(_Tree(n["feature_idx"].astype(np.intp), n["num_threshold"].astype(np.float64),
                                   np.where(leaf, -1, n["left"].astype(np.intp)),
                                   np.where(leaf, -1, n["right"].astype(np.intp)), n["value"].astype(np.float64)))
                member.append(i)
            continue
        if ensemble.name == "gb":
            estimators, scale = model.estimators_[:, 0], model.learning_rate
            baseline.append(float(model._raw_predict_init(np.zeros((1, model.n_features_in_)))[0, 0]))
        else:  # rf: the mean of the trees
            estimators, scale = model.estimators_, 1.0 / len(model.estimators_)
            baseline.append(0.0)
        for estimator in estimators:
            t = estimator.tree_
            nodes.append(_Tree(t.feature.astype(np.intp), t.threshold.astype(np.float64),
                               t.children_left.astype(np.intp), t.children_right.astype(np.intp),
                               t.value[:, 0, 0] * scale))
            member.append(i)
    return _Trees(nodes, np.asarray(member), np.asarray(baseline), ensemble.name != "hgb")


def _leaf_order(tree: _Tree) -> tuple[list[tuple[int, int, int]], list[int]]:
    """(split nodes as (node, first leaf, first leaf right of it), leaf nodes), leaves numbered left to right."""
    splits, leaves = [], []
    stack: list[tuple[int, int]] = [(0, -1)]  # (node, first leaf of the split entered, or -1 on the way down)
    while stack:
        node, lo = stack.pop()
        if lo >= 0:  # the left subtree of ``node`` is done: its leaves are [lo, len(leaves))
            splits.append((node, lo, len(leaves)))
            stack.append((int(tree.right[node]), -1))
        elif tree.left[node] < 0:
            leaves.append(node)
        else:
            stack += [(node, len(leaves)), (int(tree.left[node]), -1)]
    return splits, leaves


class _QuickScorer:
    """Boosted trees by QuickScorer (see the module docstring): (splits, trees) arrays of unique-split ids and
    leaf bitmasks, (trees, leaves) leaf values."""

    def __init__(self, trees: _Trees) -> None:
        orders = [_leaf_order(t) for t in trees.nodes]
        n_splits = max(max(len(s) for s, _ in orders), 1)
        n_leaves = max(len(leaves) for _, leaves in orders)
        self.dtype = next(d for d in (np.uint8, np.uint16, np.uint32, np.uint64) if np.iinfo(d).bits >= n_leaves)
        full = np.iinfo(self.dtype).max
        feature, threshold = np.zeros((n_splits, len(orders)), np.intp), np.full((n_splits, len(orders)), np.inf)
        mask, value = np.full((n_splits, len(orders)), full, self.dtype), np.zeros((len(orders), n_leaves))
        for k, ((splits, leaves), tree) in enumerate(zip(orders, trees.nodes, strict=True)):
            value[k, :len(leaves)] = tree.value[leaves]
            for row, (node, lo, hi) in enumerate(splits):
                feature[row, k], threshold[row, k] = tree.feature[node], tree.threshold[node]
                mask[row, k] = full & ~((1 << hi) - (1 << lo))  # leaves lo..hi-1 gone when x goes right
        unique, self.split = np.unique(np.stack([feature.ravel(), threshold.ravel()], axis=1), axis=0,
                                       return_inverse=True)
        self.split = self.split.reshape(feature.shape)
        self.feature, self.threshold = unique[:, 0].astype(np.intp), unique[:, 1]
        self.mask = mask
        self.value, self.value_row = value.ravel(), np.arange(len(orders)) * n_leaves
        self.member_start = np.flatnonzero(np.diff(trees.member, prepend=-1))
        self.baseline, self.float32 = trees.baseline, trees.float32
        self.lowest = None  # lowest set bit by table for masks of <= 16 bits
        if n_leaves <= 16:
            bits = np.arange(1, 1 << np.iinfo(self.dtype).bits)
            self.lowest = np.concatenate([[0], np.bitwise_count(bits ^ (bits - 1)) - 1]).astype(np.intp)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if self.float32:
            x = x.astype(np.float32).astype(np.float64)
        # per unique split: all ones where x goes left (nothing removed), 0 where it goes right (-True = ~0)
        keep = np.negative((np.take(x, self.feature) <= self.threshold).astype(self.dtype))
        bits = np.bitwise_and.reduce(np.take(keep, self.split) | self.mask, axis=0)
        if self.lowest is not None:
            leaf = np.take(self.lowest, bits)
        else:
            leaf = np.bitwise_count(bits ^ (bits - self.dtype(1))).astype(np.intp) - 1
        return np.add.reduceat(np.take(self.value, self.value_row + leaf), self.member_start) + self.baseline


class _OnnxForest:
    """Trees of any size by onnxruntime's TreeEnsemble operator (one thread), one output per member."""

    def __init__(self, trees: _Trees) -> None:
        import onnxruntime
        from onnx import TensorProto, helper, numpy_helper

        roots, feature, split, true_id, true_leaf, false_id, false_leaf, target, weight = ([] for _ in range(9))
        for tree, member in zip(trees.nodes, trees.member.tolist(), strict=True):
            left, right = tree.left, tree.right
            if left[0] < 0:  # a lone leaf: one split whose both branches reach it
                left, right = np.array([1, -1]), np.array([1, -1])
                tree = _Tree(np.array([0, 0]), np.array([np.inf, 0.0]), left, right, np.array([0.0, tree.value[0]]))
            leaf = left < 0
            split_id = np.cumsum(~leaf) - 1 + len(feature)  # node -> index among the operator's split nodes
            leaf_id = np.cumsum(leaf) - 1 + len(target)  # node -> index among its leaves
            roots.append(int(split_id[0]))
            inner = np.flatnonzero(~leaf)
            feature += tree.feature[inner].tolist()
            split += tree.threshold[inner].tolist()
            for children, ids, leaves in ((left[inner], true_id, true_leaf), (right[inner], false_id, false_leaf)):
                ids += np.where(leaf[children], leaf_id[children], split_id[children]).tolist()
                leaves += leaf[children].astype(int).tolist()
            target += [member] * int(leaf.sum())
            weight += tree.value[leaf].tolist()
        n_members = len(trees.baseline)
        op = helper.make_node(
            "TreeEnsemble", ["X"], ["Y"], domain="ai.onnx.ml", n_targets=n_members, aggregate_function=1,
            post_transform=0, tree_roots=roots, nodes_featureids=feature,
            nodes_splits=numpy_helper.from_array(np.asarray(split, np.float64)),
            nodes_modes=numpy_helper.from_array(np.zeros(len(feature), np.uint8)),  # 0: BRANCH_LEQ (x <= split)
            nodes_truenodeids=true_id, nodes_trueleafs=true_leaf, nodes_falsenodeids=false_id,
            nodes_falseleafs=false_leaf, leaf_targetids=target,
            leaf_weights=numpy_helper.from_array(np.asarray(weight, np.float64)))
        graph = helper.make_graph([op], "forest", [helper.make_tensor_value_info("X", TensorProto.DOUBLE, [1, None])],
                                  [helper.make_tensor_value_info("Y", TensorProto.DOUBLE, [1, n_members])])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21),
                                                        helper.make_opsetid("ai.onnx.ml", 5)])
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(model.SerializeToString(), options,
                                                    providers=["CPUExecutionProvider"])
        self.baseline, self.float32 = trees.baseline, trees.float32

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = x.astype(np.float32) if self.float32 else x
        return self.session.run(None, {"X": x.astype(np.float64)[None, :]})[0][0] + self.baseline


# -------------------------------------------------------------------------------------------------------------- MLP
class _MLP:
    """Bagged ``StandardScaler -> MLPRegressor`` members with a standardized target, their layers stacked."""

    def __init__(self, members: list[Any]) -> None:
        from sklearn.neural_network._base import ACTIVATIONS

        scalers = [m.regressor_[0] for m in members]
        mlps = [m.regressor_[-1] for m in members]
        targets = [m.transformer_ for m in members]
        if {mlp.out_activation_ for mlp in mlps} != {"identity"} or len({mlp.activation for mlp in mlps}) != 1:
            raise ValueError("MLP members differ in activation or do not regress: expected one architecture")
        self.mean = np.stack([s.mean_ for s in scalers])
        self.scale = np.stack([s.scale_ for s in scalers])
        self.weights = [np.stack(w) for w in zip(*(mlp.coefs_ for mlp in mlps), strict=True)]
        self.biases = [np.stack(b) for b in zip(*(mlp.intercepts_ for mlp in mlps), strict=True)]
        self.activation = ACTIVATIONS[mlps[0].activation]  # in place, as scikit-learn applies it
        self.y_mean = np.array([t.mean_[0] for t in targets])
        self.y_scale = np.array([t.scale_[0] for t in targets])

    def __call__(self, x: np.ndarray) -> np.ndarray:
        a = ((x - self.mean) / self.scale)[:, None, :]  # (members, 1, features)
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            a = np.matmul(a, w) + b[:, None, :]
            if i < len(self.weights) - 1:
                self.activation(a)
        return a[:, 0, 0] * self.y_scale + self.y_mean


class _Sklearn:
    """Fallback: each member's own ``predict`` (for a model kind without a compiler here)."""

    def __init__(self, members: list[Any]) -> None:
        self.members = members

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return np.array([m.predict(x[None, :])[0] for m in self.members])
