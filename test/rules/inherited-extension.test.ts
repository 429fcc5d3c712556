import { asEvent, fcContext, harness } from '../support/fc';
import '../support/frozen-prototypes';

/**
 * A key's extension is the caller's text: a PUT without a content type whose key ends in `.constructor` or
 * `.__proto__` looked the extension up among Object's inherited names, found a function, and answered 500
 * InternalError. Such a key is an ordinary key with no active type.
 */
describe('a key whose extension is a name Object inherits', () => {
  const { put } = harness();

  it.each(['uploads/a.constructor', 'uploads/a.__proto__', 'uploads/a.hasOwnProperty', 'uploads/a.valueOf', 'uploads/a.toString'])('%s is signed like any key without an active type', async (key) => {
    const answer = (await put(asEvent({ key }), fcContext())) as { method?: string; key?: string; error?: unknown };
    expect(answer.error).toBeUndefined();
    expect(answer).toMatchObject({ method: 'PUT', key });
  });
});
