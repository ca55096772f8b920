"""Report pages: downloads of finished jobs (the monthly report page and exports come alongside)."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest

from core.jobs import visible_job


@login_required
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    """A finished job's file, for the user who started it and admins."""
    job = visible_job(request.user, pk)
    if job is None or not job.result:
        raise Http404
    return FileResponse(job.result.open("rb"), as_attachment=True, filename=Path(job.result.name).name)
