import { credentialsUnavailable } from './errors';
import { exchange, type ExtraCa } from './http-exchange';
import { parseUtcInstant } from './rpc-signature';
import type { TimedSession } from './session-cache';
import type { SigningCredentials } from '../signing/types';

/**
 * ALIBABA_CLOUD_CREDENTIALS_URI: a local endpoint (sidecar, credential helper) answering
 * `{"Code":"Success","AccessKeyId","AccessKeySecret","SecurityToken","Expiration":"YYYY-MM-DDTHH:mm:ssZ"}`.
 * Fetched here rather than through @alicloud/credentials because the SDK drops Expiration (we need it for the cap) and
 * its errors echo the whole body — which, for a half-valid answer, contains the secret.
 */
export async function fetchCredentialsUri(uri: string, options: { timeoutMs: number; ca?: ExtraCa }): Promise<TimedSession<Required<SigningCredentials>>> {
  const url = new URL(uri);
  const where = `credentials URI ${url.origin}${url.pathname}`; // never the query: it may carry a token
  const { status, body } = await exchange(url, { method: 'GET', ca: options.ca, timeoutMs: options.timeoutMs, timeoutCode: 'ETIMEDOUT_URI' }).catch((err: unknown) => {
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
