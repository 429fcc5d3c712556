import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/**
 * Reads the project's s.yaml the way Serverless Devs does for what this project uses: YAML (aliases included) and
 * `${vars.name}` references. A value that is exactly one reference takes the var's value as it is (so a number stays
 * a number and the fc3 schema sees it); a reference inside a longer string is spliced in as text. Other Serverless
 * Devs expressions (`${env(...)}`, `${resources...}`) are refused here rather than passed through half-resolved.
 */
export const S_YAML = path.resolve(__dirname, '../../s.yaml');

export interface SResource {
  component: string;
  props: Record<string, unknown> & { functionName: string; code: string; handler: string; region: string; environmentVariables?: Record<string, unknown> };
}
export interface SYaml {
  edition: string;
  name: string;
  vars: Record<string, unknown>;
  resources: Record<string, SResource>;
}

const WHOLE = /^\$\{vars\.([A-Za-z_][\w]*)\}$/;
const PART = /\$\{([^}]*)\}/g;

function resolveValue(value: unknown, vars: Record<string, unknown>, where: string, depth = 0): unknown {
  if (depth > 10) throw new Error(`${where}: vars refer to each other in a loop`);
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole) {
      const name = whole[1] as string;
      if (!(name in vars)) throw new Error(`${where}: \${vars.${name}} is not defined in vars`);
      return resolveValue(vars[name], vars, `vars.${name}`, depth + 1);
    }
    return value.replace(PART, (_m, expr: string) => {
      const m = /^vars\.([A-Za-z_]\w*)$/.exec(expr);
      if (!m) throw new Error(`${where}: unsupported expression \${${expr}}`);
      const name = m[1] as string;
      if (!(name in vars)) throw new Error(`${where}: \${vars.${name}} is not defined in vars`);
      return String(resolveValue(vars[name], vars, `vars.${name}`, depth + 1));
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => resolveValue(v, vars, `${where}[${i}]`, depth));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveValue(v, vars, `${where}.${k}`, depth)]));
  }
  return value;
}

/** The parsed file, before any `${vars.*}` is replaced. */
export function readRawSYaml(file = S_YAML): SYaml {
  return parse(readFileSync(file, 'utf8')) as SYaml;
}

/** s.yaml with every `${vars.*}` replaced; `overrides` replace vars first (as an environment overlay would). */
export function loadSYaml(file = S_YAML, overrides: Record<string, unknown> = {}): SYaml {
  const raw = readRawSYaml(file);
  const vars = { ...raw.vars, ...overrides };
  return { ...raw, vars, resources: resolveValue(raw.resources, vars, 'resources') as Record<string, SResource> };
}

/** The resource whose code folder is dist/<functionDir> (presign-put → presign_put). */
export function resourceFor(s: SYaml, functionDir: string): [string, SResource] {
  const found = Object.entries(s.resources).find(([, r]) => path.basename(String(r.props.code)) === functionDir);
  if (!found) throw new Error(`s.yaml has no resource whose code is ./dist/${functionDir}`);
  return found;
}

/** The function's environment as FC would set it (strings only; FC environment values are strings). */
export function environmentOf(resource: SResource): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(resource.props.environmentVariables ?? {})) env[k] = String(v);
  return env;
}

/**
 * The commented examples in s.yaml (`# ---- example: <name>` … `# ---- end example`): the YAML they hold, uncommented,
 * so that tests can check that an example still validates once a user uncomments it. The YAML part starts at the
 * first line that begins a list item or `asyncInvokeConfig:`; the prose above it is not YAML.
 */
export function commentedExamples(file = S_YAML): Map<string, string> {
  const found = new Map<string, string>();
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = /^\s*# ---- example: ([\w-]+)/.exec(lines[i] as string);
    if (!start) continue;
    const body: string[] = [];
    let yaml = false;
    for (i += 1; i < lines.length && !/^\s*# ---- end example/.test(lines[i] as string); i++) {
      const text = (lines[i] as string).replace(/^\s*# ?/, '');
      if (!yaml && /^(- |asyncInvokeConfig:)/.test(text)) yaml = true;
      if (yaml) body.push(text);
    }
    found.set(start[1] as string, body.join('\n'));
  }
  return found;
}

/** Resolves `${vars.*}` (and, for examples, `${config('AccountID')}` as the given account) in a YAML snippet. */
export function resolveSnippet(snippet: string, vars: Record<string, unknown>, accountId: string): unknown {
  return resolveValue(parse(snippet.replace(/\$\{config\('AccountID'\)\}/g, accountId)) as unknown, vars, 'example');
}
