"""Sparse attribute relations on the real datasets, from SQL (driven by bench/sparse_relations.sh inside a throwaway
cluster with the extension installed). Per dataset: load it (scripts/load-morpheus-dataset.sh), keep every attribute
table as a table in the sparse form a{i}(key, index int[], width) and the entity as ent(id, y, lab, fk1.., features
float8[] when S has columns), then ROUNDS interleaved rounds of, for each algorithm (logistic regression gd, k-means
k 5, GNMF rank 5; 20 iterations each, tolerance 0):
  rel : the relation trainer (logreg_train, kmeans_train, gnmf_train) reading the relations,
  nm  : nmatrix_from_sparse over the same tables, then logreg / kmeans / gnmf on the nmatrix (the existing path);
each in a fresh backend, timed inside it (clock_timestamp around EXECUTE), with the backend's VmHWM afterwards.
Prints medians, the ratio rel/nm, the largest relative difference of the parameters, the peak memory and the bytes
the attribute tables would need dense. linreg_train is tried once per dataset and its outcome printed.
Decision rules, fixed before the run: the relation path reaches a dataset when every rel run succeeds; it agrees
when the parameters differ by at most 1e-9 relative (max |a - b| / max |b|); it adds no material overhead when the
median ratio rel/nm is at most 1.2.
  python3 bench/sparse_relations.py DATA_DIR [DATASET ...]   (env: ROUNDS=3)"""
import os
import re
import statistics
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROUNDS = int(os.environ.get("ROUNDS", "3"))
DATASETS = ["Walmart", "Yelp", "LastFM", "BookCrossing", "Flights"]

RUN_FN = r"""
CREATE OR REPLACE FUNCTION public.bench_run(q text, OUT ms float8, OUT result text, OUT hwm_kb bigint)
LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz;
BEGIN
  t0 := clock_timestamp();
  EXECUTE q INTO result;
  ms := 1000 * extract(epoch FROM clock_timestamp() - t0);
  hwm_kb := substring(pg_read_file('/proc/self/status') FROM 'VmHWM:\s+(\d+)')::bigint;
END $$;
"""


def psql(sql):
    p = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(p.stderr[-2000:])


def scalar(sql):
    return subprocess.run(["psql", "-X", "-At", "-c", sql], capture_output=True, text=True, check=True).stdout.strip()


def run(q):
    """(ms, result text, peak kB) of q in a fresh backend, or an error string."""
    p = subprocess.run(["psql", "-X", "-At", "-F", "\t", "-c",
                        "SELECT ms, result, hwm_kb FROM public.bench_run($bench$" + q + "$bench$)"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return p.stderr.strip().splitlines()[0] if p.stderr.strip() else "failed"
    ms, result, hwm = p.stdout.strip().split("\t")
    return float(ms), result, int(hwm)


def arr(text):
    return np.array([float(v) for v in re.split(r"[{},]+", text) if v])


def prepare(data, name):
    schema = name.lower()
    subprocess.run(["bash", os.path.join(ROOT, "scripts/load-morpheus-dataset.sh"), os.path.join(data, name), schema],
                   check=True, capture_output=True)
    q = int(scalar(f"SELECT count(*) FROM {schema}.shape WHERE block LIKE 'r%'"))
    s_cols = int(scalar(f"SELECT n_cols FROM {schema}.shape WHERE block = 's'"))
    fks = ", ".join(f"e.fk{i}" for i in range(1, q + 1))
    feats, join = "", ""
    if s_cols > 0:  # S dense as float8[] (the entity relation stays dense): at most 20 columns here
        psql(f"CREATE TABLE {schema}.sd AS WITH d AS (SELECT row, col, sum(val) AS v FROM {schema}.s GROUP BY row, col) "
             f"SELECT r.row, array_agg(coalesce(d.v, 0) ORDER BY c) AS features FROM (SELECT DISTINCT row FROM d) r "
             f"CROSS JOIN generate_series(1, {s_cols}) c LEFT JOIN d ON d.row = r.row AND d.col = c GROUP BY r.row")
        feats = f", coalesce(sd.features, array_fill(0::float8, ARRAY[{s_cols}])) AS features"
        join = f" LEFT JOIN {schema}.sd ON sd.row = e.id"
    psql(f"CREATE TABLE {schema}.ent AS SELECT e.id, e.y, (e.y > (SELECT avg(y) FROM {schema}.entity))::int AS lab, "
         f"{fks}{feats} FROM {schema}.entity e{join}; ANALYZE {schema}.ent;")
    dense_bytes = 0
    for i in range(1, q + 1):
        n_r, d_r = (int(v) for v in scalar(f"SELECT n_rows, n_cols FROM {schema}.shape WHERE block = 'r{i}'").split("|"))
        dense_bytes += 8 * n_r * d_r
        psql(f"CREATE TABLE {schema}.a{i} AS SELECT g AS key, coalesce(r.index, '{{}}') AS index, {d_r} AS width "
             f"FROM generate_series(1, {n_r}) g LEFT JOIN (SELECT row, array_agg(col ORDER BY col) AS index "
             f"FROM {schema}.r{i} GROUP BY row) r ON r.row = g; ANALYZE {schema}.a{i};")
    attrs = "{" + ",".join(f"{schema}.a{i}" for i in range(1, q + 1)) + "}"
    fk = "{" + ",".join(f"fk{i}" for i in range(1, q + 1)) + "}"
    keys = "{" + ",".join("key" for _ in range(q)) + "}"
    rel = f"attributes => '{attrs}', foreign_keys => '{fk}', attribute_keys => '{keys}'"
    src_cols = ("features, " if s_cols > 0 else "") + ", ".join(f"fk{i}" for i in range(1, q + 1))
    t = (f"nmatrix_from_sparse('SELECT {src_cols} FROM {schema}.ent ORDER BY id', '{attrs}', '{fk}', '{keys}')")
    shape = scalar(f"SELECT string_agg(format('%s %sx%s', block, n_rows, n_cols), ', ' ORDER BY block) "
                   f"FROM {schema}.shape")
    return schema, rel, t, dense_bytes, shape


def statements(schema, rel, t):
    ent = f"'SELECT * FROM {schema}.ent ORDER BY id'"  # the row order of nm's source: k-means++ and GNMF's W depend on it
    it = "max_iterations => 20"
    return {
        "lr": (f"SELECT (morpheus.logreg_train({ent}, label => 'lab', intercept => false, {rel}, method => 'gd', "
               f"{it}, tolerance => 0)).parameters",
               f"SELECT coefficients FROM morpheus.logreg(t => morpheus.{t}, y => (SELECT array_agg(lab::float8 "
               f"ORDER BY id) FROM {schema}.ent), method => 'gd', {it}, tolerance => 0)"),
        "km": (f"SELECT (morpheus.kmeans_train({ent}, 5, {rel}, {it}, seed => 1)).parameters",
               f"SELECT centers FROM morpheus.kmeans(t => morpheus.{t}, k => 5, {it}, seed => 1)"),
        "nmf": (f"SELECT (morpheus.gnmf_train({ent}, 5, {rel}, {it}, tolerance => 0, seed => 1)).parameters",
                f"SELECT h FROM morpheus.gnmf(t => morpheus.{t}, rank => 5, {it}, tolerance => 0, seed => 1)"),
    }


def main():
    data = sys.argv[1]
    names = sys.argv[2:] or DATASETS
    psql(RUN_FN)
    print(f"# rounds {ROUNDS}; times in ms (medians), peak = backend VmHWM (includes shared buffers it touched)")
    print("| dataset | shape | attribute tables dense | algo | rel ms | nm ms | rel/nm | max rel diff | rel peak MB | nm peak MB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name in names:
        schema, rel, t, dense_bytes, shape = prepare(data, name)
        st = statements(schema, rel, t)
        times = {a: {"rel": [], "nm": []} for a in st}
        peak = {a: {"rel": 0, "nm": 0} for a in st}
        out = {a: {} for a in st}
        errors = {}
        for r in range(ROUNDS):
            for a, (qrel, qnm) in st.items():
                for kind, q in (("rel", qrel), ("nm", qnm)) if r % 2 == 0 else (("nm", qnm), ("rel", qrel)):
                    res = run(q)
                    if isinstance(res, str):
                        errors[(a, kind)] = res
                        continue
                    times[a][kind].append(res[0])
                    peak[a][kind] = max(peak[a][kind], res[2])
                    out[a][kind] = res[1]
        for a in st:
            if (a, "rel") in errors or (a, "nm") in errors:
                print(f"| {name} | {shape} | {dense_bytes / 2**30:.2f} GiB | {a} | "
                      f"{errors.get((a, 'rel'), 'ok')} | {errors.get((a, 'nm'), 'ok')} | | | | |")
                continue
            x, y = arr(out[a]["rel"]), arr(out[a]["nm"])
            if a == "lr":
                x = x[:-1]  # the intercept slot (0: no intercept)
            diff = float(np.max(np.abs(x - y)) / max(np.max(np.abs(y)), 1e-300)) if x.size == y.size else float("inf")
            mr, mn = statistics.median(times[a]["rel"]), statistics.median(times[a]["nm"])
            print(f"| {name} | {shape} | {dense_bytes / 2**30:.2f} GiB | {a} | {mr:.0f} | {mn:.0f} | {mr / mn:.2f} | "
                  f"{diff:.1e} | {peak[a]['rel'] / 1024:.0f} | {peak[a]['nm'] / 1024:.0f} |")
        ls = run(f"SELECT (morpheus.linreg_train('SELECT * FROM {schema}.ent ORDER BY id', label => 'y', intercept => false, {rel}, "
                 f"method => 'gd', max_iterations => 20, tolerance => 0)).iterations")
        print(f"| {name} | linreg_train gd: " + (res_text(ls)) + " |")
        sys.stdout.flush()
        psql(f"DROP SCHEMA {schema} CASCADE")


def res_text(res):
    return res if isinstance(res, str) else f"ok, {res[0]:.0f} ms, peak {res[2] / 1024:.0f} MB"


if __name__ == "__main__":
    main()
