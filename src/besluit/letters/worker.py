"""A background worker inside the current process, for the demo (one process, SQLite).

Production runs ``besluit db_worker --queue-name '*'`` as its own process instead.
"""

import logging
import threading

from django.utils.crypto import get_random_string

logger = logging.getLogger("besluit.letters")


def start_worker_thread(*, interval: float = 1.0) -> threading.Thread:
    """Run django-tasks' database worker on all queues in a daemon thread."""
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=["*"],
        interval=interval,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=f"demo-{get_random_string(12)}",
        excluded_queue_names=[],
    )
    thread = threading.Thread(target=worker.run, name="besluit-task-worker", daemon=True)
    thread.start()
    logger.info("Background worker thread started (all queues).")
    return thread
