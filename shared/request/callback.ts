import { invalidArgument } from '../errors';
import type { FieldReader } from './fields';

/** An upload callback as a caller asks for it: OSS POSTs `body` to `url` once the upload has landed. */
export interface CallbackRequest {
  url: string;
  /** OSS's callbackBody template: `${bucket}`, `${object}`, `${etag}`, `${size}`, `${mimeType}`, `${x:name}`... */
  body: string;
  bodyType?: (typeof CALLBACK_BODY_TYPES)[number] | undefined;
  /** The Host header OSS sends with the callback (callbackHost); the URL's host decides where it connects. */
  host?: string | undefined;
  /** Custom variables for `${x:name}` in the body; names must be `x:` and lowercase, as OSS requires. */
  vars?: Record<string, string> | undefined;
}

export const CALLBACK_BODY_TYPES = ['application/x-www-form-urlencoded', 'application/json'] as const;

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(?::\d{1,5})?$/;
const VAR_NAME = /^x:[a-z0-9_-]{1,64}$/;

/** Reads `callback` from the reader (undefined when absent) and refuses any field it does not know. */
export function readCallback(reader: FieldReader): CallbackRequest | undefined {
  const callback = reader.object('callback');
  if (!callback) return undefined;
  const request: CallbackRequest = {
    url: required(callback, 'url', callback.string('url', { maxLength: 1024 })),
    body: required(callback, 'body', callback.string('body', { maxLength: 4096 })),
    bodyType: callback.oneOf('bodyType', CALLBACK_BODY_TYPES),
    host: callback.string('host', { pattern: HOST_NAME, patternRule: 'must be a host name (the Host header OSS sends to the callback URL)' }),
    vars: callback.stringMap('vars', { maxEntries: 16, keyPattern: VAR_NAME, keyRule: 'must start with x: and be lowercase letters, digits, _ or - (as OSS requires)' }),
  };
  callback.finish();
  return request;
}

function required(reader: FieldReader, field: string, value: string | undefined): string {
  if (value === undefined) throw invalidArgument(reader.name(field), `${reader.name(field)} is required`);
  return value;
}
