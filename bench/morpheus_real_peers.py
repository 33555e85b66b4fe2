"""Peers of bench/morpheus_real.py, written for the benchmark from the reference's update rules (morpheus.md §5):
a factorized numpy/scipy implementation (MorpheusPy's rewrites, with the foreign keys as index arrays: gathers by
numpy.take, scatters by numpy.bincount or a sparse K') and a materialized scipy CSR loop (the join built once,
excluded from the time, as MorpheusPy's baseline). Same algorithms and hyper-parameters as ours: least squares and
logistic regression by gradient descent (fixed step, logistic gradient -T'(y sigmoid(-y T w))/n with y in {-1, 1}),
k-means (Lloyd, k = 10, distances |x|^2 - 2 x'c + |c|^2), GNMF (Lee-Seung, rank 5), 20 iterations each."""
import os
import time

import numpy as np
import scipy.sparse as sp

ITER = 20
LS_RATE, LR_RATE = 1e-6, 1e-3


def read_mm(path):
    with open(path) as f:
        header = f.readline()
        line = f.readline()
        while line.startswith("%"):
            line = f.readline()
        rows, cols, nnz = (int(v) for v in line.split())
        data = np.loadtxt(f, ndmin=2) if nnz > 0 else np.zeros((0, 3))
    r = data[:, 0].astype(np.int64) - 1
    c = data[:, 1].astype(np.int64) - 1
    v = np.ones(len(r)) if "pattern" in header else data[:, 2]
    return sp.csr_matrix((v, (r, c)), shape=(rows, cols))


def read_col(path):
    with open(path) as f:
        f.readline()
        return np.array([float(l.strip().strip('"')) for l in f if l.strip()])


class Dataset:
    def __init__(self, d):
        self.y = read_col(os.path.join(d, "MLY.csv"))
        self.n = len(self.y)
        q = 1
        self.fk, self.r = [], []
        while os.path.exists(os.path.join(d, f"MLFK{q}.csv")):
            self.fk.append(read_col(os.path.join(d, f"MLFK{q}.csv")).astype(np.int64) - 1)
            self.r.append(read_mm(os.path.join(d, f"MLR{q}Sparse.txt")))
            q += 1
        if os.path.exists(os.path.join(d, "MLSSparse.txt")):
            self.s = read_mm(os.path.join(d, "MLSSparse.txt"))
        elif os.path.exists(os.path.join(d, "MLSraw.txt")):
            self.s = sp.csr_matrix(read_col(os.path.join(d, "MLSraw.txt")).reshape(-1, 1))
        else:
            self.s = None
        self.ds = 0 if self.s is None else self.s.shape[1]
        self.dr = [r.shape[1] for r in self.r]
        self.d = self.ds + sum(self.dr)
        self.kt = [sp.csr_matrix((np.ones(self.n), (fk, np.arange(self.n))), shape=(r.shape[0], self.n))
                   for fk, r in zip(self.fk, self.r)]
        self.rt = [r.T.tocsr() for r in self.r]
        self.st = None if self.s is None else self.s.T.tocsr()

    def materialize(self):
        blocks = ([] if self.s is None else [self.s]) + [r[fk] for r, fk in zip(self.r, self.fk)]
        return sp.hstack(blocks, format="csr")

    def split(self, x):
        out, o = [], self.ds
        for dr in self.dr:
            out.append(x[o:o + dr])
            o += dr
        return x[:self.ds], out


class Factorized:
    """numpy/scipy factorized operators: T X = S X_S + sum_k (R_k X_k)[fk_k]; T' P = [S' P, R_k' (K_k' P)]."""

    def __init__(self, ds):
        self.ds = ds

    def lmm(self, x):
        xs, xr = self.ds.split(x)
        out = None if self.ds.s is None else self.ds.s @ xs
        for r, fk, xk in zip(self.ds.r, self.ds.fk, xr):
            g = np.take(r @ xk, fk, axis=0)
            out = g if out is None else out + g
        return out

    def tmm(self, p):
        parts = [] if self.ds.s is None else [self.ds.st @ p]
        for rt, kt, fk, r in zip(self.ds.rt, self.ds.kt, self.ds.fk, self.ds.r):
            z = np.bincount(fk, weights=p, minlength=r.shape[0]) if p.ndim == 1 else kt @ p
            parts.append(rt @ z)
        return np.concatenate(parts, axis=0)

    def row_sq(self):
        out = np.zeros(self.ds.n) if self.ds.s is None else np.asarray(self.ds.s.multiply(self.ds.s).sum(axis=1)).ravel()
        for r, fk in zip(self.ds.r, self.ds.fk):
            out = out + np.asarray(r.multiply(r).sum(axis=1)).ravel()[fk]
        return out


class Materialized:
    def __init__(self, m):
        self.m = m
        self.mt = m.T.tocsr()

    def lmm(self, x):
        return self.m @ x

    def tmm(self, p):
        return self.mt @ p

    def row_sq(self):
        return np.asarray(self.m.multiply(self.m).sum(axis=1)).ravel()


def ls(op, y, d):
    w = np.zeros(d)
    for _ in range(ITER):
        r = op.lmm(w) - y
        w = w - LS_RATE * (op.tmm(r) / len(y))
    return w


def lr(op, ypm, d):
    w = np.zeros(d)
    n = len(ypm)
    for _ in range(ITER):
        z = ypm * op.lmm(w)
        w = w - LR_RATE * op.tmm(-ypm / (1 + np.exp(z)) / n)
    return w


def kmeans(op, centers):
    c = centers.T.copy()  # d x k
    k = c.shape[1]
    rs = op.row_sq()
    loss = []
    for _ in range(ITER):
        dist = np.maximum(rs[:, None] - 2 * op.lmm(c) + (c * c).sum(axis=0)[None, :], 0)
        a = dist.argmin(axis=1)
        loss.append(dist[np.arange(len(a)), a].sum())
        onehot = np.zeros((len(a), k))
        onehot[np.arange(len(a)), a] = 1
        sums = op.tmm(onehot)
        counts = onehot.sum(axis=0)
        nz = counts > 0
        c[:, nz] = sums[:, nz] / counts[nz]
    return np.array(loss)


def gnmf(op, w, h, t_sq):
    tiny = np.finfo(float).tiny
    loss = []
    for _ in range(ITER):
        h = h * op.tmm(w) / np.maximum(h @ (w.T @ w), tiny)
        th = op.lmm(h)
        hh = h.T @ h
        w = w * th / np.maximum(w @ hh, tiny)
        loss.append(t_sq - 2 * (w * th).sum() + ((w.T @ w) * hh).sum())
    return np.array(loss)


def run(ds, which, algo, seed=1):
    """Returns (seconds, result) of one algorithm on one implementation."""
    op = Factorized(ds) if which == "py_fact" else ds.mat_op
    rng = np.random.default_rng(seed)
    if algo == "ls":
        t0 = time.perf_counter(); res = ls(op, ds.y, ds.d)
    elif algo == "lr":
        ypm = np.where(ds.y > 2.5, 1.0, -1.0)
        t0 = time.perf_counter(); res = lr(op, ypm, ds.d)
    elif algo == "km":
        idx = rng.choice(ds.n, 10, replace=False)
        cen = np.vstack([ds.mat_op.m[i].toarray().ravel() for i in idx])
        t0 = time.perf_counter(); res = kmeans(op, cen)
    else:
        w0 = rng.uniform(0.1, 1.0, (ds.n, 5)); h0 = rng.uniform(0.1, 1.0, (ds.d, 5))
        t_sq = ds.mat_op.m.multiply(ds.mat_op.m).sum()
        t0 = time.perf_counter(); res = gnmf(op, w0, h0, t_sq)
    return time.perf_counter() - t0, res


def crossprod(ds, which):
    t0 = time.perf_counter()
    if which == "scipy_mat":
        g = (ds.mat_op.mt @ ds.mat_op.m).tocsr()
    else:  # factorized, Algorithm 2 with sparse blocks
        blocks = ([] if ds.s is None else [ds.s]) + ds.r
        keys = ([] if ds.s is None else [np.arange(ds.n)]) + ds.fk
        rows = []
        for i, (bi, ki) in enumerate(zip(blocks, keys)):
            row = []
            for j, (bj, kj) in enumerate(zip(blocks, keys)):
                co = sp.csr_matrix((np.ones(ds.n), (ki, kj)), shape=(bi.shape[0], bj.shape[0]))
                row.append(bi.T @ (co @ bj))
            rows.append(row)
        g = sp.bmat(rows, format="csr")
    return time.perf_counter() - t0, g
