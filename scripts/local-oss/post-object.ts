/**
 * PostObject with a V4-signed policy: the browser form upload. The signature is HMAC-SHA256 (V4 signing key) over
 * the base64 policy; the policy's expiration and conditions then constrain the form.
 */
import busboy from 'busboy';
import type { OssRequest, OssResponse, ServerServices } from './context';
import { OssError } from './errors';
import { checkContentMd5, fileAlreadyExists, forbidsOverwrite, readObjectAttributes, validateKey } from './object-attributes';
import { finishWithCallback } from './objects';
import { md5Etag, type StoredObjectMeta } from './storage';
import { parseCallback } from './callback';
import { storeCreatedObject } from './notifications';
import { ALGORITHM, deriveSigningKey, signHex } from './v4-canonical';
import { MAX_CLOCK_SKEW_MS, MAX_EXPIRES_SECONDS, parseCredential, parseV4DateTime, resolveKey } from './v4-verify';
import { xmlDocument } from './xml';

interface ParsedForm {
  /** Lower-cased field names; the first occurrence wins. */
  fields: Record<string, string>;
  file: { data: Buffer; filename: string; mimeType: string } | undefined;
}

function malformed(): OssError {
  return new OssError(400, 'MalformedPOSTRequest', 'The body of your POST request is not well-formed multipart/form-data.');
}

export function parseForm(contentType: string, body: Buffer): Promise<ParsedForm> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: { 'content-type': contentType }, limits: { fieldSize: 1024 * 1024 } });
    } catch {
      return reject(malformed());
    }
    const fields = Object.create(null) as Record<string, string>;
    let file: ParsedForm['file'];
    parser.on('field', (name, value) => {
      const lower = name.toLowerCase();
      if (!Object.hasOwn(fields, lower)) fields[lower] = value;
    });
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (name.toLowerCase() === 'file' && !file) file = { data: Buffer.concat(chunks), filename: info.filename ?? '', mimeType: info.mimeType };
      });
    });
    parser.on('error', () => reject(malformed()));
    parser.on('close', () => resolve({ fields, file }));
    parser.end(body);
  });
}

type Condition = Record<string, unknown> | unknown[];

function conditionText(condition: Condition): string {
  return Array.isArray(condition) ? `[${condition.map((c) => JSON.stringify(c)).join(', ')}]` : JSON.stringify(condition);
}

function policyFailed(condition: Condition): OssError {
  return new OssError(403, 'AccessDenied', `Invalid according to Policy: Policy Condition failed: ${conditionText(condition)}`);
}

function invalidPolicy(message: string): OssError {
  return new OssError(400, 'InvalidPolicyDocument', `Invalid Policy: ${message}`);
}

/**
 * The value a condition tests: `bucket` → the bucket, `$key` → the form's key (after ${filename}), `$content-type` →
 * the Content-Type field or else the file part's type, anything else the form field; undefined when the form does
 * not carry it. Names are matched without regard to case (ali-oss's live V4 PostObject test sends Content-Type
 * against a `$content-type` condition).
 */
function fieldValue(name: unknown, bucket: string, fields: Record<string, string>, fileType: string): string | undefined {
  if (typeof name !== 'string') throw invalidPolicy(`Invalid field name ${JSON.stringify(name)}.`);
  const lower = name.replace(/^\$/, '').toLowerCase();
  if (lower === 'bucket') return bucket;
  return Object.hasOwn(fields, lower) ? fields[lower] : lower === 'content-type' && fileType !== '' ? fileType : undefined;
}

/**
 * Whether one condition holds. OSS accepts form fields the policy does not mention (the Callback doc: an unconditioned
 * callback field "is not validated"), and a condition on a field the form lacks fails (PostObject troubleshooting,
 * "Policy Condition failed": "...or that field was not specified in the request"), so a policy can require a safe
 * value but never forbid a field. Modelled here: eq, starts-with and in fail on an absent field; not-in (undocumented
 * for absent fields) passes.
 */
function holds(op: string, value: string | undefined, expected: unknown): boolean {
  switch (op) {
    case 'eq':
      return value !== undefined && value === String(expected);
    case 'starts-with':
      return value !== undefined && value.startsWith(String(expected));
    case 'in':
      return value !== undefined && Array.isArray(expected) && expected.map(String).includes(value);
    case 'not-in':
      return Array.isArray(expected) && (value === undefined || !expected.map(String).includes(value));
    default:
      throw invalidPolicy(`Invalid condition operator ${JSON.stringify(op)}.`);
  }
}

export function checkPolicy(policy: unknown, bucket: string, fields: Record<string, string>, fileSize: number, now: number, fileType = ''): void {
  if (typeof policy !== 'object' || policy === null) throw invalidPolicy('Invalid JSON.');
  const { expiration, conditions } = policy as { expiration?: unknown; conditions?: unknown };
  const expiresAt = typeof expiration === 'string' ? Date.parse(expiration) : NaN;
  if (Number.isNaN(expiresAt)) throw invalidPolicy(`Invalid 'expiration' value: '${String(expiration ?? '')}'.`);
  if (now > expiresAt) throw new OssError(403, 'AccessDenied', 'Invalid according to Policy: Policy expired.');
  if (!Array.isArray(conditions)) throw invalidPolicy("Policy document must contain 'conditions'.");
  for (const raw of conditions as unknown[]) {
    if (Array.isArray(raw)) {
      const [op, a, b] = raw as [unknown, unknown, unknown];
      const opName = typeof op === 'string' ? op.toLowerCase() : '';
      if (opName === 'content-length-range') {
        const min = Number(a);
        const max = Number(b);
        if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < min) throw invalidPolicy('Invalid content-length-range.');
        if (fileSize > max) throw new OssError(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size.', [['ProposedSize', String(fileSize)], ['MaxSizeAllowed', String(max)]]);
        if (fileSize < min) throw new OssError(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size.', [['ProposedSize', String(fileSize)], ['MinSizeAllowed', String(min)]]);
        continue;
      }
      if (!holds(opName, fieldValue(a, bucket, fields, fileType), b)) throw policyFailed(raw);
    } else if (typeof raw === 'object' && raw !== null) {
      const entries = Object.entries(raw);
      const [entry] = entries;
      if (entries.length !== 1 || !entry) throw invalidPolicy('Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.');
      if (!holds('eq', fieldValue(entry[0], bucket, fields, fileType), entry[1])) throw policyFailed(raw as Record<string, unknown>);
    } else {
      throw invalidPolicy('Invalid condition.');
    }
  }
}

export async function postObject(req: OssRequest, svc: ServerServices): Promise<OssResponse> {
  const { fields, file } = await parseForm(req.headers['content-type'] ?? '', req.body);
  if (!file) throw new OssError(400, 'InvalidArgument', 'The file field is missing or is not the last form field.', [['ArgumentName', 'file']]);
  if (fields['ossaccesskeyid'] !== undefined || fields['signature'] !== undefined) {
    throw new OssError(400, 'InvalidArgument', 'The local OSS only accepts V4-signed PostObject (x-oss-signature-version=OSS4-HMAC-SHA256).');
  }
  const version = fields['x-oss-signature-version'];
  const policyB64 = fields['policy'];
  const signature = fields['x-oss-signature'];
  const credential = fields['x-oss-credential'];
  const dateTime = fields['x-oss-date'];
  if (version === undefined && policyB64 === undefined && signature === undefined) throw new OssError(403, 'AccessDenied', 'You have no right to access this object because of bucket acl.');
  if (version !== ALGORITHM) throw new OssError(400, 'InvalidArgument', 'x-oss-signature-version must be OSS4-HMAC-SHA256.', [['ArgumentName', 'x-oss-signature-version'], ['ArgumentValue', version ?? '']]);
  for (const [name, value] of [['policy', policyB64], ['x-oss-signature', signature], ['x-oss-credential', credential], ['x-oss-date', dateTime]] as const) {
    if (!value) throw new OssError(400, 'InvalidArgument', `The ${name} form field is required.`, [['ArgumentName', name]]);
  }
  const signedAt = parseV4DateTime(dateTime ?? '', 'x-oss-date');
  const scope = parseCredential(credential ?? '', dateTime ?? '', svc.auth.region);
  const issued = resolveKey(scope.accessKeyId, fields['x-oss-security-token'], svc.auth);
  const now = svc.auth.now();
  if (signedAt - now > MAX_CLOCK_SKEW_MS) throw new OssError(403, 'AccessDenied', 'Request is not valid yet: x-oss-date is later than the server time.');
  if (now - signedAt > MAX_EXPIRES_SECONDS * 1000) throw new OssError(403, 'AccessDenied', 'Request has expired.');

  const expected = signHex(deriveSigningKey(issued.accessKeySecret, scope.date8, scope.region, scope.product), policyB64 ?? '');
  if (expected !== signature) {
    throw new OssError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', [
      ['OSSAccessKeyId', issued.accessKeyId],
      ['SignatureProvided', signature ?? ''],
      ['StringToSign', policyB64 ?? ''],
    ]);
  }
  let policy: unknown;
  try {
    policy = JSON.parse(Buffer.from(policyB64 ?? '', 'base64').toString('utf8'));
  } catch {
    throw invalidPolicy('Invalid JSON.');
  }
  const key = (fields['key'] ?? '').replace(/\$\{filename\}/g, file.filename);
  validateKey(key);
  checkPolicy(policy, req.bucket, { ...fields, key }, file.data.length, now, file.mimeType);

  const customVars = Object.fromEntries(Object.entries(fields).filter(([name]) => name.startsWith('x:')));
  const callback = parseCallback(fields['callback'], fields['callback-var'] ?? (Object.keys(customVars).length > 0 ? Buffer.from(JSON.stringify(customVars)).toString('base64') : undefined));
  if (forbidsOverwrite(fields['x-oss-forbid-overwrite']) && (await svc.storage.headObject(req.bucket, key))) throw fileAlreadyExists();
  checkContentMd5(fields['content-md5'], file.data);
  // The object's type: x-oss-content-type, else the Content-Type field, else the file part's own (PostObject,
  // alibabacloud.com/help/doc-detail/31988.html), else what the key's extension says.
  const contentType = fields['x-oss-content-type'] ?? fields['content-type'] ?? (file.mimeType === 'application/octet-stream' ? '' : file.mimeType);
  const attributes = readObjectAttributes({ ...fields, 'content-type': contentType }, key);
  const meta: StoredObjectMeta = {
    key,
    size: file.data.length,
    etag: md5Etag(file.data),
    lastModified: new Date(now).toISOString(),
    objectType: 'Normal',
    ...attributes,
  };
  await storeCreatedObject(req, svc, meta, file.data, 'PostObject');

  const status = ['200', '201', '204'].includes(fields['success_action_status'] ?? '') ? Number(fields['success_action_status']) : 204;
  const location = `${req.publicOrigin}/${req.bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
  const success: OssResponse =
    status === 201
      ? {
          status,
          headers: { etag: meta.etag, location, 'content-type': 'application/xml' },
          body: xmlDocument('PostResponse', [['Bucket', req.bucket], ['Location', location], ['Key', key], ['ETag', meta.etag]]),
        }
      : { status, headers: { etag: meta.etag, location } };
  return finishWithCallback(callback, req.bucket, meta, success);
}
