"""Large files are verified on the task worker (the same backend as "Sync now")."""

from django_tasks import task

from . import files
from .models import VerificationJob


@task()
def verify_file_task(job_id: int) -> str:
    job = VerificationJob.objects.select_related("document__account", "requested_by").get(pk=job_id)
    return files.run(job, job.requested_by).state


def enqueue(job: VerificationJob) -> None:
    job.on_worker = True
    job.state = job.State.QUEUED
    job.save(update_fields=["on_worker", "state"])
    verify_file_task.enqueue(job.pk)
