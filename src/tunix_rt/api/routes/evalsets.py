"""Eval-set routes: register from an uploaded JSONL body, list, show."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request, Response

from tunix_rt.api.auth import by_method
from tunix_rt.api.deps import LimitQuery, OffsetQuery, SessionDep, already_stored
from tunix_rt.datasets import evalsets
from tunix_rt.datasets.evalfile import parse_eval_jsonl
from tunix_rt.datasets.schemas import EvalSetDetail, EvalSetPublic, EvalSetsPublic
from tunix_rt.errors import InvalidInput
from tunix_rt.pagination import DEFAULT_LIMIT, Pagination

router = APIRouter(prefix="/api/evalsets", tags=["evalsets"], dependencies=[by_method])

JSONL_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/x-ndjson": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.get("")
async def list_eval_sets(
    session: SessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    offset: OffsetQuery = 0,
) -> EvalSetsPublic:
    """Registered eval sets by name."""
    rows, more = await evalsets.list_eval_sets(session=session, limit=limit, offset=offset)
    total = await evalsets.count_eval_sets(session=session)
    return EvalSetsPublic(
        data=[EvalSetPublic.model_validate(r) for r in rows],
        pagination=Pagination(
            limit=limit, offset=offset, next_offset=offset + limit if more else None, total=total
        ),
    )


@router.get("/{name}")
async def get_eval_set(
    name: str, session: SessionDep, items: bool = Query(False, description="Include the items.")
) -> EvalSetDetail:
    """One eval set with its statistics (and its items when ``items=true``)."""
    eval_set = await evalsets.get_eval_set(session=session, name=name)
    stats = await evalsets.eval_set_stats(session=session, name=name)
    listed = await evalsets.list_eval_items(session=session, name=name) if items else None
    base = EvalSetPublic.model_validate(eval_set).model_dump()
    return EvalSetDetail(**base, stats=stats, items=listed)


@router.post(
    "",
    status_code=201,
    openapi_extra=JSONL_BODY,
    responses=already_stored(EvalSetPublic, "eval set"),
)
async def register_eval_set(
    request: Request,
    session: SessionDep,
    response: Response,
    name: str = Query(..., min_length=1, max_length=200),
    description: str = Query("", max_length=2000),
) -> EvalSetPublic:
    """Register an eval set from a JSONL body (``{id, prompt, expected_answer, ...}`` per line).

    Identical content under an existing name answers 200 with the existing set; different
    content is a 409.
    """
    items, problems = parse_eval_jsonl(await request.body())
    if problems:
        raise InvalidInput("invalid eval-set JSONL", problems=problems)
    eval_set, created = await evalsets.store_eval_set(
        session=session, name=name, items=items, description=description
    )
    if not created:
        response.status_code = 200
    return EvalSetPublic.model_validate(eval_set)
