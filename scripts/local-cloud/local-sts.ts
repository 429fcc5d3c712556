import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isoSeconds, rpcSignature, rpcStringToSign } from '../../shared/credentials/rpc-signature';
import type { CredentialStore, IssuedCredential } from './credential-store';
import { listenLoopback, readBody } from './tls-server';

/**
 * A loopback STS that answers AssumeRole (Version 2015-04-01, RPC style, JSON) the way the real one does: it checks
 * the caller's HMAC-SHA1 signature against the keys in the CredentialStore, the caller's token and its expiry, the
 * nonce and timestamp, the role and the parameters, and issues STS.* keys into the same store so the local OSS
 * accepts URLs signed with them until their Expiration.
 *
 * Error answers use the real codes and statuses: NoPermission 403, InvalidParameter.* 400, EntityNotExist.Role 404,
 * InvalidAccessKeyId.NotFound 404, SignatureDoesNotMatch 400, InvalidSecurityToken.Expired 400. Per-test knobs in
 * `behaviour` make it slow, hang (for client timeouts) or fail with a chosen error.
 */
export interface LocalStsRole {
  arn: string;
  /** The role's MaxSessionDuration; DurationSeconds above it is InvalidParameter.DurationSeconds. Default 3600, as for a new role. */
  maxSessionDuration?: number;
  /** AccessKeyIds allowed to assume it (the trust policy); undefined lets any key in the store. */
  trustedCallers?: readonly string[];
}

export interface LocalStsBehaviour {
  /** Wait this long before answering. */
  delayMs?: number;
  /** Read the request and never answer (the client's timeout must fire). */
  hang?: boolean;
  /** After authenticating the caller, answer this error instead of credentials. */
  fail?: { status: number; code: string; message: string } | null;
}

export interface RecordedAssumeRole {
  at: number;
  callerAccessKeyId: string | undefined;
  roleArn: string | undefined;
  roleSessionName: string | undefined;
  durationSeconds: string | undefined;
  policy: string | undefined;
  /** 'Success' or the error code answered. */
  outcome: string;
}

export interface LocalStsOptions {
  store: CredentialStore;
  tls?: { key: string; cert: string };
  host?: string;
  port?: number;
  /** Known roles; undefined accepts any well-formed role ARN with MaxSessionDuration 43200. */
  roles?: readonly LocalStsRole[];
  now?: () => number;
  behaviour?: LocalStsBehaviour;
  /** How far the request Timestamp may be from now. Default 15 minutes. */
  timestampToleranceMs?: number;
}

export interface LocalSts {
  /** `https://127.0.0.1:<port>` — pass as SIGNER_STS_ENDPOINT. */
  origin: string;
  port: number;
  requests: RecordedAssumeRole[];
  issued: IssuedCredential[];
  /** Mutable: change between requests to make the server slow, hang or fail. */
  behaviour: LocalStsBehaviour;
  close(): Promise<void>;
}

const ROLE_ARN = /^acs:ram::(\d+):role\/([\w.@+=,-]{1,64})$/i;

function token(bytes: number): string {
  return randomBytes(bytes).toString('base64').replace(/[+/=]/g, '');
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export async function startLocalSts(options: LocalStsOptions): Promise<LocalSts> {
  const now = options.now ?? Date.now;
  const tolerance = options.timestampToleranceMs ?? 15 * 60_000;
  const requests: RecordedAssumeRole[] = [];
  const issued: IssuedCredential[] = [];
  const usedNonces = new Set<string>();
  const state: { behaviour: LocalStsBehaviour } = { behaviour: options.behaviour ?? {} };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID().toUpperCase();
    const url = new URL(req.url ?? '/', 'http://local');
    const body = await readBody(req);
    const params: Record<string, string> = {};
    for (const [k, v] of url.searchParams) params[k] = v;
    if (req.method === 'POST' && (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      for (const [k, v] of new URLSearchParams(body)) params[k] = v;
    }
    const record: RecordedAssumeRole = {
      at: now(),
      callerAccessKeyId: params.AccessKeyId,
      roleArn: params.RoleArn,
      roleSessionName: params.RoleSessionName,
      durationSeconds: params.DurationSeconds,
      policy: params.Policy,
      outcome: 'pending',
    };
    requests.push(record);

    const behaviour = state.behaviour;
    if (behaviour.hang) return; // keep the socket open and silent; close() drops it
    if (behaviour.delayMs) await new Promise((r) => setTimeout(r, behaviour.delayMs));

    const answer = (status: number, payload: Record<string, unknown>) => {
      record.outcome = typeof payload.Code === 'string' ? payload.Code : 'Success';
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', 'x-acs-request-id': requestId });
      res.end(JSON.stringify(payload));
    };
    const fail = (status: number, code: string, message: string) => answer(status, {
      RequestId: requestId,
      HostId: req.headers.host ?? 'sts.aliyuncs.com',
      Code: code,
      Message: message,
      Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(code)}&product=Sts&requestId=${requestId}`,
    });

    if (req.method !== 'POST' && req.method !== 'GET') return fail(400, 'UnsupportedHTTPMethod', 'This http method is not supported.');
    if (params.Action !== 'AssumeRole') return fail(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.');
    for (const name of ['AccessKeyId', 'Signature', 'SignatureMethod', 'SignatureVersion', 'SignatureNonce', 'Timestamp', 'Version']) {
      if (!params[name]) return fail(400, 'MissingParameter', `The input parameter "${name}" that is mandatory for processing this request is not supplied.`);
    }
    if (params.Version !== '2015-04-01') return fail(400, 'InvalidVersion', 'Specified parameter Version is not valid.');
    if (params.SignatureMethod !== 'HMAC-SHA1' || params.SignatureVersion !== '1.0') return fail(400, 'InvalidParameter', 'The specified signature method or version is not supported.');
    const ts = Date.parse(params.Timestamp ?? '');
    if (!Number.isFinite(ts) || Math.abs(ts - now()) > tolerance) return fail(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');

    const caller = options.store.lookup(params.AccessKeyId ?? '');
    if (!caller) return fail(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    if (caller.expiration && caller.expiration.getTime() <= now()) return fail(400, 'InvalidSecurityToken.Expired', 'Specified SecurityToken is expired.');
    if (caller.securityToken !== undefined) {
      if (!params.SecurityToken) return fail(400, 'MissingSecurityToken', 'SecurityToken is mandatory for this action.');
      if (!safeEqual(params.SecurityToken, caller.securityToken)) return fail(400, 'InvalidSecurityToken.MismatchWithAccessKey', 'Specified SecurityToken mismatch with the AccessKey.');
    }
    const expected = rpcSignature(req.method, params, caller.accessKeySecret);
    if (!safeEqual(expected, params.Signature ?? '')) {
      return fail(400, 'SignatureDoesNotMatch', `Specified signature is not matched with our calculation. server string to sign is:${rpcStringToSign(req.method, params)}`);
    }
    if (usedNonces.has(params.SignatureNonce ?? '')) return fail(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
    usedNonces.add(params.SignatureNonce ?? '');

    if (behaviour.fail) return fail(behaviour.fail.status, behaviour.fail.code, behaviour.fail.message);

    const arn = params.RoleArn ?? '';
    const arnMatch = ROLE_ARN.exec(arn);
    if (!arn) return fail(400, 'MissingRoleArn', 'RoleArn is mandatory for this action.');
    if (!arnMatch) return fail(400, 'InvalidParameter.RoleArn', 'The parameter RoleArn is wrongly formed.');
    const sessionName = params.RoleSessionName ?? '';
    if (!sessionName) return fail(400, 'MissingRoleSessionName', 'RoleSessionName is mandatory for this action.');
    if (!/^[\w.@-]{2,64}$/.test(sessionName)) return fail(400, 'InvalidParameter.RoleSessionName', 'The parameter RoleSessionName is wrongly formed.');
    const role = options.roles === undefined ? { arn, maxSessionDuration: 43200 } : options.roles.find((r) => r.arn.toLowerCase() === arn.toLowerCase());
    if (!role) return fail(404, 'EntityNotExist.Role', `The role not exists: ${arn}.`);
    const max = role.maxSessionDuration ?? 3600;
    const duration = params.DurationSeconds === undefined ? 3600 : Number(params.DurationSeconds);
    if (!Number.isInteger(duration) || duration < 900 || duration > max) {
      return fail(400, 'InvalidParameter.DurationSeconds', `The Min/Max value of DurationSeconds is 15min/${max / 3600}hr.`);
    }
    if (params.Policy !== undefined) {
      try {
        const policy = JSON.parse(params.Policy) as { Statement?: unknown };
        if (!Array.isArray(policy.Statement) || params.Policy.length > 1024) throw new Error('grammar');
      } catch {
        return fail(400, 'InvalidParameter.PolicyGrammar', 'The parameter Policy has not passed grammar check.');
      }
    }
    if ('trustedCallers' in role && role.trustedCallers && !role.trustedCallers.includes(caller.accessKeyId)) {
      return fail(403, 'NoPermission', 'You are not authorized to do this action. You should be authorized by RAM.');
    }

    // STS reports Expiration to the second; the key really dies at that second.
    const expiration = new Date(Math.floor((now() + duration * 1000) / 1000) * 1000);
    const credential = options.store.add({
      accessKeyId: `STS.NT${token(18).slice(0, 24)}`,
      accessKeySecret: token(33).slice(0, 44),
      securityToken: `CAIS${token(180)}`,
      expiration,
    });
    issued.push(credential);
    return answer(200, {
      RequestId: requestId,
      AssumedRoleUser: { AssumedRoleId: `3${randomBytes(8).readBigUInt64BE().toString().slice(0, 17)}:${sessionName}`, Arn: `${arn}/${sessionName}` },
      Credentials: {
        AccessKeyId: credential.accessKeyId,
        AccessKeySecret: credential.accessKeySecret,
        SecurityToken: credential.securityToken,
        Expiration: isoSeconds(expiration.getTime()),
      },
    });
  }

  const server = await listenLoopback((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent && !res.destroyed) { res.writeHead(500); res.end(); }
    });
  }, { ...(options.tls ? { tls: options.tls } : {}), ...(options.host ? { host: options.host } : {}), ...(options.port !== undefined ? { port: options.port } : {}) });

  return {
    origin: server.origin,
    port: server.port,
    requests,
    issued,
    get behaviour() { return state.behaviour; },
    set behaviour(b: LocalStsBehaviour) { state.behaviour = b; },
    close: server.close,
  };
}
