import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isInvokeFunctionWrap } from '../../shared/adapters/fc-http';
import type { JsonObject } from '../../shared/adapters/types';
import { FIXTURE_EVENTS } from '../support/fc';

/**
 * The evidence that an HTTP-shaped event is an InvokeFunction call FC authenticated (shared/adapters/fc-http.ts). The
 * captured wraps (devsapp/fc3's e2e event and template) are the oracle for the shape; each case changes one thing.
 */
const wrap = (): JsonObject => JSON.parse(readFileSync(path.join(FIXTURE_EVENTS, 'fc3-template-http.json'), 'utf8')) as JsonObject;
const ACCOUNT = '143**********149';
const REGION = 'cn-huhehaote';

/** The captured wrap, its account spelled `account` everywhere FC puts it (the host in `host` case). */
function wrapFor(account: string, host = `${account}.${REGION}.fc.aliyuncs.com`): JsonObject {
  const event = wrap();
  Object.assign(event.requestContext as JsonObject, { accountId: account, domainPrefix: account, domainName: host });
  return event;
}

describe('InvokeFunction wraps: what FC context must say', () => {
  it('the captured wrap, in the account and region of its own function, is a wrap', () => {
    expect(isInvokeFunctionWrap(wrap(), { accountId: ACCOUNT, region: REGION })).toBe(true);
  });

  it.each([
    ['no account', { region: REGION }],
    ['an account that is not a string', { accountId: 143, region: REGION }],
    ['an empty account', { accountId: '', region: REGION }],
    ['no region', { accountId: ACCOUNT }],
    ['an empty region', { accountId: ACCOUNT, region: '' }],
    ['a region that is not a string', { accountId: ACCOUNT, region: ['cn-huhehaote'] }],
  ])('a context with %s proves nothing: not a wrap (and no crash)', (_, context) => {
    expect(isInvokeFunctionWrap(wrap(), context as never)).toBe(false);
  });

  it('an empty account in the context does not match an event whose account fields are empty too', () => {
    const event = wrapFor('', `.${REGION}.fc.aliyuncs.com`);
    expect(isInvokeFunctionWrap(event, { accountId: '', region: REGION })).toBe(false);
  });

  // Host names are case-insensitive (RFC 4343): the account label of the API host matches the account in any case,
  // while the request context's own account fields, which FC copies from the account, must match it exactly.
  it('the account in the API host matches whatever the case of host or account', () => {
    const context = { accountId: 'Acct01', region: REGION };
    expect(isInvokeFunctionWrap(wrapFor('Acct01'), context)).toBe(true);
    expect(isInvokeFunctionWrap(wrapFor('Acct01', `ACCT01.${REGION.toUpperCase()}.FC.ALIYUNCS.COM`), context)).toBe(true);
    expect(isInvokeFunctionWrap(wrapFor('acct01', `acct01.${REGION}.fc.aliyuncs.com`), context)).toBe(false);
  });
});
