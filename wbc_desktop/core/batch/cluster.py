"""A Dask client for a batch: a local cluster of single-threaded processes, or an existing one.

Local workers are processes with one thread each (torch and BLAS at one thread too), so N
workers use N cores without fighting over them. ``dask``/``distributed`` are an optional extra
(``pip install wbc-desktop[cluster]``); without them only the single-process path runs.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Any, Iterator, Optional

from wbc_desktop.core.errors import WbcError


def _distributed():
    try:
        import distributed
    except ImportError:
        raise WbcError("--workers/--scheduler need dask.distributed: pip install 'wbc-desktop[cluster]'") from None
    return distributed


@contextmanager
def open_client(workers: Optional[int] = None, scheduler: Optional[str] = None) -> Iterator[Any]:
    """Yield a connected ``distributed.Client``; a local cluster is closed on exit."""
    distributed = _distributed()
    if not logging.getLogger().isEnabledFor(logging.INFO):  # -v shows the cluster's own log
        for name in ("distributed", "distributed.nanny", "distributed.scheduler", "distributed.core"):
            logging.getLogger(name).setLevel(logging.WARNING)
    if scheduler:
        try:
            client = distributed.Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as e:
            raise WbcError(f"cannot reach the Dask scheduler at {scheduler} ({e})") from None
        try:
            yield client
        finally:
            client.close()
        return
    if not workers or workers < 1:
        raise WbcError("--workers must be at least 1")
    cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                       dashboard_address=":0", silence_logs=logging.ERROR)
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def dashboard(client) -> str:
    """The dashboard's address, or '' when it is not served (bokeh missing)."""
    try:
        import bokeh  # noqa: F401
    except ImportError:
        return ""
    return str(getattr(client, "dashboard_link", "") or "")
