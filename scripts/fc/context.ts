import { randomUUID } from 'node:crypto';

/**
 * An FC 3.0-shaped `context` and process environment for running a built handler off Function Compute
 * (../../../shared/reference/fc-runtime.md §1.2, §1.3): requestId, credentials, function, service, region,
 * accountId, logger — and the system variables FC sets in every instance.
 */
export interface FcCredentialsValue {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

/**
 * Clearly not a real key: used only when no credentials are in the environment, so a handler can be exercised
 * offline. URLs signed with it are well-formed but no OSS accepts them (the local OSS can be told to).
 */
export const LOCAL_DEMO_CREDENTIALS: Required<FcCredentialsValue> = {
  accessKeyId: 'STS.LocalDemoKeyNotValidOnAlibabaCloud',
  accessKeySecret: 'local-demo-secret-not-valid-on-alibaba-cloud',
  securityToken: 'local-demo-security-token',
};

export interface CredentialsChoice {
  credentials: FcCredentialsValue;
  label: string;
}

/** ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET / _SECURITY_TOKEN from `env`, else the labelled local demo key. */
export function credentialsFromEnv(env: NodeJS.ProcessEnv): CredentialsChoice {
  const id = env.ALIBABA_CLOUD_ACCESS_KEY_ID?.trim();
  const secret = env.ALIBABA_CLOUD_ACCESS_KEY_SECRET?.trim();
  if (id && secret) {
    const token = env.ALIBABA_CLOUD_SECURITY_TOKEN?.trim();
    return { credentials: token ? { accessKeyId: id, accessKeySecret: secret, securityToken: token } : { accessKeyId: id, accessKeySecret: secret }, label: `environment (ALIBABA_CLOUD_ACCESS_KEY_ID ${id.slice(0, 7)}…)` };
  }
  return { credentials: LOCAL_DEMO_CREDENTIALS, label: 'LOCAL DEMO KEY (not valid on Alibaba Cloud; set ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET[/_SECURITY_TOKEN] to sign for real)' };
}

export interface FunctionIdentity {
  name: string;
  region: string;
  accountId?: string;
  memory?: number;
  timeout?: number;
  handler?: string;
}

type LogFn = (...args: unknown[]) => void;

/** FC's logger prints `<time> <requestId> [LEVEL] message`; here to `write` (stderr by default). */
export function fcLogger(requestId: string, write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)) {
  const at = (level: string): LogFn => (...args) => write(`${new Date().toISOString()} ${requestId} [${level}] ${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}`);
  return { debug: at('DEBUG'), info: at('INFO'), warn: at('WARN'), error: at('ERROR'), log: at('INFO'), requestId, logLevel: 'info' };
}

export function fcContext(fn: FunctionIdentity, credentials: FcCredentialsValue, options: { requestId?: string; write?: (line: string) => void } = {}) {
  const requestId = options.requestId ?? `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)}`;
  return {
    requestId,
    // FC passes the three fields; securityToken is '' for a long-term key in `s local invoke`.
    credentials: { accessKeyId: credentials.accessKeyId, accessKeySecret: credentials.accessKeySecret, securityToken: credentials.securityToken ?? '' },
    function: { name: fn.name, handler: fn.handler ?? 'index.handler', memory: fn.memory ?? 128, timeout: fn.timeout ?? 5 },
    service: { logProject: '', logStore: '', qualifier: 'LATEST', versionId: '' },
    region: fn.region,
    accountId: fn.accountId ?? '1234567890123456',
    logger: fcLogger(requestId, options.write),
    retryCount: 0,
    tracing: { openTracingSpanContext: '', openTracingSpanBaggages: {}, jaegerEndpoint: '' },
  };
}

/** The system variables FC sets in every instance (fc-runtime.md §1.3), credentials included. */
export function fcSystemEnv(fn: FunctionIdentity, credentials: FcCredentialsValue, codePath: string): Record<string, string> {
  const env: Record<string, string> = {
    FC_FUNCTION_NAME: fn.name,
    FC_FUNCTION_HANDLER: fn.handler ?? 'index.handler',
    FC_FUNCTION_MEMORY_SIZE: String(fn.memory ?? 128),
    FC_REGION: fn.region,
    FC_ACCOUNT_ID: fn.accountId ?? '1234567890123456',
    FC_INSTANCE_ID: `c-local-${randomUUID().slice(0, 8)}`,
    FC_FUNC_CODE_PATH: codePath,
    ALIBABA_CLOUD_ACCESS_KEY_ID: credentials.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: credentials.accessKeySecret,
  };
  if (credentials.securityToken) env.ALIBABA_CLOUD_SECURITY_TOKEN = credentials.securityToken;
  return env;
}

/** Calls an FC handler as the runtime does: async, or FC 2.0's `(event, context, callback)` style. */
export function callHandler(handler: (...args: unknown[]) => unknown, event: Buffer, context: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (err: unknown, result?: unknown) => {
      if (settled) return;
      settled = true;
      if (err) reject(err instanceof Error ? err : new Error(String(err)));
      else resolve(result);
    };
    try {
      const returned = handler(event, context, done);
      if (returned && typeof (returned as Promise<unknown>).then === 'function') (returned as Promise<unknown>).then((r) => done(null, r), (e: unknown) => done(e ?? new Error('handler rejected')));
    } catch (error) {
      done(error);
    }
  });
}
