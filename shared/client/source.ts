/** What upload() was given, as either a sliceable Blob (size known, resumable) or a stream of chunks. */
import type { UploadBody } from './types';

export type Source =
  | { kind: 'blob'; blob: Blob; size: number; type: string; name: string | undefined }
  | { kind: 'stream'; chunks: AsyncIterable<Uint8Array>; type: string };

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof value === 'object' && value !== null && typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}

async function* readStream(stream: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

export function toSource(body: UploadBody): Source {
  if (body instanceof Blob) {
    const name = typeof File !== 'undefined' && body instanceof File ? body.name : undefined;
    return { kind: 'blob', blob: body, size: body.size, type: body.type, name };
  }
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) {
    const view = body instanceof ArrayBuffer ? new Uint8Array(body) : new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    return { kind: 'blob', blob: new Blob([view as BlobPart]), size: view.byteLength, type: '', name: undefined };
  }
  if (typeof ReadableStream !== 'undefined' && body instanceof ReadableStream) return { kind: 'stream', chunks: readStream(body), type: '' };
  if (isAsyncIterable(body)) return { kind: 'stream', chunks: body, type: '' };
  throw new TypeError('upload() takes a File, a Blob, bytes (ArrayBuffer, Uint8Array, Buffer) or a stream of bytes');
}

/** Regroups a stream's chunks into parts of exactly partSize bytes (the last one shorter). */
export async function* partsOf(chunks: AsyncIterable<Uint8Array>, partSize: number): AsyncIterable<Uint8Array> {
  let pending: Uint8Array[] = [];
  let held = 0;
  for await (const chunk of chunks) {
    let offset = 0;
    while (offset < chunk.byteLength) {
      const take = Math.min(partSize - held, chunk.byteLength - offset);
      pending.push(chunk.subarray(offset, offset + take));
      held += take;
      offset += take;
      if (held === partSize) {
        yield concat(pending, held);
        pending = [];
        held = 0;
      }
    }
  }
  if (held > 0) yield concat(pending, held);
}

function concat(chunks: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
