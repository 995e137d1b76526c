"""Sending response bodies, with the body-level faults (``truncate``, ``drop``) applied on the way."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping

from aiohttp import web

from demo.generator.state import SourceState


async def send_chunks(request: web.Request, state: SourceState, chunks: Iterable[bytes] | AsyncIterator[bytes], *,
                      content_type: str, status: int = 200, headers: Mapping[str, str] | None = None) -> web.StreamResponse:
    """Stream ``chunks`` with chunked transfer encoding (constant memory).

    ``truncate`` ends the body cleanly halfway through the first chunk (a well-formed HTTP response
    whose payload is cut); ``drop`` sends the same half and then closes the connection mid-body.
    """
    response = web.StreamResponse(status=status, headers=headers)
    response.content_type = content_type.split(";")[0]
    if "charset=" in content_type:
        response.charset = content_type.split("charset=")[1]
    response.enable_chunked_encoding()
    await response.prepare(request)
    mode = _take_body_fault(state)
    async for chunk in _aiter(chunks):
        if mode is not None:
            await response.write(chunk[: max(1, len(chunk) // 2)])
            if mode == "drop" and request.transport is not None:
                request.transport.close()
                return response
            break
        await response.write(chunk)
    await response.write_eof()
    return response


async def send_body(request: web.Request, state: SourceState, body: bytes, *, content_type: str,
                    status: int = 200, headers: Mapping[str, str] | None = None) -> web.StreamResponse:
    """Send ``body`` with a Content-Length; ``truncate`` sends half (declared as such), ``drop`` closes mid-body."""
    mode = _take_body_fault(state)
    if mode is None:
        response = web.Response(body=body, status=status, headers=headers)
        response.content_type = content_type.split(";")[0]
        if "charset=" in content_type:
            response.charset = content_type.split("charset=")[1]
        return response
    half = body[: len(body) // 2]
    response = web.StreamResponse(status=status, headers=headers)
    response.content_type = content_type.split(";")[0]
    if "charset=" in content_type:
        response.charset = content_type.split("charset=")[1]
    response.content_length = len(half) if mode == "truncate" else len(body)
    await response.prepare(request)
    await response.write(half)
    if mode == "drop" and request.transport is not None:
        request.transport.close()
        return response
    await response.write_eof()
    return response


def _take_body_fault(state: SourceState) -> str | None:
    mode = state.fault.mode
    if mode in ("truncate", "drop") and state.consume_fault(mode):
        return mode
    return None


async def _aiter(chunks: Iterable[bytes] | AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    if hasattr(chunks, "__aiter__"):
        async for chunk in chunks:
            yield chunk
    else:
        for chunk in chunks:
            yield chunk
