"""Build nlu/data/word_clusters.tsv.gz: Japanese words grouped by meaning, from chiVe word vectors.

Knowledge from outside the bot's examples: words that never occur in them (託児所, 出張, 引っ越し先) fall in
the same cluster as words that do (保育園, 留守, 転居), so the linear classifier can weigh them alike.
The vectors are chiVe (Works Applications, Apache-2.0) as shipped, pruned to 20,000 rows, inside the
`ja_ginza` wheel on PyPI (MIT). Run once, where spaCy and ja_ginza are installed (not a project dependency):

    python -m venv /tmp/gvenv && /tmp/gvenv/bin/pip install spacy scikit-learn fugashi unidic-lite==1.0.8
    /tmp/gvenv/bin/pip install --no-deps ja-ginza==5.3.0
    /tmp/gvenv/bin/python scripts/build_word_clusters.py [--clusters 1000]

Output: one line per word, `word<TAB>cluster`, gzip-compressed; the header line names the source. Only
words unidic-lite reads as one token are kept (by their lemma and surface): the NLU looks words up by
token, so the others could never be found (414k words -> 235k, 1.2 MB).
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
from pathlib import Path

import numpy as np
from sklearn.cluster import MiniBatchKMeans

JAPANESE = re.compile(r"^[\u3041-\u309f\u30a0-\u30ff\u3400-\u9fff々〆ヵヶー]{1,10}$")
OUT = Path(__file__).resolve().parents[1] / "nlu" / "data" / "word_clusters.tsv.gz"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clusters", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    import ja_ginza
    from spacy.vocab import Vocab

    version = ja_ginza.__version__ if hasattr(ja_ginza, "__version__") else "5.3.0"
    vocab_dir = Path(os.path.dirname(ja_ginza.__file__)) / f"ja_ginza-{version}" / "vocab"
    vocab = Vocab().from_disk(vocab_dir)
    table = np.asarray(vocab.vectors.data, dtype=np.float32)
    table /= np.linalg.norm(table, axis=1, keepdims=True) + 1e-9
    kmeans = MiniBatchKMeans(n_clusters=args.clusters, random_state=args.seed, batch_size=4096, n_init=3)
    row_cluster = kmeans.fit_predict(table)
    key2row = vocab.vectors.key2row
    from fugashi import Tagger

    tagger = Tagger()
    kept: dict[str, int] = {}
    for word in vocab.strings:
        if not JAPANESE.match(word):
            continue
        row = key2row.get(vocab.strings[word])
        if row is None:
            continue
        tokens = tagger(word)
        if len(tokens) == 1:
            lemma = tokens[0].feature.lemma or tokens[0].surface
            kept.setdefault(lemma, int(row_cluster[row]))
            kept.setdefault(tokens[0].surface, int(row_cluster[row]))
    lines = [f"{word}\t{cluster}" for word, cluster in sorted(kept.items())]
    header = f"# chiVe (Apache-2.0) via ja_ginza {version} (MIT): {args.clusters} k-means clusters, seed {args.seed}"
    with gzip.open(OUT, "wt", encoding="utf-8", compresslevel=9) as f:
        f.write(header + "\n" + "\n".join(lines) + "\n")
    print(f"{len(lines)} words -> {OUT} ({OUT.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
