/**
 * Image processing patterns (shared/rules/process.ts) are a lazy chunk of their own (scripts/build.ts LAZY_CHUNKS):
 * a deployment that names no ALLOWED_PROCESS must not load it at cold start. Here the module is replaced by one that
 * fails when loaded, so any require of it while compiling the environment's rule fails the test.
 */
type EnvRule = typeof import('../../shared/rules/env-rule');

function withProcessChunkUnloadable<T>(run: (envRule: EnvRule) => T): T {
  let result: T | undefined;
  jest.isolateModules(() => {
    jest.doMock('../../shared/rules/process', () => {
      throw new Error('the processing chunk was loaded');
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    result = run(require('../../shared/rules/env-rule') as EnvRule);
  });
  jest.dontMock('../../shared/rules/process');
  return result as T;
}

describe('the environment rule loads the processing chunk only when ALLOWED_PROCESS names something', () => {
  it('without ALLOWED_PROCESS (or with it blank) the rule compiles with no processing and without the chunk', () => {
    expect(withProcessChunkUnloadable((m) => m.ruleFromEnv({}).process)).toEqual([]);
    expect(withProcessChunkUnloadable((m) => m.ruleFromEnv({ ALLOWED_PROCESS: '' }).process)).toEqual([]);
  });

  it('with ALLOWED_PROCESS it is loaded (so the replacement above really stands in for it)', () => {
    expect(() => withProcessChunkUnloadable((m) => m.ruleFromEnv({ ALLOWED_PROCESS: 'image/resize' }))).toThrow('the processing chunk was loaded');
  });
});
