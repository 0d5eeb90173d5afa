"""Stage 2: clauses -> BM25 + dense index, fused search."""
