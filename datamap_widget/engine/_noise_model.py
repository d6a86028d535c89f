"""P(label wrong) for two-class problems: a label-noise model fitted to the held-out evidence.

The held-out models were trained on the noisy labels, so their p(class 1) estimates the *noisy*
posterior, distorted by whatever the training did (class weights, regularisation, a biased
model). A flipped label is one the clean posterior contradicts. The model fitted here links the
two, per run, by maximum likelihood on the labels themselves:

    clean   P(y = 1 | x)       = pi(x) = sigmoid(a * z(x) + b),  z = logit of held-out p(class 1)
    noisy   P(label = 1 | y=0) = e0,  P(label = 0 | y=1) = e1

``a, b`` recalibrate the model (undoing class weights and bias: why the old per-class prior,
which followed the model's bias, is gone); ``e0, e1`` are the flip rates of each class. Bayes'
rule then gives, per example, P(y != label | x, label): a probability, so sums count flips.

With ``symmetric=True`` the two rates are one (uniform flips). Free rates find one-sided noise
(labels only ever missed), but they also read a class that is merely hard to recognise (its
clean posterior never reaches 1) as noisy, so ``fit`` keeps the symmetric model unless the free
one explains the labels better by more than ``asymmetry_gain`` nats per example.

Fitting works on a 512-bin histogram of z per label (the likelihood only sees z), so it costs
O(N) to bin plus a few milliseconds of L-BFGS, whatever N is.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit, logit
from threadpoolctl import ThreadpoolController

BINS = 512
MAX_RATE = 0.5  # a flip rate of 1/2 or more would make the label carry no information
MIN_RATE = 1e-3  # a model sure of everything reads as rate 0, which would tie every score at 0
Z_CLIP = 1e-6  # p(class 1) is clipped to [Z_CLIP, 1 - Z_CLIP] before the logit


class NoiseFit(NamedTuple):
    """The fitted model: calibration ``a, b``, flip rates ``e0, e1``, and how well it fits."""

    a: float
    b: float
    e0: float
    e1: float
    symmetric: bool
    log_likelihood: float  # per example

    def p_wrong(self, z: np.ndarray, label: np.ndarray) -> np.ndarray:
        """(N,) posterior probability that each label is a flip."""
        s = expit(self.a * z + self.b)
        q1 = self.e0 + (1.0 - self.e0 - self.e1) * s
        wrong1 = self.e0 * (1.0 - s) / np.maximum(q1, 1e-300)
        wrong0 = self.e1 * s / np.maximum(1.0 - q1, 1e-300)
        return np.clip(np.where(label == 1, wrong1, wrong0), 0.0, 1.0)


def evidence_logit(p1: np.ndarray) -> np.ndarray:
    """z: logit of p(class 1), clipped so certain predictions stay finite and ordered."""
    return logit(np.clip(np.asarray(p1, np.float64), Z_CLIP, 1.0 - Z_CLIP))


def histogram(z, label):
    """Per bin of z (non-empty ones): mean z, number of label 1, number of label 0."""
    edges = np.linspace(z.min(), z.max() + 1e-9, BINS + 1)
    where = np.clip(np.searchsorted(edges, z, side="right") - 1, 0, BINS - 1)
    n1 = np.bincount(where, weights=(label == 1).astype(np.float64), minlength=BINS)
    n = np.bincount(where, minlength=BINS).astype(np.float64)
    zsum = np.bincount(where, weights=z, minlength=BINS)
    keep = n > 0
    return zsum[keep] / n[keep], n1[keep], n[keep] - n1[keep]


def _rates(u, symmetric):
    e = MAX_RATE * expit(u)
    return (e[0], e[0]) if symmetric else (e[0], e[1])


def _negative_log_likelihood(theta, zc, n1, n0, symmetric):
    a, b = theta[0], theta[1]
    u = theta[2:]
    e0, e1 = _rates(u, symmetric)
    s = expit(a * zc + b)
    q1 = np.clip(e0 + (1.0 - e0 - e1) * s, 1e-12, 1.0 - 1e-12)
    ll = n1 @ np.log(q1) + n0 @ np.log1p(-q1)
    g = n1 / q1 - n0 / (1.0 - q1)  # d ll / d q1, per bin
    ds = (1.0 - e0 - e1) * s * (1.0 - s)
    grad = [g @ (ds * zc), g @ ds]
    du = MAX_RATE * expit(u) * (1.0 - expit(u))
    if symmetric:
        grad.append(g @ (1.0 - 2.0 * s) * du[0])
    else:
        grad += [g @ (1.0 - s) * du[0], -(g @ s) * du[1]]
    return -ll, -np.asarray(grad)


@functools.cache
def _blas_threads() -> ThreadpoolController:
    """Made once: finding the loaded BLAS libraries takes milliseconds."""
    return ThreadpoolController()


def fit_noise(z: np.ndarray, label: np.ndarray, symmetric: bool, counts=None) -> NoiseFit:
    """Maximum-likelihood fit of the noise model to held-out logits ``z`` and 0/1 ``label``
    (``counts``: ``histogram(z, label)``, when the caller has it already).

    L-BFGS-B calls BLAS on vectors of 3-4 numbers: with a multi-threaded BLAS every call wakes
    all its threads, which made a fit cost 5-10x more CPU (measured, scipy 1.17 + OpenBLAS), so
    the fit runs with one BLAS thread (same result).
    """
    zc, n1, n0 = counts if counts is not None else histogram(z, label)
    total = n1.sum() + n0.sum()
    best = None
    with _blas_threads().limit(limits=1, user_api="blas"):
        for rate in (0.02, 0.2):  # two starts: little noise, much noise; keep the likelier fit
            u0 = logit(rate / MAX_RATE)
            start = np.array([1.0, 0.0, u0] if symmetric else [1.0, 0.0, u0, u0])
            res = minimize(
                _negative_log_likelihood,
                start,
                args=(zc, n1, n0, symmetric),
                jac=True,
                method="L-BFGS-B",
                bounds=[(1e-3, 50.0), (-50.0, 50.0)] + [(-12.0, 12.0)] * (len(start) - 2),
            )
            if best is None or res.fun < best.fun:
                best = res
    e0, e1 = _rates(best.x[2:], symmetric)
    return NoiseFit(
        float(best.x[0]), float(best.x[1]), float(e0), float(e1), symmetric, -best.fun / total
    )


def fit(z: np.ndarray, label: np.ndarray, asymmetry_gain: float) -> NoiseFit:
    """The symmetric fit, or the free one if it is likelier by > ``asymmetry_gain`` per example."""
    counts = histogram(z, label)
    sym = fit_noise(z, label, symmetric=True, counts=counts)
    free = fit_noise(z, label, symmetric=False, counts=counts)
    return free if free.log_likelihood - sym.log_likelihood > asymmetry_gain else sym


def anchor_rate(p_gold: np.ndarray, agrees: np.ndarray, quantile: float) -> float:
    """Multiclass flip rate read off the anchors: 1 - the ``quantile`` of p(gold) where the
    held-out prediction agrees with the label.

    A model trained on labels flipped at rate r learns that even its surest examples carry
    another label r of the time, so its confidence there tops out near 1 - r.
    """
    if not agrees.any():
        return MAX_RATE
    return float(np.clip(1.0 - np.quantile(p_gold[agrees], quantile), MIN_RATE, MAX_RATE))


def uniform_flip_posterior(p_gold: np.ndarray, rate: float, n_classes: int) -> np.ndarray:
    """P(label wrong) under flips at ``rate`` to a uniformly random other class.

    The held-out p(gold) is read as the noisy posterior q; the clean one is
    pi = (q - e) / (1 - rate - e) with e = rate / (C - 1), and Bayes' rule gives
    P(wrong) = e (1 - pi) / q: 1 where q <= e, 0 where q >= 1 - rate.
    """
    e = rate / (n_classes - 1)
    clean = np.clip((p_gold - e) / max(1.0 - rate - e, 1e-12), 0.0, 1.0)
    return np.clip(e * (1.0 - clean) / np.maximum(p_gold, 1e-300), 0.0, 1.0)
