import { randomBytes } from 'node:crypto';
import { isoSeconds } from '../../shared/credentials/rpc-signature';
import type { CredentialStore, IssuedCredential } from './credential-store';
import { listenLoopback } from './tls-server';

/**
 * A loopback ALIBABA_CLOUD_CREDENTIALS_URI endpoint. In 'ok' mode every GET issues fresh temporary keys (into the
 * store, if given) and answers `{"Code":"Success","AccessKeyId","AccessKeySecret","SecurityToken","Expiration",
 * "LastUpdated"}`; the other modes answer the broken shapes a client must survive without leaking anything.
 */
export type CredentialsUriMode =
  | 'ok'
  | 'garbage' // 200 with a body that is not JSON
  | 'error-500' // HTTP 500
  | 'code-failure' // {"Code":"Failure", ...}
  | 'missing-token' // keys but no SecurityToken (the SDK would echo this whole body, secret included)
  | 'bad-expiration'; // Expiration not a UTC instant

export interface LocalCredentialsUri {
  url: string;
  origin: string;
  /** Mutable between requests. */
  mode: CredentialsUriMode;
  /** Lifetime of issued keys in seconds (mutable). */
  lifetimeSeconds: number;
  requests: number;
  issued: IssuedCredential[];
  close(): Promise<void>;
}

export async function startLocalCredentialsUri(options: {
  store?: CredentialStore;
  tls?: { key: string; cert: string };
  now?: () => number;
  mode?: CredentialsUriMode;
  lifetimeSeconds?: number;
  path?: string;
} = {}): Promise<LocalCredentialsUri> {
  const now = options.now ?? Date.now;
  const path = options.path ?? '/credentials';
  const state = { mode: options.mode ?? 'ok', lifetimeSeconds: options.lifetimeSeconds ?? 3600, requests: 0 };
  const issued: IssuedCredential[] = [];

  const server = await listenLoopback((req, res) => {
    state.requests += 1;
    if (req.method !== 'GET' || new URL(req.url ?? '/', 'http://x').pathname !== path) { res.writeHead(404); res.end(); return; }
    const expiration = new Date(Math.floor((now() + state.lifetimeSeconds * 1000) / 1000) * 1000);
    const credential: IssuedCredential = {
      accessKeyId: `STS.URI${randomBytes(9).toString('hex')}`,
      accessKeySecret: randomBytes(24).toString('base64').replace(/[+/=]/g, 'x'),
      securityToken: `CAIS${randomBytes(60).toString('base64').replace(/[+/=]/g, 'y')}`,
      expiration,
    };
    const json = (status: number, body: unknown) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
    const base = { AccessKeyId: credential.accessKeyId, AccessKeySecret: credential.accessKeySecret, SecurityToken: credential.securityToken, LastUpdated: isoSeconds(now()) };
    switch (state.mode) {
      case 'ok':
        options.store?.add(credential);
        issued.push(credential);
        return json(200, { Code: 'Success', ...base, Expiration: isoSeconds(expiration.getTime()) });
      case 'garbage':
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end(`<html>upstream broke; last key ${credential.accessKeySecret}</html>`);
      case 'error-500':
        return json(500, { Code: 'InternalError', Message: `failed for ${credential.accessKeySecret}` });
      case 'code-failure':
        return json(200, { Code: 'Failure', ...base, Expiration: isoSeconds(expiration.getTime()) });
      case 'missing-token':
        return json(200, { Code: 'Success', AccessKeyId: base.AccessKeyId, AccessKeySecret: base.AccessKeySecret, Expiration: isoSeconds(expiration.getTime()) });
      case 'bad-expiration':
        return json(200, { Code: 'Success', ...base, Expiration: 'tomorrow-ish' });
    }
  }, { ...(options.tls ? { tls: options.tls } : {}) });

  return {
    url: `${server.origin}${path}`,
    origin: server.origin,
    get mode() { return state.mode; },
    set mode(m: CredentialsUriMode) { state.mode = m; },
    get lifetimeSeconds() { return state.lifetimeSeconds; },
    set lifetimeSeconds(s: number) { state.lifetimeSeconds = s; },
    get requests() { return state.requests; },
    issued,
    close: server.close,
  };
}
