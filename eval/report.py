"""Write an evaluation's results: a summary table, a Markdown report and PNG plots."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from eval.metrics import RANK_METRICS, Scores

SUMMARY_COLUMNS = (
    *RANK_METRICS,
    "field_acc_found",
    "field_acc_top1",
    "list_recall",
    "list_precision",
    "noanswer_acc",
    "false_noanswer",
)
_SHORT = {
    "hit_rate@1": "hit@1",
    "mrr@10": "MRR@10",
    "ndcg@10": "nDCG@10",
    "recall@5": "R@5",
    "recall@10": "R@10",
    "field_acc_found": "fields(found)",
    "field_acc_top1": "fields(top1)",
    "list_recall": "list R",
    "list_precision": "list P",
    "noanswer_acc": "no-ans acc",
    "false_noanswer": "false no-ans",
}


def summary_table(results: Mapping[str, Scores], marked: str | None = None) -> str:
    """A Markdown table: one row per system, one column per figure; ``marked`` gets a ★."""
    header = "| system | " + " | ".join(_SHORT[c] for c in SUMMARY_COLUMNS) + " |"
    rule = "|---|" + "---:|" * len(SUMMARY_COLUMNS)
    rows = [header, rule]
    for name, scores in results.items():
        label = f"**{name}** ★" if name == marked else name
        rows.append("| " + label + " | " + " | ".join(f"{scores.overall[c]:.3f}" for c in SUMMARY_COLUMNS) + " |")
    return "\n".join(rows)


def kind_table(results: Mapping[str, Scores], metric: str = "mrr@10") -> str:
    """A Markdown table of one ranking metric per question kind."""
    kinds = sorted({k for s in results.values() for k in s.by_kind})
    rows = ["| system | " + " | ".join(kinds) + " |", "|---|" + "---:|" * len(kinds)]
    for name, scores in results.items():
        cells = [f"{scores.by_kind.get(k, {}).get(metric, 0.0):.3f}" for k in kinds]
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def write_report(
    results: Mapping[str, Scores], out: Path, title: str, marked: str | None = None, notes: str = ""
) -> Path:
    """Write ``report.md`` and the plots into ``out``; returns the report's path."""
    out.mkdir(parents=True, exist_ok=True)
    plots = write_plots(results, out)
    first = next(iter(results.values()))
    lines = [
        f"# {title}",
        "",
        f"Questions: {first.counts['questions']} ({first.counts['ranked']} with judged clauses, "
        f"{first.counts['field_questions']} who/when with expected fields, "
        f"{first.counts['list_questions']} list, {first.counts['noanswer_questions']} unanswerable).",
        "",
        summary_table(results, marked),
        "",
        "## MRR@10 by question kind",
        "",
        kind_table(results),
        "",
        *(f"![{p.stem}]({p.name})" for p in plots),
    ]
    if notes:
        lines += ["", notes]
    path = out / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_plots(results: Mapping[str, Scores], out: Path) -> list[Path]:
    """Bar charts: ranking metrics by system, and MRR@10 by question kind per system."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(results)
    paths = []
    fig, ax = plt.subplots(figsize=(max(6, 1.4 * len(names)), 4))
    width = 0.8 / len(RANK_METRICS)
    for i, metric in enumerate(RANK_METRICS):
        xs = [j + i * width for j in range(len(names))]
        ax.bar(xs, [results[n].overall[metric] for n in names], width, label=_SHORT[metric])
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(names))], names, rotation=20, ha="right")
    ax.set_ylim(0, 1)
    ax.set_title("Ranking metrics by system")
    ax.legend(fontsize="small", ncols=3)
    fig.tight_layout()
    paths.append(out / "metrics_by_system.png")
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)

    kinds = sorted({k for s in results.values() for k in s.by_kind})
    fig, ax = plt.subplots(figsize=(max(6, 1.2 * len(kinds)), 4))
    width = 0.8 / max(1, len(names))
    for i, name in enumerate(names):
        xs = [j + i * width for j in range(len(kinds))]
        ax.bar(xs, [results[name].by_kind.get(k, {}).get("mrr@10", 0.0) for k in kinds], width, label=name)
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(kinds))], kinds)
    ax.set_ylim(0, 1)
    ax.set_title("MRR@10 by question kind")
    ax.legend(fontsize="small")
    fig.tight_layout()
    paths.append(out / "mrr_by_kind.png")
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)
    return paths
