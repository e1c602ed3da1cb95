"""The client's defaults for batching and job waiting, apart from ``Settings`` (an attrs class):
``Client``'s signature needs them when ``aionvision_cloud._client`` is imported, attrs only
when a client is built."""

from __future__ import annotations

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_MAX_INTERVAL",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_POLL_INTERVAL",
    "DEFAULT_WAIT_TIMEOUT",
]

DEFAULT_BATCH_SIZE = 100  # the PROFESSIONAL plan's files-per-batch limit
# Seconds before the second poll of a job whose progress says nothing yet (pending); later
# intervals grow from it, or follow the job's progress (see _schedule).
DEFAULT_POLL_INTERVAL = 0.5
DEFAULT_MAX_INTERVAL = 15.0  # seconds between polls at most
DEFAULT_WAIT_TIMEOUT = 600.0  # seconds wait_for_job waits by default (not the HTTP timeout)
#: Bytes an answer may have before it is refused; the service's answers are a few kB (a listing
#: page of 1,000 files from the emulator is 209 kB).
DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024
