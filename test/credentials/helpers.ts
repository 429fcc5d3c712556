import { CredentialStore } from '../../scripts/local-cloud/credential-store';
import type { CredentialLogger } from '../../shared/credentials';

/** A manual clock shared by the resolver and the local servers, so refresh-ahead can be walked through exactly. */
export function manualClock(startMs = Date.UTC(2030, 0, 15, 8, 0, 0)): { now: () => number; set(ms: number): void; advance(ms: number): void } {
  let t = startMs;
  return { now: () => t, set: (ms) => { t = ms; }, advance: (ms) => { t += ms; } };
}

/** Records every log line so tests can assert no secret ever reaches one. */
export function recordingLogger(): CredentialLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`) };
}

/** The runtime role's key as FC would hand it in context.credentials; registered in the store so the local STS knows it. */
export function runtimeKey(store: CredentialStore, tag: string) {
  const cred = store.add({
    accessKeyId: `STS.RUNTIME${tag}0000000000`,
    accessKeySecret: `SECRET-runtime-${tag}-7f3a9c-DO-NOT-LEAK`,
    securityToken: `TOKEN-runtime-${tag}-b81e-DO-NOT-LEAK`,
    expiration: new Date(Date.UTC(2031, 0, 1)),
  });
  return {
    credential: cred,
    context: { credentials: { accessKeyId: cred.accessKeyId, accessKeySecret: cred.accessKeySecret, securityToken: cred.securityToken }, region: 'cn-hangzhou', requestId: `req-${tag}` },
  };
}

export function expectNoSecrets(texts: readonly string[], secrets: readonly (string | undefined)[]): void {
  for (const text of texts) {
    for (const secret of secrets) {
      if (secret) expect(text).not.toContain(secret);
    }
  }
}

export { CredentialStore };
