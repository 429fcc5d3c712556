import { answerBytes, InvocationBudget } from '../../shared/core/budget';
import { refusal } from '../support/refusal';
import { fieldsFromQuery, MAX_QUERY_FIELDS, mergeFields } from '../../shared/http/query-fields';
import { fromApiGatewayEvent, isApiGatewayEvent, toApiGatewayResponse } from '../../shared/adapters/api-gateway';
import { fromFcHttpEvent, isFcHttpEvent, isInvokeFunctionWrap, toFcHttpResponse, wrappedPayload } from '../../shared/adapters/fc-http';
import { decodeBody, isObject, lowercaseHeaders, stringRecord } from '../../shared/adapters/types';
import { getOperation } from '../../shared/operations/get';
import { putOperation } from '../../shared/operations/put';
import { adoptTree, checkRequestTree, EVENT_LIMITS, isReservedName, nullObject, parseJsonTree, REQUEST_MAX_DEPTH, RESERVED_NAMES } from '../../shared/request/tree';

/**
 * Bounds and shapes at the edge, each from both sides: the invocation budget at its limit and one past it, request
 * trees at their size, depth and count limits, reserved names wherever they stand, query nesting, and the adapters'
 * reading of FC and API Gateway events (which wrap is FC's, which is a caller's costume). Written against the
 * mutation report (docs/mutation.md).
 */

describe('the invocation budget', () => {
  it('takes exactly maxUrls signatures, then refuses naming PRESIGN_MAX_URLS', () => {
    const budget = new InvocationBudget(3, 1000);
    expect(budget.remainingUrls).toBe(3);
    budget.take();
    budget.take();
    expect(budget.remainingUrls).toBe(1);
    budget.take();
    expect(budget.remainingUrls).toBe(0);
    expect(refusal(() => budget.take())).toMatchObject({ code: 'UrlBudgetExceeded', status: 400, message: 'one invocation signs at most 3 URLs (PRESIGN_MAX_URLS): ask for fewer URLs in one request' });
    expect(refusal(() => budget.take()).field).toBeUndefined();
  });

  it('reserve: up to what is left passes, one more is refused before any work, naming the field and how to page', () => {
    const budget = new InvocationBudget(5, 1000);
    budget.take();
    expect(() => budget.reserve(4, 'multipart.parts', 'page')).not.toThrow();
    expect(budget.remainingUrls).toBe(4);
    expect(refusal(() => budget.reserve(5, 'multipart.parts', 'ask for at most 4 parts'))).toMatchObject({
      code: 'UrlBudgetExceeded', status: 400, field: 'multipart.parts', message: 'one invocation signs at most 5 URLs (PRESIGN_MAX_URLS): ask for at most 4 parts',
    });
  });

  it('answer bytes: up to the limit passes, past it is refused naming PRESIGN_MAX_ANSWER_BYTES', () => {
    const budget = new InvocationBudget(10, 100);
    budget.addAnswerBytes(60);
    budget.addAnswerBytes(40);
    expect(refusal(() => budget.addAnswerBytes(1))).toMatchObject({
      code: 'AnswerBudgetExceeded', status: 400,
      message: 'the answer would be over 100 bytes (PRESIGN_MAX_ANSWER_BYTES): send fewer requests in one batch, or fewer or smaller headers per URL',
    });
  });

  it('what an item adds: names, values and 8 bytes of punctuation each, plus the extra', () => {
    expect(answerBytes({})).toBe(0);
    expect(answerBytes({}, 7)).toBe(7);
    expect(answerBytes({ ab: 'cde' })).toBe(13);
    expect(answerBytes({ ab: 'cde', f: '' }, 100)).toBe(122);
  });

  it('counts what JSON writes, in bytes: escaped quotes and backslashes, control characters, non-ASCII letters', () => {
    expect(answerBytes({ 'x-oss-meta-a': 'say "hi"' })).toBe(14 + 12 + 4);
    expect(answerBytes({ a: '\\' })).toBe(3 + 4 + 4);
    expect(answerBytes({ a: '\u0001' })).toBe(3 + 8 + 4);
    expect(answerBytes({ a: 'é漢😀' })).toBe(3 + (2 + 3 + 4 + 2) + 4);
  });
});

describe('request trees', () => {
  it('reserved names are exactly __proto__, constructor and prototype', () => {
    expect([...RESERVED_NAMES].sort()).toEqual(['__proto__', 'constructor', 'prototype']);
    for (const name of ['__proto__', 'constructor', 'prototype']) expect(isReservedName(name)).toBe(true);
    for (const name of ['proto', '__proto', 'Constructor', 'prototypes', 'toString', '']) expect(isReservedName(name)).toBe(false);
    expect(Object.getPrototypeOf(nullObject())).toBeNull();
  });

  it('checkRequestTree refuses a reserved name at any depth, naming where it stands', () => {
    const cases: [string, string][] = [
      ['{"__proto__":{"acl":"x"}}', '__proto__'],
      ['{"metadata":{"constructor":"x"}}', 'metadata.constructor'],
      ['{"requests":[{"key":"a"},{"response":{"prototype":1}}]}', 'requests.1.response.prototype'],
      ['[{"a":[{"b":{"__proto__":null}}]}]', '0.a.0.b.__proto__'],
    ];
    for (const [text, field] of cases) {
      const error = refusal(() => checkRequestTree(JSON.parse(text)));
      expect([text, error.code, error.field, error.message]).toEqual([text, 'InvalidArgument', field, `${field}: __proto__, constructor and prototype are reserved names, refused anywhere in a request`]);
    }
    expect(refusal(() => checkRequestTree(JSON.parse('{"b":{"__proto__":1}}'), 'requests.3')).field).toBe('requests.3.b.__proto__');
    expect(() => checkRequestTree(JSON.parse('{"proto":{"constructors":["prototype","__proto__"]}}'))).not.toThrow();
  });

  it('checkRequestTree: depth up to REQUEST_MAX_DEPTH passes, one more is refused; lone surrogates are refused in values and names', () => {
    expect(REQUEST_MAX_DEPTH).toBe(8);
    const nest = (levels: number): unknown => (levels === 0 ? 'leaf' : { n: nest(levels - 1) });
    expect(() => checkRequestTree(nest(8))).not.toThrow();
    expect(refusal(() => checkRequestTree(nest(9)))).toMatchObject({ code: 'InvalidArgument', field: 'n.n.n.n.n.n.n.n', message: 'n.n.n.n.n.n.n.n is nested deeper than 8 levels' });
    expect(refusal(() => checkRequestTree([[[[[[[[[1]]]]]]]]]))).toMatchObject({ field: '0.0.0.0.0.0.0.0' });
    expect(refusal(() => checkRequestTree({ key: 'a\ud800' }))).toMatchObject({ field: 'key', message: 'key must be valid Unicode (it holds an unpaired surrogate)' });
    // A list's items are named by their index, as deep as they stand.
    expect(refusal(() => checkRequestTree({ parts: ['ok', { name: 'a\ud800' }] }))).toMatchObject({ field: 'parts.1.name', message: 'parts.1.name must be valid Unicode (it holds an unpaired surrogate)' });
    expect(refusal(() => checkRequestTree('\udfff'))).toMatchObject({ field: 'body', message: 'the request must be valid Unicode (it holds an unpaired surrogate)' });
    expect(refusal(() => checkRequestTree({ m: { ['\ud800x']: 'v' } }))).toMatchObject({ field: 'm', message: 'm has a field name that is not valid Unicode' });
    expect(refusal(() => checkRequestTree({ ['\ud800']: 'v' }))).toMatchObject({ field: 'body', message: 'the request has a field name that is not valid Unicode' });
    expect(() => checkRequestTree({ key: '😀', n: 1, b: true, z: null })).not.toThrow();
    // Empty names add nothing to the path, so a too-deep request of them is named as the request itself.
    const emptyNames = (depth: number): unknown => (depth === 0 ? 1 : { '': emptyNames(depth - 1) });
    expect(() => checkRequestTree(emptyNames(8))).not.toThrow();
    expect(refusal(() => checkRequestTree(emptyNames(9)))).toMatchObject({ code: 'InvalidArgument', field: 'body', message: 'the request is nested deeper than 8 levels' });
  });

  it('parseJsonTree: bytes, not characters, are bounded; text that is not JSON is not ok', () => {
    const limits = { maxBytes: 10, maxDepth: 4, maxNodes: 10 };
    expect(parseJsonTree('"中中"', 'data', limits)).toMatchObject({ ok: true, tree: '中中' });
    expect(refusal(() => parseJsonTree('"中中中"', 'data', limits))).toMatchObject({ code: 'PayloadTooLarge', status: 413, field: 'data', message: 'data must be at most 10 bytes' });
    expect(parseJsonTree('{"a":', 'data', limits)).toEqual({ ok: false });
    const tree = parseJsonTree('{"__proto__":{"a":1}}', 'data');
    expect(tree.ok).toBe(true);
    const parsed = (tree as { tree: Record<string, unknown> }).tree;
    expect(Object.getPrototypeOf(parsed)).toBeNull();
    expect(Object.keys(parsed)).toEqual(['__proto__']);
    expect(EVENT_LIMITS).toEqual({ maxBytes: 1024 * 1024, maxDepth: 16, maxNodes: 20_000 });
  });

  it('adoptTree: null prototypes all the way down, own names only, and the count and depth limits at their edge', () => {
    const inherited = Object.create({ injected: 1 }) as Record<string, unknown>;
    inherited.own = { deep: [1, { x: 'y' }] };
    const adopted = adoptTree(inherited, 'event') as Record<string, Record<string, unknown[]>>;
    expect(Object.keys(adopted)).toEqual(['own']);
    expect(Object.getPrototypeOf(adopted)).toBeNull();
    expect(Object.getPrototypeOf(adopted.own)).toBeNull();
    expect(Object.getPrototypeOf(adopted.own!.deep![1])).toBeNull();
    const limits = { maxBytes: 1000, maxDepth: 2, maxNodes: 4 };
    expect(() => adoptTree({ a: { b: 1 } }, 'event', limits)).not.toThrow();
    expect(refusal(() => adoptTree({ a: { b: { c: 1 } } }, 'event', limits))).toMatchObject({ code: 'InvalidArgument', field: 'event', message: 'event is nested deeper than 2 levels' });
    expect(() => adoptTree([1, 2, 3], 'event', limits)).not.toThrow();
    expect(refusal(() => adoptTree([1, 2, 3, 4], 'event', limits))).toMatchObject({ code: 'PayloadTooLarge', status: 413, message: 'event holds more than 4 values' });
    expect(refusal(() => adoptTree({ n: Infinity }, 'event'))).toMatchObject({ code: 'InvalidArgument', message: 'event holds a number JSON cannot carry' });
    expect(refusal(() => adoptTree({ f: () => 1 }, 'event'))).toMatchObject({ code: 'InvalidArgument', message: 'event must be JSON data' });
    expect(refusal(() => adoptTree(Buffer.from('x'), 'event'))).toMatchObject({ message: 'event must be JSON data' });
    expect(adoptTree(null, 'e')).toBeNull();
    expect(adoptTree(false, 'e')).toBe(false);
    expect(adoptTree(-0.5, 'e')).toBe(-0.5);
  });
});

describe('query fields', () => {
  it('typed fields become numbers and booleans; others stay text; one level of nesting', () => {
    const put = fieldsFromQuery({ key: 'uploads/a', expires: '600', contentLength: '0', forbidOverwrite: 'true', 'response.filename': 'a.txt', 'response.disposition': 'inline' }, putOperation);
    expect(Object.getPrototypeOf(put)).toBeNull();
    expect({ ...put, response: { ...(put.response as object) } }).toEqual({ key: 'uploads/a', expires: 600, contentLength: 0, forbidOverwrite: true, response: { filename: 'a.txt', disposition: 'inline' } });
    expect(Object.getPrototypeOf(put.response)).toBeNull();
    expect(fieldsFromQuery({ forbidOverwrite: 'false' }, putOperation).forbidOverwrite).toBe(false);
    expect(fieldsFromQuery({ trafficLimit: '819200', forbidOverwrite: 'maybe' }, getOperation)).toMatchObject({ trafficLimit: 819200, forbidOverwrite: 'maybe' });
    expect(fieldsFromQuery({ '.x': 'a', 'a.b.c': 'd' }, getOperation)).toMatchObject({ '.x': 'a', a: { 'b.c': 'd' } });
  });

  it('refusals name the parameter: not a whole number, not true/false, given twice, reserved, too many', () => {
    expect(refusal(() => fieldsFromQuery({ expires: '1e3' }, putOperation))).toMatchObject({ code: 'InvalidArgument', field: 'expires', message: 'expires must be a whole number' });
    expect(refusal(() => fieldsFromQuery({ expires: '-1' }, putOperation))).toMatchObject({ field: 'expires' });
    expect(refusal(() => fieldsFromQuery({ expires: '1234567890123456' }, putOperation))).toMatchObject({ field: 'expires' });
    expect(fieldsFromQuery({ expires: '123456789012345' }, putOperation).expires).toBe(123456789012345);
    expect(refusal(() => fieldsFromQuery({ forbidOverwrite: 'TRUE' }, putOperation))).toMatchObject({ field: 'forbidOverwrite', message: 'forbidOverwrite must be true or false' });
    expect(refusal(() => fieldsFromQuery({ response: 'x', 'response.filename': 'a' }, getOperation))).toMatchObject({ field: 'response.filename', message: 'response is given twice' });
    for (const name of ['__proto__', '__proto__.acl', 'response.__proto__', 'constructor.x', 'a.prototype']) {
      expect(refusal(() => fieldsFromQuery({ [name]: 'v' }, getOperation))).toMatchObject({ field: name, message: `${name}: __proto__, constructor and prototype are reserved names, refused anywhere in a request` });
    }
    const many = Object.fromEntries(Array.from({ length: MAX_QUERY_FIELDS }, (_, i) => [`f${i}`, 'v']));
    expect(() => fieldsFromQuery(many, getOperation)).not.toThrow();
    expect(refusal(() => fieldsFromQuery({ ...many, one: 'more' }, getOperation))).toMatchObject({ field: 'query', message: 'at most 64 query parameters' });
  });

  it('mergeFields keeps every source and refuses a name given in two', () => {
    expect({ ...mergeFields([{ a: 1 }, { b: 2 }, {}]) }).toEqual({ a: 1, b: 2 });
    expect(refusal(() => mergeFields([{ a: 1 }, { a: 1 }]))).toMatchObject({ field: 'a', message: 'a is given more than once (body, query string or path)' });
  });
});

describe('adapters', () => {
  const context = { accountId: '1234567890', region: 'cn-hangzhou' };
  const wrap = (overrides: Record<string, unknown> = {}, http: Record<string, unknown> = {}) => ({
    version: 'v1', rawPath: '/2023-03-30/functions/f/invocations', body: '{"key":"a"}', isBase64Encoded: false,
    requestContext: { accountId: '1234567890', domainName: '1234567890.cn-hangzhou.fc.aliyuncs.com', domainPrefix: '1234567890', http: { method: 'POST', path: '/x', ...http } },
    ...overrides,
  });

  it('a wrap is FC\'s only when domain, account, region, prefix, path and method all agree', () => {
    expect(isInvokeFunctionWrap(wrap(), context)).toBe(true);
    expect(isInvokeFunctionWrap(wrap({ rawPath: '/2023-03-30/functions/f/invocations/' }), context)).toBe(true);
    expect(isInvokeFunctionWrap({ ...wrap(), requestContext: { ...wrap().requestContext, domainName: '1234567890.CN-HANGZHOU-internal.fc.aliyuncs.com' } }, context)).toBe(true);
    const rc = wrap().requestContext;
    const not: [string, unknown][] = [
      ['another account\'s domain', { ...wrap(), requestContext: { ...rc, domainName: '999.cn-hangzhou.fc.aliyuncs.com' } }],
      ['another region', { ...wrap(), requestContext: { ...rc, domainName: '1234567890.cn-beijing.fc.aliyuncs.com' } }],
      ['a -vpc host', { ...wrap(), requestContext: { ...rc, domainName: '1234567890.cn-hangzhou-vpc.fc.aliyuncs.com' } }],
      ['a look-alike suffix', { ...wrap(), requestContext: { ...rc, domainName: '1234567890.cn-hangzhou.fc.aliyuncs.com.evil.net' } }],
      ['a look-alike prefix', { ...wrap(), requestContext: { ...rc, domainName: 'x.1234567890.cn-hangzhou.fc.aliyuncs.com' } }],
      ['a trigger domain', { ...wrap(), requestContext: { ...rc, domainName: 'abc.cn-hangzhou.fcapp.run' } }],
      ['another accountId', { ...wrap(), requestContext: { ...rc, accountId: '999' } }],
      ['another domainPrefix', { ...wrap(), requestContext: { ...rc, domainPrefix: 'abc' } }],
      ['the trigger path', wrap({ rawPath: '/' })],
      ['the FC 2.0 path', wrap({ rawPath: '/2016-08-15/services/s/functions/f/invocations' })],
      ['a path under the invocation path', wrap({ rawPath: '/2023-03-30/functions/f/invocations/x' })],
      ['a path with the function name missing', wrap({ rawPath: '/2023-03-30/functions//invocations' })],
      ['a path with a prefix', wrap({ rawPath: '/x/2023-03-30/functions/f/invocations' })],
      ['a GET', wrap({}, { method: 'GET' })],
      ['no http member', { ...wrap(), requestContext: { ...rc, http: undefined } }],
      ['no domain', { ...wrap(), requestContext: { ...rc, domainName: 1 } }],
      ['no rawPath', wrap({ rawPath: undefined })],
      ['no requestContext', wrap({ requestContext: 'x' })],
    ];
    for (const [name, event] of not) expect([name, isInvokeFunctionWrap(event as never, context)]).toEqual([name, false]);
    for (const ctx of [{}, { accountId: '', region: 'cn-hangzhou' }, { accountId: '1234567890', region: '' }, { accountId: 1, region: 'cn-hangzhou' }, { accountId: '1234567890', region: 2 }]) {
      expect(isInvokeFunctionWrap(wrap(), ctx as never)).toBe(false);
    }
    expect(wrappedPayload(wrap({ body: Buffer.from('{"a":1}').toString('base64'), isBase64Encoded: true })).toString()).toBe('{"a":1}');
  });

  it('FC HTTP events: recognised by version v1, a requestContext and a rawPath; read into a request', () => {
    expect(isFcHttpEvent(wrap())).toBe(true);
    for (const event of [{ ...wrap(), version: 'v2' }, { ...wrap(), requestContext: null }, { ...wrap(), rawPath: 1 }, null, [wrap()]]) expect(isFcHttpEvent(event)).toBe(false);
    const request = fromFcHttpEvent({ ...wrap({}, { method: 'get', path: '/p' }), headers: { 'X-A': 'b', Multi: ['1', '2'], Num: 3 }, queryParameters: { q: 'v', list: ['a', 'b'], bad: [1], n: 2 } });
    expect(request).toMatchObject({ method: 'GET', path: '/p', pathParameters: {} });
    expect({ ...request.headers }).toEqual({ 'x-a': 'b', multi: '1,2' });
    expect({ ...request.query }).toEqual({ q: 'v', list: 'a,b' });
    expect(Object.getPrototypeOf(request.headers)).toBeNull();
    expect(Object.getPrototypeOf(request.query)).toBeNull();
    const defaults = fromFcHttpEvent({ ...wrap(), requestContext: { http: 'x' } });
    expect([defaults.method, defaults.path]).toEqual(['POST', '/2023-03-30/functions/f/invocations']);
    expect(toFcHttpResponse({ statusCode: 201, headers: { a: 'b' }, body: 'x' })).toEqual({ statusCode: 201, headers: { a: 'b' }, body: 'x', isBase64Encoded: false });
  });

  it('API Gateway events: httpMethod and path mark them; read into a request; answered with all four fields', () => {
    const event = { httpMethod: 'post', path: '/presign', headers: { 'Content-Type': 'application/json' }, queryParameters: { a: 'b' }, pathParameters: { key: 'k' }, body: Buffer.from('{}').toString('base64'), isBase64Encoded: true };
    expect(isApiGatewayEvent(event)).toBe(true);
    expect(isApiGatewayEvent({ ...event, httpMethod: 1 })).toBe(false);
    expect(isApiGatewayEvent({ ...event, path: undefined })).toBe(false);
    const request = fromApiGatewayEvent(event);
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/presign');
    expect({ ...request.headers }).toEqual({ 'content-type': 'application/json' });
    expect({ ...request.pathParameters }).toEqual({ key: 'k' });
    expect(request.body.toString()).toBe('{}');
    expect(toApiGatewayResponse({ statusCode: 200, headers: {}, body: 'b' })).toEqual({ isBase64Encoded: false, statusCode: 200, headers: {}, body: 'b' });
  });

  it('bodies: base64 only when flagged exactly true; anything but text is empty', () => {
    expect(decodeBody('aGk=', true).toString()).toBe('hi');
    expect(decodeBody('aGk=', 'true').toString()).toBe('aGk=');
    expect(decodeBody('aGk=', false).toString()).toBe('aGk=');
    expect(decodeBody(5, true).length).toBe(0);
    expect(isObject({})).toBe(true);
    for (const v of [null, [], 'x', 1]) expect(isObject(v)).toBe(false);
    expect({ ...lowercaseHeaders('x') }).toEqual({});
    expect({ ...stringRecord(['a']) }).toEqual({});
    expect({ ...stringRecord({ a: ['x', 1] }) }).toEqual({});
  });
});
