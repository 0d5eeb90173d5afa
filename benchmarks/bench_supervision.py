"""Speed of the supervision features on the bundled corpus (prints figures, asserts nothing).

    python -m benchmarks.bench_supervision

Statuses, the per-unit view, its SVG timeline, the Excel workbook with one sheet per unit, and
document validity (recomputed whenever the documents change), also on a synthetic library of
1,000 documents to show how validity grows with the library.
"""

from __future__ import annotations

import io
import statistics
import time
from collections.abc import Callable
from datetime import date

from corpus import BUNDLED_CORPUS_DIR
from corpus.export import write_units_xlsx
from corpus.ledger import TaskFilter, status_counts
from corpus.reader import read_corpus
from corpus.status import TaskStatus
from corpus.timeline import timeline_svg
from corpus.unitview import unit_names, unit_view, unit_views
from corpus.validity import DocumentInfo, document_validity, documents_from_clauses

AS_OF = date(2020, 11, 15)


def _ms(fn: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time of ``fn`` in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    """Print one line per measured operation."""
    documents = read_corpus([BUNDLED_CORPUS_DIR]).documents
    clauses = [c for d in documents for c in d.clauses]
    tasks = [c for c in clauses if c.is_task]
    texts = {d.source: d.text for d in documents}
    overdue = TaskFilter(statuses=(TaskStatus.OVERDUE,), as_of=AS_OF.isoformat())
    top = unit_names(clauses)[0]
    view = unit_view(clauses, top, AS_OF)
    print(f"bundled corpus: {len(documents)} documents, {len(clauses)} clauses, {len(tasks)} tasks")
    print(f"status counts of every task          {_ms(lambda: status_counts(tasks, AS_OF)):8.1f} ms")
    print(f"ledger filtered by status            {_ms(lambda: [c for c in tasks if overdue.matches(c)]):8.1f} ms")
    print(f"unit names (aliases merged)          {_ms(lambda: unit_names(clauses)):8.1f} ms")
    print(f"one unit's view ({top}, {len(view.tasks)} tasks) {_ms(lambda: unit_view(clauses, top, AS_OF)):8.1f} ms")
    print(f"its timeline SVG                     {_ms(lambda: timeline_svg(view)):8.1f} ms")
    views = unit_views(clauses, AS_OF)
    print(f"every unit's view ({len(views)} units)        {_ms(lambda: unit_views(clauses, AS_OF), 3):8.1f} ms")
    print(f"Excel, one sheet per unit            {_ms(lambda: write_units_xlsx(views, io.BytesIO()), 3):8.1f} ms")
    infos = documents_from_clauses(clauses, texts.get)
    print(f"document validity (bundled)          {_ms(lambda: document_validity(infos)):8.1f} ms")
    repeal = "本方案自印发之日起施行,原《某市第{}号工作方案》同时废止。"
    synthetic = [
        DocumentInfo(
            f"doc{i}.txt", f"某市第{i}号工作方案", f"某市第{i}号工作方案\n一、推进改革。\n{repeal.format(i - 1)}"
        )
        for i in range(1000)
    ]
    print(
        f"document validity (1,000 documents, each repealing one) {_ms(lambda: document_validity(synthetic), 1):.1f} ms"
    )


if __name__ == "__main__":
    main()
