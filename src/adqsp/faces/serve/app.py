"""The explorer's FastAPI application: the JSON API (a thin face over :mod:`adqsp.faces.serve.api`) and the page.

Every request body is checked by its schema (:mod:`adqsp.faces.serve.api`, built from the scenario schema's types)
with the project's own messages: bad input is a 422 whose ``detail`` is one line naming the field, e.g.
``{"detail": "weeks: must be a number > 0 and <= 104, got 0", "field": "weeks"}``. No request names a file.
"""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from adqsp.errors import InputError
from adqsp.faces.serve import api
from adqsp.faces.serve.jobs import Busy, TrialJobs
from adqsp.trial.scenario import parse_scenario
from adqsp.validation import inlined_json_schema, validate

T = TypeVar("T", bound=BaseModel)
#: the page and its script and style, shipped as package data
STATIC = resources.files("adqsp.faces.serve") / "static"
#: the largest request body accepted (bytes)
MAX_BODY_BYTES = 64_000


def _body_schema(model: type[BaseModel]) -> dict[str, Any]:
    """OpenAPI ``openapi_extra`` declaring a JSON body of ``model``'s schema (its ``$ref``s inlined)."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": inlined_json_schema(model)}}}}


async def _checked(request: Request, model: type[T]) -> T:
    """The request's JSON body checked as ``model``; InputError naming the field otherwise."""
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise InputError("body", f"longer than {MAX_BODY_BYTES} bytes")
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, RecursionError):
        raise InputError("body", "not valid JSON") from None
    if not isinstance(data, dict):
        raise InputError("body", f"must be a JSON object, got {type(data).__name__}")
    return validate(model, data)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """At start, the solver's kernels are compiled in a thread of their own (:func:`api.compile_kernels`)."""
    threading.Thread(target=api.compile_kernels, name="adqsp-kernels", daemon=True).start()
    yield


def create_app(max_jobs: int = 2) -> FastAPI:
    """The application; at most ``max_jobs`` trial jobs run at once (another gets 429)."""
    app = FastAPI(
        lifespan=_lifespan,
        title="adqsp mechanism explorer",
        description="Time courses and small virtual trials of the adqsp atopic dermatitis model.",
        version="1",
        docs_url=None,  # FastAPI's /docs and /redoc pages load their scripts from a CDN: the spec alone is served
        redoc_url=None,
    )
    jobs = TrialJobs(max_running=max_jobs)
    simulating = threading.Lock()  # one simulation at a time in this process (each runs its patients in threads)

    @app.exception_handler(InputError)
    async def _bad_input(request: Request, exc: InputError) -> JSONResponse:
        return JSONResponse({"detail": str(exc), "field": exc.field}, status_code=422)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page() -> str:
        return (STATIC / "index.html").read_text(encoding="utf-8")

    @app.get("/api/drugs")
    def drugs() -> list[dict[str, Any]]:
        """The shipped drugs: class, route, target, mechanism motif, PK models and label regimens."""
        return api.drugs_summary()

    @app.get("/api/parameters")
    def parameters(drug: str = "dupilumab") -> list[dict[str, Any]]:
        """The declared parameters of a drug's model (``placebo``: the drug-free model)."""
        return api.parameters_table(drug)

    @app.post("/api/course", openapi_extra=_body_schema(api.CourseRequest))
    async def course(request: Request) -> dict[str, Any]:
        """One patient's daily time course: drug, regimen (label or dose entries), weeks, patient, overrides."""
        checked = await _checked(request, api.CourseRequest)

        def run() -> dict[str, Any]:
            with simulating:
                return api.course(checked)

        return await run_in_threadpool(run)

    @app.post("/api/trials", status_code=202, openapi_extra=_body_schema(api.TrialRequest))
    async def start_trial(request: Request) -> JSONResponse:
        """Start a small virtual trial in the background (429 when the running jobs are at their cap)."""
        checked = await _checked(request, api.TrialRequest)
        data = api.trial_scenario(checked)
        scenario = await run_in_threadpool(parse_scenario, data)  # bad input is a 422 now, not a failed job
        try:
            job = jobs.submit(data, [arm.name for arm in scenario.arms])
        except Busy as exc:
            return JSONResponse({"detail": str(exc)}, status_code=429)
        return JSONResponse(job.to_json(), status_code=202)

    @app.get("/api/trials/{job_id}")
    def trial(job_id: str) -> JSONResponse:
        """A trial job's progress, then its summary (per arm and visit, published values beside where known)."""
        job = jobs.get(job_id)
        if job is None:
            return JSONResponse({"detail": f"no trial job {job_id[:40]!r}"}, status_code=404)
        return JSONResponse(job.to_json())

    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    return app


def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the explorer with uvicorn until interrupted."""
    import uvicorn

    uvicorn.run(create_app(), host=host, port=port, log_level="warning")
