import { callHttp, harness, httpEvent } from '../support/fc';
import '../support/frozen-prototypes';

/**
 * What one signing session decides for a whole answer: a rule's maxExpires only ever lowers the deployment's ceiling
 * (and its default with it), and the answer budget counts each signed URL generously enough that the signed results
 * never outgrow PRESIGN_MAX_ANSWER_BYTES. Written against the mutation report (docs/mutation.md).
 */
const json = { 'content-type': 'application/json' };
const rules = (maxExpires: number) => JSON.stringify({ rules: [{ name: 'uploads', keys: ['uploads/'], actions: ['put'], maxExpires }] });
// The harness's FC credentials are of unknown lifetime (capped at 3600 s), so every figure here stays under that.
const deployment = { PRESIGN_MAX_EXPIRES: '1800', PRESIGN_DEFAULT_EXPIRES: '1200' };

async function put(env: Record<string, string>, body: Record<string, unknown>) {
  const answer = await callHttp(harness({ ...deployment, ...env }).put, httpEvent({ body: { key: 'uploads/a.txt', ...body }, headers: json }));
  expect(answer.statusCode).toBe(200);
  return { expiresIn: answer.json.expiresIn, cap: answer.json.cap as Record<string, unknown> };
}

describe('a rule\'s maxExpires', () => {
  it('under the deployment\'s maximum: it is the ceiling, and the default comes down to it (asked for nothing, capped by nothing)', async () => {
    expect(await put({ PRESIGN_RULES: rules(600) }, {})).toEqual({ expiresIn: 600, cap: expect.objectContaining({ requested: 600, applied: 600, by: null }) });
    expect(await put({ PRESIGN_RULES: rules(600) }, { expires: 900 })).toEqual({ expiresIn: 600, cap: expect.objectContaining({ requested: 900, applied: 600, by: 'max' }) });
    expect(await put({ PRESIGN_RULES: rules(1500) }, {})).toEqual({ expiresIn: 1200, cap: expect.objectContaining({ requested: 1200, by: null }) });
  });

  it('at or over the deployment\'s maximum: the deployment\'s maximum and default hold', async () => {
    for (const maxExpires of [1800, 3000]) {
      expect(await put({ PRESIGN_RULES: rules(maxExpires) }, { expires: 2400 })).toEqual({ expiresIn: 1800, cap: expect.objectContaining({ requested: 2400, applied: 1800, by: 'max' }) });
      expect(await put({ PRESIGN_RULES: rules(maxExpires) }, {})).toEqual({ expiresIn: 1200, cap: expect.objectContaining({ requested: 1200, by: null }) });
    }
  });
});

describe('the answer budget', () => {
  it('the URLs it lets through fit in PRESIGN_MAX_ANSWER_BYTES; the rest are refused item by item', async () => {
    const limit = 64 * 1024;
    const { put: handler } = harness({ PRESIGN_MAX_ANSWER_BYTES: String(limit) });
    // Long keys make long URLs, and the answer repeats each key as JSON writes it (a quote takes two bytes there).
    const requests = Array.from({ length: 100 }, (_, i) => ({ key: `uploads/${String(i).padStart(3, '0')}-${(i % 2 === 0 ? 'k' : '"').repeat(300)}` }));
    const answer = await callHttp(handler, httpEvent({ body: { requests }, headers: json }));
    const results = answer.json.results as Record<string, unknown>[];
    const signed = results.filter((r) => typeof r.url === 'string');
    const refused = results.filter((r) => r.error !== undefined);
    expect(signed.length).toBeGreaterThan(10);
    expect(refused.length).toBeGreaterThan(10);
    expect(refused[0]).toMatchObject({ error: { code: 'AnswerBudgetExceeded' } });
    expect(Buffer.byteLength(JSON.stringify(signed))).toBeLessThanOrEqual(limit);
  });
});

describe('the answer budget for PostObject forms', () => {
  it('counts a form\'s policy as often as the answer carries it: the forms it lets through fit in PRESIGN_MAX_ANSWER_BYTES', async () => {
    const limit = 64 * 1024;
    const { put: handler } = harness({ PRESIGN_MAX_ANSWER_BYTES: String(limit), CALLBACK_URL_ALLOWLIST: 'https://cb.example.com' });
    // A long key and a callback near OSS's 5 KB make a long policy; the answer holds it as the `policy` field and
    // decoded as policyDocument, besides the bound fields themselves.
    const form = (i: number) => ({ form: { key: `uploads/${i}-${'k'.repeat(900)}`, callback: { url: 'https://cb.example.com/x', body: 'b'.repeat(3000) } } });
    const answer = await callHttp(handler, httpEvent({ body: { requests: Array.from({ length: 10 }, (_, i) => form(i)) }, headers: json }));
    const results = answer.json.results as Record<string, unknown>[];
    const signed = results.filter((r) => r.policyDocument !== undefined);
    const refused = results.filter((r) => r.error !== undefined);
    expect(signed.length).toBeGreaterThan(0);
    expect(refused[0]).toMatchObject({ error: { code: 'AnswerBudgetExceeded' } });
    expect(signed.length + refused.length).toBe(10);
    expect(Buffer.byteLength(JSON.stringify(signed))).toBeLessThanOrEqual(limit);
  });
});
