"""Statistics per division, spreadsheet templates, imports (as jobs) and exports."""

from typing import Literal

from django.http import Http404
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from gongzhi.core.schemas import NOT_FOUND, ErrorOut, ProblemsOut

from .. import permissions, selectors
from ..choices import ImportMode
from ..models import ImportJob
from ..permissions import RegistryAction
from ..services import imports
from ..spreadsheets.exporting import export_list
from ..spreadsheets.templates import template_for
from .common import division_param, require_may, tag_param, xlsx_response
from .schemas import ImportJobOut, StatisticsOut

router = Router(tags=["registry: statistics and spreadsheets"])
A = RegistryAction
Entity = Literal["residents", "buildings", "things", "facilities", "organisations"]
ExportEntity = Literal["residents", "households", "buildings", "things", "facilities", "organisations"]
Language = Literal["zh", "en"]


# --- statistics ------------------------------------------------------------------------------------------


@router.get("/statistics/{division_id}", response={200: StatisticsOut, 403: ErrorOut, **NOT_FOUND},
            summary="Population, households, floating population, tags, ages and visit coverage of a division")
def statistics(request, division_id: int, visit_window_days: int = Query(90, ge=1, le=3650)):
    """The division as a whole and each of its children (a grid has none)."""
    require_may(request.auth, A.STATISTICS)
    division = permissions.division_for(request.auth, division_id, A.STATISTICS)
    stats = selectors.statistics(request.auth, division, visit_window_days=visit_window_days)
    return {
        "division": division, "part_level": stats.part_level, "visit_window_days": stats.visit_window_days,
        "total": _figures(stats.total), "parts": [{"division": d, "figures": _figures(f)} for d, f in stats.parts],
    }


def _figures(f) -> dict:
    return {**f.__dict__, "visit_coverage": f.visit_coverage}


# --- templates, imports ---------------------------------------------------------------------------------


@router.get("/templates/{entity}", response={200: None, **NOT_FOUND}, summary="A blank import template (.xlsx)")
def template(request, entity: Entity, language: Language = "zh"):
    return xlsx_response(template_for(entity, language), f"{entity}-template-{language}.xlsx")


class RegistryImportIn(Schema):
    entity: Entity
    mode: Literal["all_or_nothing", "valid_rows"] = ImportMode.ALL_OR_NOTHING


@router.post("/imports", response={202: ImportJobOut, 400: ProblemsOut, 403: ErrorOut, **NOT_FOUND},
             summary="Upload a spreadsheet to import; the job reports progress and problems")
def start_import(request, data: Form[RegistryImportIn], file: File[UploadedFile]):
    require_may(request.auth, A.IMPORT)
    job = imports.start_import(actor=request.auth, entity=data.entity, mode=data.mode, file_name=file.name,
                               data=file.read(imports.MAX_UPLOAD_BYTES + 1))
    return Status(202, _job(_own_job(request.auth, job.pk)))


@router.get("/imports/{job_id}", response={200: ImportJobOut, **NOT_FOUND}, summary="An import's progress and result")
def import_job(request, job_id: int):
    return _job(_own_job(request.auth, job_id))


@router.get("/imports/{job_id}/rejected", response={200: None, **NOT_FOUND},
            summary="The rejected rows, with what is wrong with each (.xlsx)")
def rejected_rows(request, job_id: int):
    job = _own_job(request.auth, job_id)
    content = imports.rejected_rows(job)
    if content is None:
        raise Http404
    return xlsx_response(content, f"rejected-{job.pk}.xlsx")


def _own_job(user, job_id: int) -> ImportJob:
    """An import job is seen by the one who started it."""
    job = ImportJob.objects.filter(pk=job_id, actor=user).first()
    if job is None:
        raise Http404
    return job


def _job(job: ImportJob) -> dict:
    done, total = imports.job_progress(job)
    return {
        **{f: getattr(job, f) for f in ("id", "entity", "mode", "status", "file_name", "created_rows",
                                        "rejected_rows", "message", "problems", "created_at", "finished_at")},
        "done_rows": done, "total_rows": total,
        "rejected_url": f"/api/v1/registry/imports/{job.pk}/rejected" if job.rejected_path else None,
    }


# --- exports ---------------------------------------------------------------------------------------------


class ExportFilters(Schema):
    division: int | None = Field(None, description="a division (any level) in your export scope")
    language: Language = "zh"
    full_values: bool = Field(False, description="full ID and phone numbers (residents; needs the reveal right)")
    tag: str | None = None
    status: Literal["active", "moved_out", "deceased", "all"] = "active"
    address: str | None = Field(None, max_length=200)
    kind: str | None = None
    category: str | None = None
    state: str | None = None
    not_visited_days: int | None = Field(None, ge=0, le=3650)


@router.get("/exports/{entity}", response={200: None, 403: ErrorOut, **NOT_FOUND},
            summary="Export a filtered list (.xlsx), scoped and masked; recorded in the audit trail")
def export(request, entity: ExportEntity, filters: Query[ExportFilters]):
    user = request.auth
    require_may(user, A.EXPORT)
    division = division_param(user, filters.division, A.EXPORT)
    exported = export_list(actor=user, entity=entity, division=division, filters=_export_filters(entity, filters),
                           full_values=filters.full_values, language=filters.language)
    response = xlsx_response(exported.file, exported.filename)
    response["X-Row-Count"] = str(exported.rows)
    return response


def _export_filters(entity: str, f: ExportFilters) -> dict:
    if entity == "residents":
        return {"tag": tag_param(f.tag), "status": None if f.status == "all" else f.status, "address": f.address or ""}
    if entity == "households":
        return {"kind": f.kind, "address": f.address or "", "not_visited_days": f.not_visited_days}
    if entity == "buildings":
        return {"address": f.address or ""}
    if entity == "things":
        return {"category": f.category, "state": f.state}
    return {"kind": f.kind}

