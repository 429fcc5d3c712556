import http from 'node:http';
import OSS from 'ali-oss';
import { CredentialStore } from '../../scripts/local-cloud/credential-store';
import { startLocalOss, type LocalOss, type LocalOssOptions } from '../../scripts/local-oss';

export const BUCKET = 'presign-bucket';
export const AK = { accessKeyId: 'LTAIlocalPermanent', accessKeySecret: 'local-secret-never-echoed' };
export const STS = { accessKeyId: 'STS.localTemporary', accessKeySecret: 'temp-secret-never-echoed', securityToken: 'tok/en+with=odd/chars' };

export interface Harness {
  oss: LocalOss;
  store: CredentialStore;
  /** Moves the server clock relative to the real one (ali-oss always signs with the real clock). */
  setSkewMs(ms: number): void;
}

export async function startHarness(extra: Partial<LocalOssOptions> = {}): Promise<Harness> {
  const store = new CredentialStore();
  store.add({ ...AK });
  store.add({ ...STS, expiration: new Date(Date.now() + 3600_000) });
  let skew = 0;
  const oss = await startLocalOss({ credentials: store, buckets: [BUCKET], now: () => Date.now() + skew, ...extra });
  return { oss, store, setSkewMs: (ms) => (skew = ms) };
}

/**
 * ali-oss itself, as the reference signer. Given an STS token without a refresh callback it warns on the console
 * (lib/common/client/initOptions.js); that warning is taken here and checked, so it is expected, not printed.
 */
export function presignClient(creds: { accessKeyId: string; accessKeySecret: string; stsToken?: string } = AK): OSS {
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  try {
    return new OSS({ region: 'oss-cn-hangzhou', bucket: BUCKET, ...creds });
  } finally {
    const warnings = warn.mock.calls.map((args) => args.map(String).join(' '));
    warn.mockRestore();
    expect(warnings).toEqual(creds.stsToken ? [expect.stringContaining("set 'refreshSTSToken'")] : []);
  }
}

/**
 * A real SDK client talking to the local server with header-mode V4. With an IP endpoint ali-oss sends
 * `Host: <bucket>.oss-cn-hangzhou.aliyuncs.com` and path `/<key>`, i.e. virtual-host addressing over loopback.
 */
export function sdkClient(oss: LocalOss, creds: { accessKeyId: string; accessKeySecret: string; stsToken?: string } = AK): OSS {
  const options = { region: 'oss-cn-hangzhou', bucket: BUCKET, endpoint: oss.origin, authorizationV4: true, ...creds };
  return new OSS(options as OSS.Options);
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  code: string | undefined;
}

/**
 * Sends to the local server exactly the request line of `url` (path + raw query untouched), with the Host header the
 * URL names, so a virtual-host URL signed for bucket.oss-cn-hangzhou.aliyuncs.com arrives as it would at OSS.
 */
export function send(
  oss: LocalOss,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: Buffer | string; rawPathAndQuery?: string } = {},
): Promise<RawResponse> {
  const parsed = new URL(url);
  const pathAndQuery = init.rawPathAndQuery ?? url.slice(url.indexOf('/', url.indexOf('//') + 2));
  const body = init.body === undefined ? undefined : Buffer.isBuffer(init.body) ? init.body : Buffer.from(init.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: oss.port,
        method: init.method ?? 'GET',
        path: pathAndQuery,
        headers: { host: parsed.host, ...(body ? { 'content-length': String(body.length) } : {}), ...init.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const buf = Buffer.concat(chunks);
          const text = buf.toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buf, text, code: /<Code>([^<]*)<\/Code>/.exec(text)?.[1] });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export function xmlField(text: string, name: string): string | undefined {
  return new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(text)?.[1];
}
