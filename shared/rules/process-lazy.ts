/**
 * shared/rules/process.ts, loaded on first use: only a deployment that names ALLOWED_PROCESS compiles patterns, and
 * only a request that carries `process` matches them. In the bundles it is a chunk of its own (scripts/build.ts).
 */
type ProcessRules = typeof import('./process');

export function processRules(): ProcessRules {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./process') as ProcessRules;
}
