import { createHash } from 'node:crypto';
import { asEvent, harness, httpEvent } from '../support/fc';
import { ALL_ROUTES, CONTEXT, send, signaturesIn, wrappedInvoke, type Route } from './routes';

/**
 * The hostile-callers suite: each finding of the hostile-callers issue as a table of attempts, tried through every
 * way the input can arrive. Every refused attempt answers 4xx with a code (and the field at fault), and carries no
 * signature at all. This file runs with Object.prototype NOT frozen, and ends by checking it is unchanged: a
 * pollution attempt that worked would show here even if no answer did.
 */
const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort().join(',');

const TOKEN = 'hostile-suite-bearer-token';
const TOKEN_SHA256 = createHash('sha256').update(TOKEN).digest('hex');
const json = (value: unknown) => JSON.stringify(value);

function expectRefused(answer: { status: number; error?: { code: string; field?: string }; text: string }, code: string, field?: string): void {
  expect(answer.error?.code).toBe(code);
  if (field !== undefined) expect(answer.error?.field).toBe(field);
  if (answer.status !== 0) {
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
  }
  expect(signaturesIn(answer.text)).toEqual([]);
}

describe('1. nothing a caller sends turns the bearer check off', () => {
  const { put, get } = harness({ AUTH_TOKEN_SHA256: TOKEN_SHA256 });
  const body = json({ key: 'uploads/a.txt' });
  const apiPath = '/2023-03-30/functions/x/invocations';

  type Attempt = [name: string, event: () => unknown];
  const attempts: Attempt[] = [
    ['POST to the InvokeFunction API path of the trigger', () => httpEvent({ path: apiPath, body })],
    ['POST to the FC 2.0 API path', () => httpEvent({ path: '/2016-08-15/services/s/functions/x/invocations', body })],
    ['POST / with X-Acs-Action: InvokeFunction', () => httpEvent({ body, headers: { 'content-type': 'application/json', 'x-acs-action': 'InvokeFunction' } })],
    ['the API path and the header together, with an ACS3-looking Authorization', () => httpEvent({ path: apiPath, body, headers: { 'content-type': 'application/json', 'x-acs-action': 'InvokeFunction', authorization: 'ACS3-HMAC-SHA256 Credential=x' } })],
    ['an API-shaped wrap naming another account', () => wrappedInvoke(body, { accountId: '999999' })],
    ['an API-shaped wrap whose domain is another account\'s', () => wrappedInvoke(body, { domainName: `999999.${CONTEXT.region}.fc.aliyuncs.com` })],
    ['an API-shaped wrap from another region', () => wrappedInvoke(body, { domainName: `${CONTEXT.accountId}.cn-beijing.fc.aliyuncs.com` })],
    ['a wrap whose domain only ends like the API\'s', () => wrappedInvoke(body, { domainName: `${CONTEXT.accountId}.${CONTEXT.region}.fc.aliyuncs.com.evil.example` })],
    ['a wrap at a path other than the invocation path', () => wrappedInvoke(body, { rawPath: '/' })],
  ];

  it.each(attempts)('%s: 401, no URL (presign-put and presign-get)', async (_name, event) => {
    for (const handler of [put, get]) {
      const raw = (await handler(asEvent(event()), CONTEXT)) as { statusCode: number; body: string };
      expect(raw.statusCode).toBe(401);
      expect(JSON.parse(raw.body)).toMatchObject({ error: { code: 'Unauthorized' } });
      expect(signaturesIn(raw.body)).toEqual([]);
    }
  });

  it('a genuine wrapped InvokeFunction call is FC-authenticated: answered without a token, as the payload sent directly', async () => {
    const direct = await send(put, 'direct', body);
    const wrapped = await send(put, 'wrapped', body);
    expect(wrapped.status).toBe(200);
    expect(wrapped.body).toMatchObject({ method: 'PUT', key: 'uploads/a.txt' });
    expect(Object.keys(wrapped.body).sort()).toEqual(Object.keys(direct.body).sort());
  });

  it.each(ALL_ROUTES.filter((r) => r !== 'direct' && r !== 'wrapped'))('%s without the token: 401', async (route: Route) => {
    expectRefused(await send(put, route, body), 'Unauthorized');
  });
});

afterAll(() => {
  // Nothing any attempt above sent may have reached Object.prototype.
  expect(Object.getOwnPropertyNames(Object.prototype).sort().join(',')).toBe(prototypeBefore);
  expect(({} as Record<string, unknown>).acl).toBeUndefined();
});
