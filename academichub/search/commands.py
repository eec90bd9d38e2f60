"""``academichub embed``: the embedding job from the command line, with a progress bar."""

from __future__ import annotations

import time

from academichub.cli import CommandError


def run_embed(args) -> int:
    from tqdm import tqdm

    from academichub.core.embeddings import EmbedderError
    from academichub.search.embedding import embed_pending, progress, sync_index

    if args.limit is not None and args.limit < 1:
        raise CommandError("--limit must be a positive number of papers, e.g. --limit 1000")
    if not 1 <= args.batch_size <= 10_000:
        raise CommandError("--batch-size must be between 1 and 10000, e.g. --batch-size 64")
    if args.index_only:
        started = time.monotonic()
        changed = sync_index()
        print(f"vector index up to date ({changed} vectors added or removed in {time.monotonic() - started:.1f}s)")
        return 0
    before = progress()
    print(f"embeddings: {before['embedded']} of {before['papers']} papers (model {before['model']})")
    bar = tqdm(total=0, unit="paper", desc="embedding", disable=None, leave=True)

    def update(done: int, planned: int) -> None:
        bar.total = planned
        bar.n = done
        bar.refresh()

    try:
        stats = embed_pending(limit=args.limit, batch_size=args.batch_size, on_progress=update)
    except EmbedderError as exc:
        raise CommandError(str(exc)) from exc
    finally:
        bar.close()
    after = progress()
    left = after["papers"] - after["embedded"]
    print(f"embedded {stats.embedded} papers in {stats.seconds:.0f}s ({stats.rate:.1f}/s); "
          f"{after['embedded']} of {after['papers']} done" + (f", {left} left (run again to continue)" if left else ""))
    return 0
