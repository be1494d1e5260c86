from huey.contrib.djhuey import db_task


@db_task()
def run_import(job_id: int) -> None:
    """Read a queued spreadsheet into the registry (gongzhi.registry.services.imports)."""
    from .services.imports import run_import_job

    run_import_job(job_id)
