/**
 * Upload callbacks: after an object is stored OSS POSTs a templated body to the uploader's server and relays that
 * server's answer. Locally the target must be a loopback address, so a test can never make this machine call out.
 */
import http from 'node:http';
import { isIP } from 'node:net';
import { OssError } from './errors';

export interface CallbackSpec {
  url: URL;
  host: string | undefined;
  body: string;
  bodyType: string;
  customVars: Record<string, string>;
}

export interface CallbackFacts {
  bucket: string;
  object: string;
  /** Unquoted, as OSS substitutes ${etag}. */
  etag: string;
  size: number;
  mimeType: string;
}

export interface CallbackAnswer {
  body: Buffer;
  contentType: string;
}

const CALLBACK_TIMEOUT_MS = 5000;

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

function decodeJsonB64(value: string, what: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
  } catch {
    throw new OssError(400, 'InvalidArgument', `The ${what} is not json format.`, [['ArgumentName', what]]);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new OssError(400, 'InvalidArgument', `The ${what} is not json format.`, [['ArgumentName', what]]);
  }
  return parsed as Record<string, unknown>;
}

/** Validated before the object is stored, so a refused callback leaves nothing behind. */
export function parseCallback(callbackB64: string | undefined, varsB64: string | undefined): CallbackSpec | undefined {
  if (!callbackB64) return undefined;
  const config = decodeJsonB64(callbackB64, 'callback');
  const rawUrl = config['callbackUrl'];
  const body = config['callbackBody'];
  if (typeof rawUrl !== 'string' || rawUrl === '' || typeof body !== 'string' || body === '') {
    throw new OssError(400, 'InvalidArgument', 'The callbackUrl and callbackBody of callback are required.', [['ArgumentName', 'callback']]);
  }
  // OSS accepts up to five ';'-separated URLs and tries them in turn; locally the first one is enough.
  const first = rawUrl.split(';')[0]?.trim() ?? '';
  let url: URL;
  try {
    url = new URL(/^https?:\/\//i.test(first) ? first : `http://${first}`);
  } catch {
    throw new OssError(400, 'InvalidArgument', 'The callbackUrl is invalid.', [['ArgumentName', 'callbackUrl'], ['ArgumentValue', first]]);
  }
  if (url.protocol !== 'http:') {
    throw new OssError(400, 'InvalidArgument', 'The local OSS only calls back over http.', [['ArgumentName', 'callbackUrl'], ['ArgumentValue', first]]);
  }
  if (!isLoopbackHost(url.hostname)) {
    throw new OssError(400, 'InvalidArgument', 'The local OSS only calls back loopback hosts (127.0.0.0/8, ::1, localhost).', [
      ['ArgumentName', 'callbackUrl'],
      ['ArgumentValue', first],
    ]);
  }
  const customVars: Record<string, string> = {};
  if (varsB64) {
    for (const [name, value] of Object.entries(decodeJsonB64(varsB64, 'callback-var'))) {
      if (name.startsWith('x:') && typeof value === 'string') customVars[name] = value;
    }
  }
  const host = typeof config['callbackHost'] === 'string' && config['callbackHost'] !== '' ? config['callbackHost'] : undefined;
  const bodyType = typeof config['callbackBodyType'] === 'string' ? config['callbackBodyType'] : 'application/x-www-form-urlencoded';
  return { url, host, body, bodyType, customVars };
}

export function renderCallbackBody(spec: CallbackSpec, facts: CallbackFacts): string {
  const system: Record<string, string> = {
    bucket: facts.bucket,
    object: facts.object,
    etag: facts.etag,
    size: String(facts.size),
    mimeType: facts.mimeType,
  };
  const json = spec.bodyType.toLowerCase().startsWith('application/json');
  return spec.body.replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
    const value = name.startsWith('x:') ? spec.customVars[name] : system[name];
    if (value === undefined) return name.startsWith('x:') || name.startsWith('imageInfo.') ? '' : whole;
    return json ? JSON.stringify(value).slice(1, -1) : encodeURIComponent(value);
  });
}

function callbackFailed(message: string, headers: Record<string, string>): OssError {
  return new OssError(203, 'CallbackFailed', message, [], undefined, headers);
}

/**
 * Returns the callback server's answer for the uploader, or throws the 203 CallbackFailed OSS sends when the target
 * is unreachable, slow, non-2xx or not JSON. `storedHeaders` (ETag…) go out with the 203, since the object exists.
 */
export function runCallback(spec: CallbackSpec, facts: CallbackFacts, storedHeaders: Record<string, string>): Promise<CallbackAnswer> {
  const payload = Buffer.from(renderCallbackBody(spec, facts), 'utf8');
  return new Promise<CallbackAnswer>((resolve, reject) => {
    const req = http.request(
      spec.url,
      {
        method: 'POST',
        headers: {
          'content-type': spec.bodyType,
          'content-length': String(payload.length),
          'user-agent': 'aliyun-oss-callback',
          ...(spec.host ? { host: spec.host } : {}),
        },
        timeout: CALLBACK_TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const body = Buffer.concat(chunks);
          if (status < 200 || status >= 300) return reject(callbackFailed(`Error status : ${status}.`, storedHeaders));
          try {
            JSON.parse(body.toString('utf8'));
          } catch {
            return reject(callbackFailed('Response body is not valid json format.', storedHeaders));
          }
          resolve({ body, contentType: 'application/json' });
        });
        res.on('error', () => reject(callbackFailed('Error status : -1.OSS can not connect to your callbackUrl, please check it.', storedHeaders)));
      },
    );
    req.on('timeout', () => {
      req.destroy();
      reject(callbackFailed('Cost too long time.', storedHeaders));
    });
    req.on('error', () => reject(callbackFailed('Error status : -1.OSS can not connect to your callbackUrl, please check it.', storedHeaders)));
    req.end(payload);
  });
}
