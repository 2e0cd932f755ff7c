"""Background jobs of the texts app (django-tasks). They receive ids, never models."""

from django_tasks import task

from besluit.texts import jobs


@task()
def render_pdf(job_id: int) -> dict:
    """Make the PDF of a PdfJob; its progress is kept on the job row."""
    return jobs.run_job(job_id)
