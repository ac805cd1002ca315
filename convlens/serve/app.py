"""The FastAPI app: the live page at ``/`` and the serving API.

Routes: ``GET /`` (the self-contained page), ``GET /healthz``, ``GET /v1/model``, ``POST /v1/predict`` (a PNG/JPEG
body or multipart upload, or a JSON array / ``{"inputs": array}``), ``POST /v1/inspect`` (the page: stages, guesses
and every layer for one image), ``POST /v1/explain`` (one unit's calculation), ``GET /v1/kernels`` and
``POST /v1/filter`` (the kernel playground). Bodies over 1 MiB get 413; bad content gets 400 with a message;
decoding and model calls run in worker threads so the server keeps answering. With ``max_batch_size > 1`` the
predictions of requests that arrive together run as one batch (``convlens.serve.batching``), waiting at most
``max_batch_delay_ms`` for company.

Example:
    >>> from convlens import Sequential
    >>> from convlens.layers import Flatten, Dense
    >>> from convlens.serve.predictor import Predictor
    >>> app = create_app(Predictor(Sequential([Flatten(input_shape=(2, 2, 1)), Dense(3, activation="softmax")])))
    >>> sorted(route.path for route in app.routes if not route.path.startswith(("/docs", "/openapi", "/redoc")))
    ['/', '/healthz', '/v1/explain', '/v1/filter', '/v1/inspect', '/v1/kernels', '/v1/model', '/v1/predict']
"""
from __future__ import annotations

import asyncio
import json
from email.parser import BytesParser
from email.policy import default as email_policy
from importlib import resources
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

from convlens.serve.batching import Batcher
from convlens.serve.playground import kernel_bank
from convlens.serve.predictor import BadInput, Predictor

MAX_BODY = 1 << 20  # 1 MiB
# The page may talk to its own server only: no fonts, scripts or images from anywhere else.
CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data: blob:; "
       "connect-src 'self'; base-uri 'none'; form-action 'none'")


def page_html() -> str:
    """The live page (inline JS and CSS), with the kernel playground's card and script put in their places."""
    files = resources.files("convlens.serve")
    page, card, script = (files.joinpath(name).read_text(encoding="utf-8")
                          for name in ("page.html", "playground.html", "playground.js"))
    return (page.replace("<!-- playground card -->\n", card, 1)
                .replace("<!-- playground script -->", f"<script>\n\"use strict\";\n{script}</script>", 1))


async def read_body(request: Request, limit: int = MAX_BODY) -> bytes:
    """The request body, refused with 413 as soon as it passes ``limit`` bytes (declared or streamed)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise HTTPException(400, f"bad Content-Length header {declared!r}")
        if int(declared) > limit:
            raise HTTPException(413, f"request body of {int(declared)} bytes is over the {limit}-byte limit")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(413, f"request body is over the {limit}-byte limit")
    return bytes(body)


def _multipart_file(content_type: str, body: bytes) -> bytes:
    """The first file (or field) of a ``multipart/form-data`` body."""
    message = BytesParser(policy=email_policy).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    if not message.is_multipart():
        raise BadInput("malformed multipart/form-data body")
    for part in message.iter_parts():
        payload = part.get_payload(decode=True)
        if payload:
            return payload
    raise BadInput("the multipart/form-data body holds no file")


def _flag(value: str | None) -> bool:
    if value is None:
        return False
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off", ""):
        return False
    raise BadInput(f"expected true or false, got {value!r}")


def _top(request: Request) -> int:
    value = request.query_params.get("top", "5")
    if not value.isdigit() or int(value) < 1:
        raise BadInput(f"top must be a positive integer, got {value!r}")
    return int(value)


def create_app(predictor: Predictor, max_batch_size: int = 1, max_batch_delay_ms: float = 2.0) -> FastAPI:
    """The app for one :class:`~convlens.serve.predictor.Predictor`; ``max_batch_size`` samples at most per forward
    pass of ``/v1/predict`` (1: each request alone), gathered for at most ``max_batch_delay_ms`` milliseconds."""
    batcher = Batcher(predictor.predict, max_batch_size, max_batch_delay_ms / 1000) if max_batch_size != 1 else None
    app = FastAPI(title="convlens", docs_url=None, redoc_url=None, openapi_url=None)
    if batcher is not None:
        app.router.on_shutdown.append(batcher.close)

    @app.exception_handler(BadInput)
    async def bad_input(_request: Request, err: BadInput) -> JSONResponse:
        return JSONResponse({"detail": str(err)}, status_code=400)

    @app.exception_handler(Exception)
    async def failure(_request: Request, err: Exception) -> JSONResponse:  # the server stays up, and says why
        return JSONResponse({"detail": f"{type(err).__name__}: {err}"}, status_code=500)

    @app.get("/", response_class=HTMLResponse)
    async def page() -> HTMLResponse:
        return HTMLResponse(page_html(), headers={"Content-Security-Policy": CSP, "Cache-Control": "no-store"})

    @app.get("/healthz")
    async def healthz() -> dict[str, Any]:
        return {"status": "ok", "runtime": predictor.runtime}

    @app.get("/v1/model")
    async def model_info() -> dict[str, Any]:
        return await run_in_threadpool(predictor.describe)

    async def sample_from(request: Request, use_mnist_style: bool) -> tuple[Any, dict, bool]:
        """The body as a batch: ``(batch, stages, from_image)``."""
        body = await read_body(request)
        if not body:
            raise BadInput("empty body: send a PNG/JPEG image or a JSON array")
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind == "application/json":
            if use_mnist_style:
                raise BadInput("mnist_style applies to images, not to JSON arrays")
            try:
                value = json.loads(body)
            except (json.JSONDecodeError, UnicodeDecodeError) as err:
                raise BadInput(f"the body is not valid JSON: {err}") from None
            if isinstance(value, dict):
                if "inputs" not in value:
                    raise BadInput('a JSON object body needs an "inputs" array')
                value = value["inputs"]
            return await run_in_threadpool(predictor.parse_array, value), {}, False
        if kind == "multipart/form-data":
            body = _multipart_file(request.headers["content-type"], body)
        x, stages = await run_in_threadpool(predictor.decode, body, use_mnist_style)
        return x[None], stages, True

    @app.post("/v1/predict")
    async def predict(request: Request) -> dict[str, Any]:
        use_mnist_style = _flag(request.query_params.get("mnist_style"))
        top = _top(request)
        batch, _, _ = await sample_from(request, use_mnist_style)
        if batcher is not None:
            probabilities = await asyncio.wrap_future(batcher.submit(batch))
        else:
            probabilities = await run_in_threadpool(predictor.predict, batch)
        ranked = predictor.ranked(probabilities, top)
        return {"class_names": predictor.class_names, "probabilities": probabilities.tolist(),
                "predictions": [{**best[0], "top": best} for best in ranked]}

    @app.post("/v1/inspect")
    async def inspect(request: Request) -> dict[str, Any]:
        use_mnist_style = _flag(request.query_params.get("mnist_style"))
        naive = _flag(request.query_params.get("naive"))
        batch, stages, _ = await sample_from(request, use_mnist_style)
        x = batch[0]
        if naive:
            if not use_mnist_style:
                raise BadInput("naive=true compares against mnist_style=true; send both")
            x = stages["naive"][..., None]
        return await run_in_threadpool(predictor.inspect, x, stages, _top(request))

    @app.post("/v1/explain")
    async def explain(request: Request) -> dict[str, Any]:
        try:
            value = json.loads(await read_body(request))
            args = (str(value["input_id"]), str(value["layer"]), int(value["channel"]), int(value.get("row", 0)),
                    int(value.get("col", 0)))
        except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, ValueError) as err:
            raise BadInput(f'expected JSON {{"input_id", "layer", "channel", "row", "col"}}: {err}') from None
        return await run_in_threadpool(predictor.explain, *args)

    @app.get("/v1/kernels")
    async def kernels() -> list[dict[str, Any]]:
        return kernel_bank()

    @app.post("/v1/filter")
    async def filter_(request: Request) -> dict[str, Any]:
        try:
            value = json.loads(await read_body(request))
            kernel = value["kernel"]
            if not isinstance(kernel, (str, list)):
                raise TypeError(f"kernel must be a name, text or rows of numbers, got {type(kernel).__name__}")
            row, col = value.get("row"), value.get("col")
            args = (str(value["input_id"]), kernel, None if row is None else int(row),
                    None if col is None else int(col))
        except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, ValueError) as err:
            raise BadInput(f'expected JSON {{"input_id", "kernel", "row", "col"}}: {err}') from None
        return await run_in_threadpool(predictor.filter, *args)

    return app
