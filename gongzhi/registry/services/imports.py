"""Import jobs: an upload is sealed to disk, a task reads it into the registry (see
spreadsheets/importing.py), and the job keeps the counts, the first problems and the sealed
spreadsheet of rejected rows for the user to download. One audit row per import."""

import logging
from pathlib import Path

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, crypto
from gongzhi.core.errors import DomainError

from .. import permissions
from ..choices import ImportMode, JobStatus
from ..models import ImportJob
from ..permissions import RegistryAction
from ..spreadsheets.importing import IMPORTERS, ImportResult, import_spreadsheet
from ..storage import private_root

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 100 * 1024 * 1024
PROBLEMS_SHOWN = 200


def job_dir() -> Path:
    path = private_root() / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def start_import(*, actor, entity: str, mode: str, file_name: str, data: bytes) -> ImportJob:
    """Keep the upload (sealed) and queue its import; the job says how it went."""
    if entity not in IMPORTERS:
        raise DomainError(_("Unknown kind of list: %(entity)s") % {"entity": entity})
    if not permissions.may(actor, RegistryAction.IMPORT):
        raise PermissionDenied(_("You may not import into the registry."))
    if len(data) > MAX_UPLOAD_BYTES:
        raise DomainError(_("The file is larger than 100 MB."), code="bad_file")
    job = ImportJob.objects.create(entity=entity, mode=ImportMode(mode), actor=actor,
                                   file_name=Path(file_name or "upload.xlsx").name[:200])
    path = job_dir() / f"{job.pk}-upload.sealed"
    path.write_bytes(crypto.seal_file(data))
    ImportJob.objects.filter(pk=job.pk).update(upload_path=path.name)
    job.upload_path = path.name

    from ..tasks import run_import

    transaction.on_commit(lambda: run_import(job.pk))
    return job


def progress_key(job_id: int) -> str:
    return f"registry:import:{job_id}:progress"


def job_progress(job: ImportJob) -> tuple[int, int | None]:
    """Rows read so far and the expected total. An all-or-nothing import writes in one transaction,
    so its progress travels through the cache rather than the (uncommitted) job row."""
    done, total = cache.get(progress_key(job.pk), (job.done_rows, job.total_rows))
    return max(done, job.done_rows), total or job.total_rows


def run_import_job(job_id: int) -> ImportJob | None:
    """Run a queued job (the task calls this; idempotent: a job runs once)."""
    claimed = ImportJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(status=JobStatus.RUNNING)
    job = ImportJob.objects.select_related("actor").filter(pk=job_id).first()
    if not claimed or job is None:
        return job
    upload = job_dir() / job.upload_path

    def progress(done: int, total: int | None) -> None:
        cache.set(progress_key(job.pk), (done, total), 3600)
        if job.mode == ImportMode.VALID_ROWS:
            ImportJob.objects.filter(pk=job.pk).update(done_rows=done, total_rows=total)

    try:
        result = import_spreadsheet(actor=job.actor, entity=job.entity, source=crypto.open_file(upload.read_bytes()),
                                    mode=job.mode, progress=progress)
    except (DomainError, PermissionDenied) as exc:
        message = getattr(exc, "message", None) or str(exc)
        details = getattr(exc, "details", None)
        _finish(job, status=JobStatus.FAILED, message=str(message)[:500],
                problems=details if isinstance(details, list) else [])
    except Exception:
        logger.exception("registry import job %s failed", job.pk)  # the exception only: never row data
        _finish(job, status=JobStatus.FAILED, message=_("The import stopped on an unexpected error."))
    else:
        _succeed(job, result)
    finally:
        upload.unlink(missing_ok=True)
        cache.delete(progress_key(job.pk))
    job.refresh_from_db()
    return job


def _succeed(job: ImportJob, result: ImportResult) -> None:
    rejected_path = ""
    if result.rejected_file:
        path = job_dir() / f"{job.pk}-rejected.sealed"
        path.write_bytes(crypto.seal_file(result.rejected_file))
        rejected_path = path.name
    if result.problem_count and result.mode == ImportMode.ALL_OR_NOTHING:
        message = _("Nothing was imported: %(rows)d rows have problems.") % {"rows": result.rejected}
    else:
        message = _("%(created)d rows imported, %(rejected)d rejected.") % {
            "created": result.created, "rejected": result.rejected}
    _finish(job, status=JobStatus.DONE, message=message, problems=[p.as_dict() for p in result.problems],
            total_rows=result.rows, done_rows=result.rows, created_rows=result.created,
            rejected_rows=result.rejected, rejected_path=rejected_path)
    audit.record(actor=job.actor, action="registry.import", obj=job, division=_top(job.actor),
                 after={"entity": job.entity, "mode": job.mode, "rows": result.rows, "created": result.created,
                        "households_created": result.households_created, "rejected": result.rejected})


def _finish(job: ImportJob, *, status: str, message: str, problems: list | None = None, **counts) -> None:
    ImportJob.objects.filter(pk=job.pk).update(status=status, message=message,
                                               problems=(problems or [])[:PROBLEMS_SHOWN],
                                               finished_at=timezone.now(), **counts)


def rejected_rows(job: ImportJob) -> bytes | None:
    """The rejected rows' spreadsheet, unsealed, or None."""
    if not job.rejected_path:
        return None
    path = job_dir() / job.rejected_path
    return crypto.open_file(path.read_bytes()) if path.exists() else None


def _top(actor):
    tops = permissions.covered_divisions(actor, RegistryAction.IMPORT)
    return tops[0] if len(tops) == 1 else None
