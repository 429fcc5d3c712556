import { randomUUID } from 'node:crypto';
import type { SigningCredentials } from '../signing/types';
import { clip, credentialsUnavailable, redact } from './errors';
import { exchange, type ExtraCa } from './http-exchange';
import { encodeParams, isoSeconds, parseUtcInstant, rpcSignature } from './rpc-signature';

/**
 * A minimal STS AssumeRole client over node:https.
 *
 * Why not `@alicloud/credentials`' RAMRoleARNCredentialsProvider (read in 2.4.7's source):
 * - it sends through httpx with httpx's own module-level agent and passes no `ca`, so the only way to make it trust a
 *   test CA is NODE_EXTRA_CA_CERTS at process start — our TLS tests against a loopback STS could not run in-process;
 * - it hides Expiration from getCredentials() and rewrites its internal expiry when a session has < 15 min left
 *   (a 900 s session would be "refreshed" on every call), and its clock is Date.now — not injectable;
 * - concurrent callers each run their own refresh (no single flight), and a rotated caller key does not trigger a
 *   new AssumeRole until the old session goes stale;
 * - its errors embed the raw response body.
 * The request is one signed POST, so owning it is ~100 lines and gives us exact Expiration, timeouts, CA trust and
 * error text we control.
 */
export interface AssumeRoleInput {
  /** `https://host[:port]` (or http for loopback). */
  endpoint: string;
  caller: SigningCredentials;
  roleArn: string;
  roleSessionName: string;
  durationSeconds: number;
  policy?: string | undefined;
  externalId?: string | undefined;
  timeoutMs: number;
  /** Extra CA certificates to trust besides the system store. */
  ca?: ExtraCa;
  now: () => number;
}

export interface AssumeRoleResult {
  credentials: Required<SigningCredentials>;
  expiration: Date;
  requestId: string;
  assumedRoleArn: string | undefined;
}

function post(url: URL, body: string, input: AssumeRoleInput): Promise<{ status: number; body: string }> {
  return exchange(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), 'x-acs-credentials-provider': 'oss-presign' },
    body,
    ca: input.ca,
    timeoutMs: input.timeoutMs,
    timeoutCode: 'ETIMEDOUT_STS',
  });
}

/** STS codes that mean "try again later" rather than "fix the deployment". */
const TRANSIENT_CODES = new Set(['Throttling', 'Throttling.User', 'Throttling.Api', 'ServiceUnavailable', 'InternalError']);

export async function assumeRole(input: AssumeRoleInput): Promise<AssumeRoleResult> {
  const secrets = [input.caller.accessKeySecret, input.caller.securityToken];
  const params: Record<string, string> = {
    Action: 'AssumeRole',
    Version: '2015-04-01',
    Format: 'JSON',
    Timestamp: isoSeconds(input.now()),
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: randomUUID(),
    AccessKeyId: input.caller.accessKeyId,
    RoleArn: input.roleArn,
    RoleSessionName: input.roleSessionName,
    DurationSeconds: String(input.durationSeconds),
  };
  if (input.caller.securityToken) params.SecurityToken = input.caller.securityToken;
  if (input.policy !== undefined) params.Policy = input.policy;
  if (input.externalId !== undefined) params.ExternalId = input.externalId;
  params.Signature = rpcSignature('POST', params, input.caller.accessKeySecret);

  const where = `AssumeRole on ${input.roleArn} via ${input.endpoint}`;
  let response: { status: number; body: string };
  try {
    response = await post(new URL('/', input.endpoint), encodeParams(params), input);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ETIMEDOUT_STS') throw credentialsUnavailable(`${where} timed out after ${input.timeoutMs} ms`, { retryable: true });
    const detail = typeof code === 'string' ? code : 'network error';
    // TLS trust failures are configuration, not weather: say so and do not invite retries.
    const tlsProblem = typeof code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code);
    throw credentialsUnavailable(`${where} failed: ${detail}`, { retryable: !tlsProblem });
  }

  let body: Record<string, unknown> | null = null;
  try {
    const parsed: unknown = JSON.parse(response.body);
    if (parsed !== null && typeof parsed === 'object') body = parsed as Record<string, unknown>;
  } catch {
    body = null;
  }
  const requestId = typeof body?.RequestId === 'string' ? body.RequestId : 'unknown';

  if (response.status !== 200) {
    const stsCode = typeof body?.Code === 'string' ? body.Code : `HTTP ${response.status}`;
    const stsMessage = typeof body?.Message === 'string' ? clip(redact(body.Message, secrets)) : 'no error message';
    const retryable = response.status >= 500 || TRANSIENT_CODES.has(stsCode);
    const hint = stsCode.startsWith('NoPermission')
      ? ' — the function role needs sts:AssumeRole on this role (AliyunSTSAssumeRoleAccess) and must be trusted by its trust policy'
      : stsCode.startsWith('EntityNotExist.Role') ? ' — check SIGNER_ROLE_ARN'
      : stsCode.startsWith('InvalidParameter.DurationSeconds') ? ' — SIGNER_SESSION_SECONDS exceeds the role\'s MaxSessionDuration'
      : '';
    throw credentialsUnavailable(`${where} failed: ${redact(stsCode, secrets)}: ${stsMessage}${hint} (RequestId ${redact(requestId, secrets)})`, { retryable });
  }

  const creds = body?.Credentials as Record<string, unknown> | undefined;
  const expiration = parseUtcInstant(creds?.Expiration);
  if (!creds || typeof creds.AccessKeyId !== 'string' || typeof creds.AccessKeySecret !== 'string'
    || typeof creds.SecurityToken !== 'string' || creds.AccessKeyId === '' || creds.AccessKeySecret === '' || expiration === null) {
    // Never echo the body here: a half-valid answer may well contain a secret.
    throw credentialsUnavailable(`${where} returned an answer without complete Credentials (RequestId ${redact(requestId, secrets)})`, { retryable: true });
  }
  const user = body?.AssumedRoleUser as Record<string, unknown> | undefined;
  return {
    credentials: { accessKeyId: creds.AccessKeyId, accessKeySecret: creds.AccessKeySecret, securityToken: creds.SecurityToken },
    expiration,
    requestId,
    assumedRoleArn: typeof user?.Arn === 'string' ? user.Arn : undefined,
  };
}
