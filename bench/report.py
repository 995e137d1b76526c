"""The Markdown summary of one benchmark run (``bench/results/summary.md``), from its JSON results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def _n(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _met(flag: bool | None) -> str:
    return "—" if flag is None else ("met" if flag else "**not met**")


def harvest_table(h: dict[str, Any], records: int) -> list[str]:
    hv, bl = h["harvest"], h["baseline_bulk"]
    return [
        "| harvest | biocross full harvest | raw `async_bulk` baseline | ratio | target |",
        "|---|---:|---:|---:|---|",
        f"| documents | {hv['indexed']:,} | {bl['documents']:,} | | same documents: {h['same_documents']} |",
        f"| seconds | {_n(hv['seconds'])} | {_n(bl['seconds'])} | | |",
        f"| records/s | {_n(hv['records_per_s'])} | {_n(bl['records_per_s'])} | **{h['ratio']:.2f}×** | ≥ {h['ratio_target']}× — {_met(h['ratio_met'])} |",
        f"| peak RSS (MiB), all harvest processes (largest one) | {_n(hv['peak_rss_mb'])} ({_n(hv.get('peak_rss_single_mb', hv['peak_rss_mb']))}) | {_n(bl['peak_rss_mb'])} | | ≤ {h['peak_rss_target_mb']} at 1M — "
        + (_met(h["peak_rss_met"]) if records >= 1_000_000
           else f"not measured at 1M ({'under' if h['peak_rss_met'] else 'over'} 300 at {records:,})") + " |",
    ]


def search_table(s: dict[str, Any]) -> list[str]:
    lines = [
        "| clients | gateway req/s | direct req/s | throughput ratio | gateway p50 / p95 / p99 (ms) | "
        "direct p50 / p95 / p99 (ms) | p50 ratio | errors (gw/direct) |",
        "|---:|---:|---:|---:|---|---|---:|---|",
    ]
    for row in s["levels"]:
        g, d, r = row["gateway"], row["direct"], row["ratio"]
        lines.append(
            f"| {row['clients']} | {_n(g['throughput_rps'])} | {_n(d['throughput_rps'])} | {_n(r['throughput'], 2)}× | "
            f"{_n(g['p50_ms'])} / {_n(g['p95_ms'])} / {_n(g['p99_ms'])} | {_n(d['p50_ms'])} / {_n(d['p95_ms'])} / "
            f"{_n(d['p99_ms'])} | {_n(r['p50'], 2)}× | {g['errors']}/{d['errors']} |")
    return lines


def kinds_table(s: dict[str, Any], clients: int) -> list[str]:
    row = next((r for r in s["levels"] if r["clients"] == clients), None)
    if row is None:
        return []
    lines = [f"Per kind at {clients} clients (p50 ms, gateway vs direct):", "",
             "| kind | gateway p50 | direct p50 | ratio | gateway p95 | direct p95 |", "|---|---:|---:|---:|---:|---:|"]
    for kind, g in row["gateway"]["by_kind"].items():
        d = row["direct"]["by_kind"].get(kind, {})
        ratio = g["p50_ms"] / d["p50_ms"] if g.get("p50_ms") and d.get("p50_ms") else None
        lines.append(f"| {kind} | {_n(g['p50_ms'])} | {_n(d.get('p50_ms'))} | {_n(ratio, 2)}× | {_n(g['p95_ms'])} | "
                     f"{_n(d.get('p95_ms'))} |")
    return lines


def targets_table(s: dict[str, Any]) -> list[str]:
    lines = ["| search target | value | target | |", "|---|---:|---|---|"]
    for name, t in s["targets"].items():
        applies = t.get("applies", True)
        verdict = _met(t["met"]) if applies else f"{_met(t['met'])} (target applies at 1M only)"
        lines.append(f"| {name} | {t['value']} | {t['target']} | {verdict} |")
    return lines


def profile_lines(p: dict[str, Any], limit: int = 8) -> list[str]:
    top = p["top"]
    lines = [f"Profile (pyinstrument, {p['clients']} clients, {p['duration_s']:.0f} s, "
             f"{_n(p['throughput_rps_while_profiled'])} req/s while profiled; wall time of the event-loop thread "
             f"= {top['total_seconds']} s, of which {top['idle_share']:.0%} idle in the event loop's `select`). "
             "Top self time:", "",
             "| function | self s | share |", "|---|---:|---:|"]
    lines += [f"| `{r['function']}` | {r['seconds']} | {r['share']:.1%} |" for r in top["self"][:limit]]
    lines += ["", "Top inclusive time in biocross code (gateway/indexer/schemas; middleware wrappers left out):", "",
              "| function | s | share |", "|---|---:|---:|"]
    wrappers = ("gateway/middlewares.py", "gateway/sessions.py")
    inner = [r for r in top["inclusive_ours"] if not any(w in r["function"] for w in wrappers)]
    lines += [f"| `{r['function']}` | {r['seconds']} | {r['share']:.1%} |" for r in inner[:limit]]
    return lines


def render(results: dict[str, Any]) -> str:
    """The whole summary."""
    m, records = results["machine"], results["records"]
    out = [f"## Benchmarks ({records:,} records)", "",
           f"Run {results['finished_at']} · {m['cpu_model']} · {m['cpus']} CPUs · {m['ram_gib']} GiB RAM · "
           f"Python {m['python']} · Elasticsearch {m['elasticsearch']} (heap {m['es_heap']}) · "
           f"total {results['total_seconds']:.0f} s. Command: `{results['command']}`.", ""]
    if "harvest" in results:
        out += [*harvest_table(results["harvest"], records), ""]
    if "search" in results:
        s = results["search"]
        out += [f"Search: closed-loop clients, {s['duration_s']:.0f} s each after {s['warmup_s']:.0f} s warm-up; gateway "
                "`/api/search` + `/api/suggest` vs the same Elasticsearch requests the service sends (built by the "
                "same code: the collapsed page with facets, then its holdings), sent directly; a run with any "
                "failed request writes no tables.", ""]
        out += [*search_table(s), "", *targets_table(s), ""]
        out += [*kinds_table(s, max(r["clients"] for r in s["levels"])), ""]
    if "coldstart" in results:
        c = results["coldstart"]
        serve = c["serve"]
        out += ["| cold start | seconds |", "|---|---:|",
                f"| `biocross serve` → first search (median of {len(serve['seconds'])}) | {serve['median_s']:.2f} |"]
        demo = c.get("demo")
        if demo and "seconds" in demo:
            out.append(f"| `{demo['command']}` (warm cache) → first search | {demo['seconds']:.1f} |")
        elif demo:
            out.append(f"| demo | skipped: {demo.get('skipped')} |")
        out.append("")
    if "search" in results:
        out += [*profile_lines(results["search"]["profile"]), ""]
    return "\n".join(out)


#: Targets of issue 20 the size comparison judges at 1,000,000 records (the search ones come with the results).
DEMO_FIRST_SEARCH_TARGET_S = 30.0
BIG_RUN_TARGET_S = 30 * 60.0


def _size_rows(r: dict[str, Any]) -> dict[str, tuple[str, str, bool | None]]:
    """measure → (figure, target, met) of one run."""
    rows: dict[str, tuple[str, str, bool | None]] = {}
    if h := r.get("harvest"):
        hv, bl = h["harvest"], h["baseline_bulk"]
        rows["harvest records/s: biocross / raw `async_bulk` (ratio)"] = (
            f"{_n(hv['records_per_s'], 0)} / {_n(bl['records_per_s'], 0)} (**{h['ratio']:.2f}×**)",
            f"≥ {h['ratio_target']}× (aim {h.get('ratio_aim', 0.7)}×)", h["ratio_met"])
        pss = f"; PSS {_n(hv['peak_pss_mb'])}" if "peak_pss_mb" in hv else ""
        rows["harvest peak RSS, MiB: sum of processes (largest one)"] = (
            f"{_n(hv['peak_rss_mb'])} ({_n(hv.get('peak_rss_single_mb'))}){pss}", f"≤ {h['peak_rss_target_mb']}",
            h["peak_rss_met"])
        rows["harvest seconds (documents)"] = (f"{_n(hv['seconds'])} ({hv['indexed']:,})", "", None)
    for name, t in (r.get("search") or {}).get("targets", {}).items():
        rows[f"search: {name}"] = (str(t["value"]), str(t["target"]), t["met"])
    if c := r.get("coldstart"):
        rows["`biocross serve` → first search, s"] = (_n(c["serve"]["median_s"], 2), "", None)
        demo = c.get("demo") or {}
        if "seconds" in demo:
            rows[f"`{demo['command']}` (warm cache) → first search, s"] = (
                _n(demo["seconds"]), f"≤ {DEMO_FIRST_SEARCH_TARGET_S:.0f}", demo["seconds"] <= DEMO_FIRST_SEARCH_TARGET_S)
    rows["whole bench run, s"] = (_n(r["total_seconds"], 0), f"≤ {BIG_RUN_TARGET_S:.0f} at 1M",
                                  r["total_seconds"] <= BIG_RUN_TARGET_S)
    return rows


def sizes_table(runs: dict[int, dict[str, Any]], judged_at: int = 1_000_000) -> str:
    """One table, a column per run size (``results-<records>.json``), each target judged on the
    ``judged_at`` run (met / **not met** with its figure; "not run" when that run is missing)."""
    sizes = sorted(runs)
    per_size = {n: _size_rows(runs[n]) for n in sizes}
    measures = list(dict.fromkeys(m for n in sizes for m in per_size[n]))
    head = "| measure | " + " | ".join(f"{n:,} records" for n in sizes) + f" | target | met at {judged_at:,} |"
    out = [head, "|---|" + "---:|" * len(sizes) + "---|---|"]
    for measure in measures:
        cells = [per_size[n].get(measure, ("—", "", None))[0] for n in sizes]
        target = next((per_size[n][measure][1] for n in reversed(sizes) if measure in per_size[n]), "")
        judged = per_size.get(judged_at, {}).get(measure)
        verdict = "" if not target else ("not run" if judged is None else _met(judged[2]))
        out.append(f"| {measure} | " + " | ".join(cells) + f" | {target} | {verdict} |")
    dates = ", ".join(f"{n:,}: {runs[n]['finished_at']}" for n in sizes)
    return "\n".join([*out, "", f"Runs finished: {dates}."])


def write_sizes(results: Path) -> str:
    """Write ``summary-sizes.md`` from every ``results-<records>.json`` in ``results``; returns the table."""
    runs = {int(p.stem.split("-")[1]): json.loads(p.read_text()) for p in results.glob("results-*.json")}
    table = sizes_table(runs) + "\n"
    (results / "summary-sizes.md").write_text(table)
    return table
