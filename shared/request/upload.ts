import { invalidArgument } from '../errors';
import { readCallback, type CallbackRequest } from './callback';
import { FieldReader } from './fields';
import { readForm, type FormRequest } from './form';
import { readMultipart, type MultipartRequest } from './multipart';
import { readPutFields, type PutRequest } from './put';

/**
 * What presign-put may be asked: a single PUT URL (optionally with an upload callback), a multipart upload
 * (`{ "multipart": { ... } }`) or a PostObject form (`{ "form": { ... } }`). A multipart or form request carries
 * all its fields inside its member, so the two shapes never mix.
 */
export type UploadRequest =
  | { kind: 'put'; request: PutRequest; callback: CallbackRequest | undefined }
  | { kind: 'multipart'; request: MultipartRequest }
  | { kind: 'form'; request: FormRequest };

const NESTED = ['multipart', 'form'] as const;

export function parseUploadRequest(body: unknown): UploadRequest {
  const reader = FieldReader.of(body);
  const source = body as Record<string, unknown>;
  const nested = NESTED.filter((name) => Object.hasOwn(source, name));
  const [kind] = nested;
  if (kind !== undefined) {
    if (nested.length > 1) throw invalidArgument('form', 'send either multipart or form, not both');
    const other = Object.keys(source).find((name) => name !== kind);
    if (other !== undefined) throw invalidArgument(other, `${other} goes inside ${kind} (a ${kind} request has only the ${kind} member)`);
    return kind === 'multipart' ? { kind, request: readMultipart(source[kind]) } : { kind, request: readForm(source[kind]) };
  }
  const request = readPutFields(reader);
  const callback = readCallback(reader);
  reader.finish();
  return { kind: 'put', request, callback };
}
