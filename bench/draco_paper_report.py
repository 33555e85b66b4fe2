#!/usr/bin/env python3
"""Report of bench/draco_paper.cpp: time to the test-accuracy target of DRACO and the baselines, its components, and
the speed-ups with 95% intervals over seeds, against s and against the compute:communication ratio.

  bench/draco_paper_report.py OUT_DIR[,OUT_DIR...] [--workers 45] [--params 1033510] [--targets 0.80,0.84]

Iterations to a target are read from each run's curve (the first evaluation at or above it); a run that stopped
without reaching it counts all its iterations and is marked censored (its speed-up is a lower bound).

Time model (stated in docs/benchmarks.md): per iteration
  compute = r x p   (r = 2s+1 partitions per DRACO worker, 1 for a baseline worker; p = the median time of one
                     partition's gradient pooled over all runs: the same network and batch for every rule)
            + the worker's encoding time (DRACO, measured)
  communication = 8 bytes x params x (workers + 1) / bandwidth   (the PS receives one float64 vector per worker and
                  broadcasts the model; the same for every rule)
  aggregation = the measured decode (DRACO) or aggregation (baselines) time.
Time to target = sum over the iterations until the first evaluation at or above the target. Speed-up = baseline time /
DRACO time for the same seed, s and attack; geometric mean over seeds with a t interval on the log speed-ups.
"""
import csv
import math
import sys
from collections import defaultdict

T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262}
BANDWIDTHS = [("1 Gbit/s", 1e9), ("10 Gbit/s", 1e10), ("compute only", math.inf)]
SEVERAL = 3.0  # the decision threshold for "several times faster" (stated before the runs)


def median(v):
    v = sorted(v)
    if not v:
        return float("nan")
    m = len(v) // 2
    return v[m] if len(v) % 2 else 0.5 * (v[m - 1] + v[m])


def fnum(x):
    return float(x) if x not in ("", None) else float("nan")


def interval(values):
    """geometric mean and 95% t interval of positive values"""
    logs = [math.log(v) for v in values]
    k = len(logs)
    m = sum(logs) / k
    if k < 2:
        return math.exp(m), float("nan"), float("nan")
    sd = math.sqrt(sum((x - m) ** 2 for x in logs) / (k - 1))
    h = T975.get(k - 1, 1.96) * sd / math.sqrt(k)
    return math.exp(m), math.exp(m - h), math.exp(m + h)


def main():
    args = sys.argv[1:]
    out = args[0]
    opts = dict(zip(args[1::2], args[2::2]))
    workers = int(opts.get("--workers", 45))
    params = int(opts.get("--params", 1033510))
    targets = [float(t) for t in opts.get("--targets", "0.80,0.84").split(",")]
    hidden = [int(h) for h in opts.get("--hidden", "800,500").split(",")]
    plot = opts.get("--plot-data")
    for i, target in enumerate(targets):
        report(out, workers, params, hidden, target, first=i == 0, plot=plot if i == 0 else None)


def block_sizes(params, hidden):
    sizes = [784] + hidden + [10]
    out = []
    for l in range(len(sizes) - 1):
        out += [sizes[l + 1] * sizes[l], sizes[l + 1]]
    assert sum(out) == params, "params do not match the layers"
    return out


def crossing(rows, target):
    """(iterations to the first evaluation >= target, censored)"""
    rows = sorted(rows, key=lambda x: int(x["iteration"]))
    for x in rows:
        if x["test_accuracy"] != "" and float(x["test_accuracy"]) >= target:
            return int(x["iteration"]), False
    return (int(rows[-1]["iteration"]) if rows else 0), True


def report(out, workers, params, hidden, target, first, plot=None):
    comm_bytes = 8.0 * params * (workers + 1)

    runs = {}
    iters = defaultdict(list)
    configs = defaultdict(list)
    costs = {}
    machine = []
    for d in out.split(","):  # several output directories (e.g. runs split over two processes)
        with open(f"{d}/runs.csv") as f:
            for r in csv.reader(f):
                if r[0] != "run":
                    runs[r[0]] = r
        with open(f"{d}/iterations.csv") as f:
            for r in csv.DictReader(f):
                iters[r["run"]].append(r)
    # a restarted run appends its iterations again: keep the last row of each (run, iteration)
    for key in list(iters):
        last = {}
        for r in iters[key]:
            last[int(r["iteration"])] = r
        iters[key] = [last[i] for i in sorted(last)]
    for d in out.split(","):
        try:
            with open(f"{d}/draco_configs.csv") as f:
                for r in csv.DictReader(f):
                    configs[(int(r["seed"]), r["code"], int(r["s"]), r["attack"])].append(r)
            for key in list(configs):  # keep the last row of each iteration (restarted runs)
                last = {int(r["iteration"]): r for r in configs[key]}
                configs[key] = [last[i] for i in sorted(last)]
        except FileNotFoundError:
            pass
        try:
            with open(f"{d}/costs.csv") as f:
                for r in csv.DictReader(f):
                    costs[r["op"]] = fnum(r["median_ms"])
        except FileNotFoundError:
            pass
        try:
            with open(f"{d}/machine.csv") as f:
                machine += [fnum(r["read_gb_per_s"]) for r in csv.DictReader(f)]
        except FileNotFoundError:
            pass

    pooled_p = median([fnum(r["partition_ms_median"]) for rows in iters.values() for r in rows
                       if r["partition_ms_median"] != ""])
    # the interleaved cost model (bench/draco_paper.cpp --phase costs) when present, else the times as run
    use_costs = bool(costs)
    p_ms = costs.get("partition", pooled_p)
    blocks_d = block_sizes(params, hidden)

    def gm_cost(k_total, per_block, s, attack):
        """one aggregation of the geometric median: the mean (start) plus the Weiszfeld iterations, per coordinate"""
        key = f":{s}:{attack}"
        if per_block is None:
            c = (costs["gm_5_iterations" + key] - costs["mean"]) / 5.0
            return costs["mean"] + c * k_total
        unit = (costs["gm_per_layer_5_iterations" + key] - costs["mean"]) / (5.0 * params)
        return costs["mean"] + unit * sum(k * db for k, db in zip(per_block, blocks_d))

    def comm_ms(bw):
        return 0.0 if math.isinf(bw) else comm_bytes * 8.0 / bw * 1000.0

    # ---- DRACO ---------------------------------------------------------------------------------------------------
    draco = {}  # seed -> (reached, censored)
    for key, r in runs.items():
        if r[1] == "draco":
            draco[int(r[4])] = crossing(iters[key], target)
    seeds = sorted(draco)
    codes = sorted({(c, s) for (_, c, s, _) in configs}, key=lambda x: (x[0] != "repetition", x[1]))
    attacks = sorted({a for (_, _, _, a) in configs}, key=lambda a: a != "signflip")
    ss = sorted({s for (_, s) in codes})

    def draco_parts(code, s, attack, seed=None):
        if use_costs:
            return costs[f"encode:{code}:{s}:{attack}"], costs[f"decode:{code}:{s}:{attack}"]
        rows = [r for sd in ([seed] if seed else seeds) for r in configs[(sd, code, s, attack)]]
        return median([fnum(r["encode_ms_median"]) for r in rows]), median([fnum(r["decode_ms"]) for r in rows])

    def draco_time(seed, code, s, attack, bw):
        reached, _ = draco[seed]
        enc, dec = draco_parts(code, s, attack, seed)
        per_it = (2 * s + 1) * p_ms + enc + comm_ms(bw) + dec
        return reached * per_it

    # ---- baselines -----------------------------------------------------------------------------------------------
    base = defaultdict(dict)  # (rule, attack, s) -> seed -> info
    for key, r in runs.items():
        if r[1] == "draco":
            continue
        rule, attack, seed, s = r[1], r[3], int(r[4]), int(r[9])
        tau, censored = crossing(iters[key], target)
        rows = sorted(iters[key], key=lambda x: int(x["iteration"]))[:tau]
        agg = sum(fnum(x["aggregate_ms"]) for x in rows)
        gm = [int(x["median_iterations"].split(":")[0]) for x in rows if x["median_iterations"]]
        blocks = [[int(k) for k in x["median_iterations"].split(":")[1].split(";")] for x in rows
                  if x["median_iterations"]]
        if use_costs:  # the same aggregation, costed by the interleaved measurements
            if rule == "geometric_median":
                agg = sum(gm_cost(k, None, s, attack) for k in gm)
            elif rule == "geometric_median_per_layer":
                agg = sum(gm_cost(0, b, s, attack) for b in blocks)
            else:
                agg = len(rows) * costs[f"{rule}:{s}:{attack}"]
        base[(rule, attack, s)][seed] = dict(tau=tau, censored=censored, agg=agg, gm=gm, blocks=blocks,
                                             agg_med=median([fnum(x["aggregate_ms"]) for x in rows]))

    def base_time(info, bw):
        return info["tau"] * (p_ms + comm_ms(bw)) + info["agg"]

    rules = ["geometric_median", "geometric_median_per_layer", "krum", "multi_krum", "bulyan"]
    label = {"geometric_median": "GM (whole)", "geometric_median_per_layer": "GM (per layer)", "krum": "Krum*",
             "multi_krum": "Multi-Krum*", "bulyan": "Bulyan*"}
    attack_label = {"signflip": "reverse-gradient (-100 g)", "constant": "constant (-100)"}

    p = print
    if first:
        p(f"# DRACO at paper scale: {workers} workers, {params:,} parameters\n")
    p(f"## Target test accuracy {target:.2f}\n")
    if first:
        p("Costs: " + ("interleaved measurements (costs.csv: every operation timed in each round, medians)"
                       if use_costs else "as measured during the training runs (no costs.csv)") +
          f"; partition-gradient time p = {p_ms:.2f} ms (as run during training: {pooled_p:.2f} ms); "
          f"communication per iteration {comm_bytes / 1e6:.0f} MB = {comm_ms(1e9):.0f} ms at 1 Gbit/s, "
          f"{comm_ms(1e10):.0f} ms at 10 Gbit/s.")
        if use_costs:
            for s_ in sorted({int(k.split(":")[1]) for k in costs if k.startswith("gm_converged:")}):
                for a_ in sorted({k.split(":")[2] for k in costs if k.startswith("gm_converged:")}):
                    key = f":{s_}:{a_}"
                    if "gm_converged" + key in costs:
                        pred = gm_cost(costs["gm_converged_iterations" + key], None, s_, a_)
                        p(f"Geometric-median cost model check (s = {s_}, {a_}): converged in "
                          f"{costs['gm_converged_iterations' + key]:.0f} iterations, measured "
                          f"{costs['gm_converged' + key]:.0f} ms, model {pred:.0f} ms.")
    if machine and first:
        p(f"Streaming read bandwidth of this machine: {max(machine):.1f} GB/s (best of the runs' probes).")
    p("")
    # exactness
    n_rows = sum(len(v) for v in configs.values())
    n_exact = sum(1 for v in configs.values() for r in v if r["exact"] == "1" and r["consistent"] == "1")
    worst_cyc = max([fnum(r["rel_error"]) for (sd, c, s, a), v in configs.items() if c == "cyclic" for r in v] or [0])
    p(f"\nDRACO exactness: {n_exact} of {n_rows} decodes exact (repetition bit for bit, cyclic within 1e-9; worst "
      f"cyclic relative error {worst_cyc:.1e}).\n")
    p("### Iterations to the target (DRACO = adversary-free trajectory)\n")
    p("| rule | attack | s | iterations (per seed) | reached |")
    p("|---|---|---|---|---|")
    p(f"| DRACO (both codes, every s and attack) | | | {', '.join(str(draco[sd][0]) for sd in seeds)} | "
      f"{sum(1 for sd in seeds if not draco[sd][1])}/{len(seeds)} |")
    for rule in rules:
        for attack in attacks:
            for s in ss:
                info = base.get((rule, attack, s), {})
                if not info:
                    continue
                its = ", ".join(("≥" if info[sd]["censored"] else "") + str(info[sd]["tau"]) for sd in sorted(info))
                p(f"| {label[rule]} | {attack_label.get(attack, attack)} | {s} | {its} | "
                  f"{sum(1 for v in info.values() if not v['censored'])}/{len(info)} |")
    p("")
    p("### Per-iteration components (ms, medians)\n")
    p("| rule | s | compute (slowest worker) | encode | aggregation / decode per step, reverse-gradient | constant | "
      "Weiszfeld iterations per step (median, max) |")
    p("|---|---|---|---|---|---|---|")
    for code, s in codes:
        enc = draco_parts(code, s, attacks[0])[0]
        decs = [draco_parts(code, s, a)[1] for a in attacks]
        p(f"| DRACO {code} | {s} | {(2 * s + 1) * p_ms:.0f} | {enc:.0f} | " + " | ".join(f"{d:.0f}" for d in decs)
          + " | |")
    for rule in rules:
        for s in ss:
            meds = []
            gms = []
            for attack in attacks:
                info = base.get((rule, attack, s), {})
                meds.append(median([v["agg"] / v["tau"] for v in info.values()]) if info else float("nan"))
                gms += [g for v in info.values() for g in v["gm"]]
            if all(math.isnan(m) for m in meds):
                continue
            gtxt = f"{median(gms):.0f}, {max(gms)}" if gms else ""
            p(f"| {label[rule]} | {s} | {p_ms:.0f} | | " + " | ".join(f"{m:.0f}" for m in meds) + f" | {gtxt} |")
    p("")
    p("### Speed-up of DRACO in time to target (geometric mean over seeds [95% interval])\n")
    verdict = {bw: [] for _, bw in BANDWIDTHS}
    for bname, bw in BANDWIDTHS:
        p(f"#### {bname}\n")
        p("| baseline | attack | s | repetition | cyclic |")
        p("|---|---|---|---|---|")
        for rule in rules:
            for attack in attacks:
                for s in ss:
                    info = base.get((rule, attack, s), {})
                    if not info:
                        continue
                    cells = []
                    for code in ("repetition", "cyclic"):
                        sp = []
                        cens = False
                        for sd in sorted(info):
                            if sd not in draco or not configs.get((sd, code, s, attack)):
                                continue
                            sp.append(base_time(info[sd], bw) / draco_time(sd, code, s, attack, bw))
                            cens = cens or info[sd]["censored"]
                        if not sp:
                            cells.append("")
                            continue
                        g, lo, hi = interval(sp)
                        cells.append(("≥" if cens else "") + f"{g:.2f} [{lo:.2f}, {hi:.2f}]" if len(sp) > 1 else
                                     f"{g:.2f} (1 seed)")
                        if rule.startswith("geometric_median"):
                            verdict[bw].append((rule, attack, s, code, lo, hi, cens, len(sp)))
                    p(f"| {label[rule]} | {attack_label.get(attack, attack)} | {s} | {cells[0]} | {cells[1]} |")
        p("")
    p("\\* later baselines than the paper's (no verdict).\n")
    p("### Speed-up against the compute:communication ratio (reverse-gradient attack; geometric means over seeds)\n")
    p("Compute : communication = one baseline worker's gradient time p over the communication time per iteration.\n")
    sweep = [0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000, math.inf]
    cols = [(rule, code, s) for rule in ("geometric_median", "geometric_median_per_layer")
            for code in ("repetition", "cyclic") for s in ss]
    p("| bandwidth | compute : communication | " +
      " | ".join(f"{label[r]} / {c[:3]}. s={s_}" for r, c, s_ in cols) + " |")
    p("|---|---|" + "---|" * len(cols))
    rows_out = []
    for gbps in sweep:
        bw = gbps * 1e9
        row = []
        for rule, code, s in cols:
            info = base.get((rule, attacks[0], s), {})
            sp = [base_time(info[sd], bw) / draco_time(sd, code, s, attacks[0], bw) for sd in sorted(info)
                  if sd in draco and (use_costs or configs.get((sd, code, s, attacks[0])))]
            row.append(interval(sp)[0] if sp else float("nan"))
        ratio = p_ms / comm_ms(bw) if not math.isinf(bw) else math.inf
        rows_out.append((gbps, ratio, row))
        p(f"| {gbps:g} Gbit/s | {ratio:.3g} | " + " | ".join(f"{x:.2f}" for x in row) + " |")
    p("")
    if plot:
        with open(plot, "w") as f:
            f.write("gbps,ratio," + ",".join(f"{r}/{c}/s{s_}" for r, c, s_ in cols) + "\n")
            for gbps, ratio, row in rows_out:
                if not math.isinf(gbps):
                    f.write(f"{gbps},{ratio}," + ",".join(f"{x}" for x in row) + "\n")
    p(f"### Verdict (decision rule: holds at a bandwidth if the 95% lower bound is >= {SEVERAL:g} for both codes, both "
      f"GM variants, both attacks and every s; does not hold if the upper bound is < {SEVERAL:g} in at least half of "
      "these settings; partial otherwise)\n")
    for bname, bw in BANDWIDTHS:
        v = verdict[bw]
        if not v:
            continue
        full = [x for x in v if x[7] > 1]
        ok = sum(1 for x in full if x[4] >= SEVERAL)
        bad = sum(1 for x in full if x[5] < SEVERAL and not x[6])
        big = sum(1 for x in full if x[4] >= 10)
        if len(full) == len(v) and ok == len(v):
            word = "HOLDS"
        elif 2 * bad >= len(v):
            word = "DOES NOT HOLD"
        else:
            word = "PARTIAL"
        p(f"- {bname}: {word}: lower bound >= {SEVERAL:g} in {ok}/{len(v)} settings, upper bound < {SEVERAL:g} in "
          f"{bad}/{len(v)}; lower bound >= 10 (an order of magnitude) in {big}/{len(v)}.")


if __name__ == "__main__":
    main()
