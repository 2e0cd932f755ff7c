"""Running PDF jobs in the background, with progress on the ``PdfJob`` row.

A job is queued with django-tasks (the project's TASKS setting; production runs
``besluit db_worker``, the demo a worker thread), so a 200-page meeting book never holds up a
web worker. Should the task backend not be available, a small thread pool in this process
takes the job instead (one PDF at a time). The page polls the job's progress with htmx.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import close_old_connections
from django.utils import timezone, translation

from besluit.texts.models import PdfJob

logger = logging.getLogger("besluit.texts")
STALE_AFTER = timedelta(minutes=10)  # a running job without a sign of life for this long died

_executor: ThreadPoolExecutor | None = None
_lock = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="besluit-pdf")
        return _executor


def enqueue(job_id: int) -> None:
    """Hand the job to django-tasks, or to the local thread pool if that cannot take it."""
    try:
        from besluit.texts.tasks import render_pdf

        render_pdf.enqueue(job_id)
        return
    except Exception as exc:  # no or a misconfigured task backend
        logger.warning("PDF job %s runs in a local thread: %s", job_id, exc)
    _pool().submit(_run_in_thread, job_id)


def _run_in_thread(job_id: int) -> None:
    close_old_connections()
    try:
        run_job(job_id)
    finally:
        close_old_connections()


def is_stale(job: PdfJob, now=None) -> bool:
    if job.status not in (PdfJob.Status.QUEUED, PdfJob.Status.RUNNING):
        return False
    seen = job.heartbeat_at or job.created_at
    return (now or timezone.now()) - seen > STALE_AFTER


def run_job(job_id: int) -> dict:
    from besluit.texts import books, pdf

    updated = PdfJob.objects.filter(pk=job_id, status=PdfJob.Status.QUEUED).update(
        status=PdfJob.Status.RUNNING,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
        stage="",
    )
    if not updated:
        return {"skipped": True}
    job = PdfJob.objects.select_related("association", "meeting", "proposal").get(pk=job_id)
    last = [0.0]

    def progress(fraction: float, stage: str) -> None:
        now = time.monotonic()
        if now - last[0] < 0.5 and fraction < 1.0:
            return
        last[0] = now
        PdfJob.objects.filter(pk=job_id).update(
            progress=min(99, 5 + int(fraction * 94)),
            stage=stage[:200],
            heartbeat_at=timezone.now(),
        )

    try:
        with translation.override(job.params.get("lang") or None):
            progress(0.0, translation.gettext("collecting the texts"))
            data = books.gather(job)
            content, pages = pdf.render(job.kind, data, progress)
            job.file.save(f"{job.public_id}.pdf", ContentFile(content), save=False)
        PdfJob.objects.filter(pk=job_id).update(
            file=job.file.name,
            status=PdfJob.Status.DONE,
            progress=100,
            stage="",
            pages=pages,
            size=len(content),
            finished_at=timezone.now(),
            heartbeat_at=timezone.now(),
        )
        return {"pages": pages, "size": len(content)}
    except Exception as exc:
        logger.exception("PDF job %s failed", job_id)
        PdfJob.objects.filter(pk=job_id).update(
            status=PdfJob.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        return {"failed": str(exc)}
