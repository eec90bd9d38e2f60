"""gunicorn settings that belong to the code, not to the command line (see `commands.cmd_serve`)."""


def post_worker_init(worker) -> None:
    """Each web process loads its models, index and templates before it takes its first request."""
    from academichub.ops.warmup import warm_up

    warm_up()
