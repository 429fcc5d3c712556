import * as http from 'node:http';
import * as https from 'node:https';
import * as tls from 'node:tls';
import { credentialsUnavailable } from './errors';
import { parseUtcInstant } from './rpc-signature';
import type { TimedSession } from './session-cache';
import type { SigningCredentials } from '../signing/types';

/**
 * ALIBABA_CLOUD_CREDENTIALS_URI: a local endpoint (sidecar, credential helper) answering
 * `{"Code":"Success","AccessKeyId","AccessKeySecret","SecurityToken","Expiration":"YYYY-MM-DDTHH:mm:ssZ"}`.
 * Fetched here rather than through @alicloud/credentials because the SDK drops Expiration (we need it for the cap) and
 * its errors echo the whole body — which, for a half-valid answer, contains the secret.
 */
export async function fetchCredentialsUri(uri: string, options: { timeoutMs: number; ca?: string | Buffer | readonly (string | Buffer)[] | undefined }): Promise<TimedSession<Required<SigningCredentials>>> {
  const url = new URL(uri);
  const where = `credentials URI ${url.origin}${url.pathname}`; // never the query: it may carry a token
  const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const lib = url.protocol === 'https:' ? https : http;
    const ca = options.ca === undefined ? undefined : [...tls.rootCertificates, ...(Array.isArray(options.ca) ? options.ca : [options.ca])];
    const req = lib.request(url, { method: 'GET', agent: false, ...(ca === undefined ? {} : { ca }) });
    const timer = setTimeout(() => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT_URI' })), options.timeoutMs);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => { clearTimeout(timer); resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }); });
      res.on('error', (e) => { clearTimeout(timer); reject(e); });
    });
    req.on('error', (e) => { clearTimeout(timer); reject(e); });
    req.end();
  }).catch((err: unknown) => {
    const code = (err as { code?: unknown }).code;
    throw credentialsUnavailable(code === 'ETIMEDOUT_URI' ? `${where} timed out after ${options.timeoutMs} ms` : `${where} could not be reached (${typeof code === 'string' ? code : 'network error'})`, { retryable: true });
  });
  if (status !== 200) throw credentialsUnavailable(`${where} answered HTTP ${status}`, { retryable: status >= 500 });
  let data: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    data = parsed as Record<string, unknown>;
  } catch {
    throw credentialsUnavailable(`${where} did not answer a JSON object`);
  }
  if (data.Code !== undefined && data.Code !== 'Success') {
    throw credentialsUnavailable(`${where} answered Code ${typeof data.Code === 'string' ? JSON.stringify(data.Code.slice(0, 64)) : 'non-string'}`);
  }
  const missing = ['AccessKeyId', 'AccessKeySecret', 'SecurityToken'].filter((k) => typeof data[k] !== 'string' || data[k] === '');
  if (missing.length > 0) throw credentialsUnavailable(`${where} answered without ${missing.join(', ')}`);
  const expiration = parseUtcInstant(data.Expiration);
  if (expiration === null) throw credentialsUnavailable(`${where} answered without a valid Expiration (YYYY-MM-DDTHH:mm:ssZ)`);
  return {
    value: { accessKeyId: data.AccessKeyId as string, accessKeySecret: data.AccessKeySecret as string, securityToken: data.SecurityToken as string },
    expiration,
  };
}
