"""Search: the one engine behind the search page, the API, radars and briefings.

``engine.search`` fuses keyword ranking (``keyword.keyword_ranking``: SQLite
FTS5 / PostgreSQL tsvector) with semantic ranking (MiniLM embeddings in an
on-disk faiss index, ``index``) by reciprocal-rank fusion; ``engine.similar``
does the same for "papers like this one". Embeddings are computed in the
background (``embedding``, ``tasks``) and read by other apps through
``vectors.vectors_for`` / ``vectors.embed_texts``.
"""
