import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build, type Metafile, type Plugin } from 'esbuild';
import { parseCli } from './cli/args';

/**
 * `npm run build`: one self-contained CommonJS bundle per function, which is what s.yaml deploys, plus chunk files
 * beside it that hold code most invocations never run, each read only when first needed.
 *
 *   dist/presign-put/index.js (+ .map)        the handler: our code only, no node_modules needed at run time
 *   dist/presign-put/signer-role.js            SIGNER_ROLE_ARN only: AssumeRole, session cache and policy, RPC signing
 *   dist/presign-put/off-fc-credentials.js     off Function Compute only: credentials URI and the SDK default chain
 *   dist/presign-put/alicloud-credentials.js   @alicloud/credentials, required by the off-FC chunk's default chain only
 *   dist/presign-put/upload-extras.js          presign-put only: multipart uploads, PostObject forms, upload callbacks
 *   dist/presign-put/presign-rules.json        the rules document (presign-rules.yaml, .yml or .json at the root, or
 *                                              --rules <file>), checked and written as JSON: PRESIGN_RULES_FILE names it
 *   dist/meta/presign-put.json                 esbuild metafile (what went into the bundle), not deployed;
 *   dist/meta/chunk-<chunk>.json               the same for each chunk
 *
 * esbuild cannot split CommonJS output, so each chunk is its own bundle:
 * - in the sources a chunk is an ordinary module loaded with a plain `require('./x')` inside a function (see
 *   shared/credentials/lazy.ts, shared/operations/upload.ts), which works unbundled under tsx and jest;
 * - in the main bundle that require is replaced by `load('./<chunk>.js')` (`require` of the file, then `(host)`), resolved
 *   beside index.js at run time;
 * - a chunk does not carry its own copy of the HOST_MODULES: it uses the main bundle's, passed in as `host` when it is
 *   loaded, so that an error a chunk throws is the main bundle's ServiceError (one class, `instanceof` holds).
 */
export const ROOT = path.resolve(__dirname, '..');
export const FUNCTIONS = ['presign-put', 'presign-get'] as const;
export type FunctionName = (typeof FUNCTIONS)[number];
export const SDK_CHUNK = 'alicloud-credentials.js';

export interface LazyChunk {
  /** The chunk's file beside index.js. */
  file: string;
  /** The source module (from ROOT) the chunk is built from; every import of it in a bundle loads the chunk instead. */
  entry: string;
  functions: readonly FunctionName[];
  /** When it is loaded, for the build's size table. */
  when: string;
  /** The chunk whose code requires this one, when it is not the main bundle (the JWT verifier: the caller check). */
  loadedBy?: string;
  /** npm packages the chunk carries inside it (the main bundles carry none). */
  packages?: readonly string[];
}

export const LAZY_CHUNKS: readonly LazyChunk[] = [
  { file: 'signer-role.js', entry: 'shared/credentials/signer-role.ts', functions: FUNCTIONS, when: 'SIGNER_ROLE_ARN set' },
  { file: 'off-fc-credentials.js', entry: 'shared/credentials/off-fc.ts', functions: FUNCTIONS, when: 'off FC, no context/env key' },
  { file: 'upload-extras.js', entry: 'shared/operations/upload-extras.ts', functions: ['presign-put'], when: 'multipart/form/callback requests' },
  { file: 'event-sources.js', entry: 'shared/core/event-sources.ts', functions: FUNCTIONS, when: 'EventBridge, MNS or OSS events; unsupported events' },
  { file: 'process-rules.js', entry: 'shared/rules/process.ts', functions: FUNCTIONS, when: 'ALLOWED_PROCESS set' },
  { file: 'callback-allowlist.js', entry: 'shared/config/callback-allowlist.ts', functions: ['presign-put'], when: 'CALLBACK_URL_ALLOWLIST set' },
  { file: 'generated-keys.js', entry: 'shared/service/generated-key.ts', functions: ['presign-put'], when: 'a rule with PUT_KEY_MODE=generated (keyMode)' },
  { file: 'setting-names.js', entry: 'shared/rules/setting-names.ts', functions: FUNCTIONS, when: 'a refusal naming an environment variable' },
  { file: 'caller-check.js', entry: 'shared/identity/caller-check.ts', functions: FUNCTIONS, when: 'AUTH_TOKEN_SHA256 or a JWT issuer set' },
  { file: 'jwt-identity.js', entry: 'shared/identity/jwt.ts', functions: FUNCTIONS, when: 'AUTH_ISSUER / AUTH_JWKS* set: jose, JWKS', loadedBy: 'caller-check.js', packages: ['jose'] },
  { file: 'rules-document.js', entry: 'shared/rules/document.ts', functions: FUNCTIONS, when: 'PRESIGN_RULES or PRESIGN_RULES_FILE set' },
  { file: 'key-claims.js', entry: 'shared/rules/key-claims.ts', functions: FUNCTIONS, when: 'a key pattern with {sub} or {claims.*}' },
];

/** Modules a chunk takes from the main bundle that loads it rather than carrying a copy (class identity). */
export const HOST_MODULES: readonly string[] = ['shared/errors.ts'];
/** The issue's target for each main bundle; `npm run build -- --strict` fails above it. */
export const MAIN_BUNDLE_BUDGET_BYTES = 50 * 1024;

export interface BuiltChunk {
  file: string;
  path: string;
  bytes: number;
  when: string;
  /** The chunk's esbuild metafile (undefined for the SDK chunk). */
  metafile: Metafile | undefined;
}

export interface BuiltFunction {
  name: FunctionName;
  dir: string;
  mainFile: string;
  mainBytes: number;
  sdkChunkFile: string;
  sdkChunkBytes: number;
  /** Every lazily loaded chunk beside index.js, the SDK chunk included. */
  chunks: BuiltChunk[];
  metafile: Metafile;
  metafilePath: string;
}

export interface BuildOptions {
  outDir?: string;
  /** A rules document (YAML or JSON) to check and ship as presign-rules.json; default presign-rules.{yaml,yml,json} at the root, if any. */
  rulesFile?: string;
  functions?: readonly FunctionName[];
  /** Print the size table (default true). */
  log?: boolean;
}

const COMMON = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', minify: true, legalComments: 'none', charset: 'utf8', logLevel: 'silent' } as const;

/** Keeps the off-FC SDK out of the main bundle: it is loaded from the chunk beside it, only if ever needed. */
const sdkAsChunk: Plugin = {
  name: 'alicloud-credentials-chunk',
  setup(b) {
    b.onResolve({ filter: /^@alicloud\/credentials$/ }, () => ({ path: `./${SDK_CHUNK}`, external: true }));
  },
};

async function buildSdkChunk(outfile: string): Promise<void> {
  await build({ ...COMMON, entryPoints: [require.resolve('@alicloud/credentials', { paths: [ROOT] })], outfile, sourcemap: false });
}

/** `file.ts` for an import of `./file` or `./file.ts` (whatever resolves to a .ts source). */
function sourcePath(resolveDir: string, request: string): string {
  const full = path.resolve(resolveDir, request);
  return full.endsWith('.ts') ? full : `${full}.ts`;
}

/**
 * Every import of a chunk's entry becomes a small module that requires the chunk file beside the bundle at run time,
 * on first use, handing it the HOST_MODULES: `module.exports = load("./x.js")`, where the one shared `load` is
 * `(file) => require(file)({ "shared/errors.ts": … })` (one loader, not one copy of it per chunk: bytes of the main
 * bundle). The file names are literal in the bundle, so a reader (and the bundle test) sees which chunks it loads.
 */
function lazyChunks(chunks: readonly LazyChunk[]): Plugin {
  return {
    name: 'lazy-chunks',
    setup(b) {
      const byEntry = new Map(chunks.map((c) => [path.join(ROOT, c.entry), c]));
      b.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (args.namespace !== 'file') return undefined;
        const chunk = byEntry.get(sourcePath(args.resolveDir, args.path));
        return chunk ? { path: chunk.file, namespace: 'lazy-chunk' } : undefined;
      });
      b.onResolve({ filter: /^lazy-loader$/, namespace: 'lazy-chunk' }, () => ({ path: 'lazy-loader', namespace: 'lazy-loader' }));
      b.onLoad({ filter: /.*/, namespace: 'lazy-loader' }, () => {
        const host = HOST_MODULES.map((m) => `${JSON.stringify(m)}: require(${JSON.stringify(path.join(ROOT, m))})`).join(', ');
        return { contents: `module.exports = (file) => require(file)({ ${host} });`, loader: 'js', resolveDir: ROOT };
      });
      b.onLoad({ filter: /.*/, namespace: 'lazy-chunk' }, (args) => ({ contents: `module.exports = require("lazy-loader")(${JSON.stringify(`./${args.path}`)});`, loader: 'js', resolveDir: ROOT }));
    },
  };
}

/** In a chunk, the HOST_MODULES are the ones handed over by the main bundle, not copies. */
const hostModules: Plugin = {
  name: 'host-modules',
  setup(b) {
    const byPath = new Map(HOST_MODULES.map((m) => [path.join(ROOT, m), m]));
    b.onResolve({ filter: /^lazy-host$/ }, () => ({ path: 'lazy-host', namespace: 'lazy-host' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-host' }, () => ({
      contents: 'let modules = null;\nexports.set = (m) => { modules = m; };\n'
        + 'exports.get = (name) => { const m = modules && modules[name]; if (!m) throw new Error(`chunk loaded without the host module ${name}`); return m; };',
      loader: 'js',
    }));
    b.onResolve({ filter: /^(\.\.?)?\// }, (args) => {
      const name = byPath.get(sourcePath(args.resolveDir, args.path));
      return name === undefined ? undefined : { path: name, namespace: 'host-module' };
    });
    b.onLoad({ filter: /.*/, namespace: 'host-module' }, (args) => ({ contents: `module.exports = require("lazy-host").get(${JSON.stringify(args.path)});`, loader: 'js', resolveDir: ROOT }));
  },
};

/**
 * A chunk: `module.exports = function load(host)`, which installs the host modules and only then evaluates the entry
 * (the entry and everything it imports are initialised lazily inside `load`, after `host` is known).
 */
async function buildLazyChunk(chunk: LazyChunk, outfile: string): Promise<Metafile> {
  const entry = path.join(ROOT, chunk.entry);
  const result = await build({
    ...COMMON,
    stdin: {
      contents: `const host = require("lazy-host");\nmodule.exports = function load(modules) { host.set(modules); return require(${JSON.stringify(entry)}); };`,
      resolveDir: ROOT,
      sourcefile: `chunk:${chunk.file}`,
      loader: 'js',
    },
    outfile,
    sourcemap: false,
    metafile: true,
    // Another chunk's entry, if a chunk ever imports one, is loaded as that chunk rather than copied in.
    plugins: [hostModules, sdkAsChunk, lazyChunks(LAZY_CHUNKS.filter((c) => c !== chunk))],
  });
  return result.metafile;
}

/** The file PRESIGN_RULES_FILE names in a deployment that ships its rules in the code folder. */
export const RULES_FILE = 'presign-rules.json';

/**
 * A rules document in YAML or JSON, checked by the very compiler the functions run at cold start, as JSON text.
 * YAML is converted here, at build time, so the deployed functions need no YAML parser (a dependency, and a larger
 * cold start, for a file read once): a broken document fails `npm run build` with the rule and field named, not the
 * deployment's first start. Caller kinds and callback hosts depend on the deployment's variables, so the build checks
 * as if all were available; the cold start checks again against the real ones.
 */
export function compileRulesFile(file: string): string {
  const text = readFileSync(file, 'utf8');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const document: unknown = /\.ya?ml$/i.test(file) ? (require('yaml') as typeof import('yaml')).parse(text) : JSON.parse(text);
  const json = JSON.stringify(document);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { compileRulesDocument } = require('../shared/rules/document') as typeof import('../shared/rules/document');
  compileRulesDocument(json, { variable: path.relative(ROOT, file) || file, callers: new Set(['user', 'machine', 'platform', 'anonymous']), callbackHosts: true });
  return `${JSON.stringify(document, null, 2)}\n`;
}

function defaultRulesFile(): string | undefined {
  return ['presign-rules.yaml', 'presign-rules.yml', 'presign-rules.json'].map((name) => path.join(ROOT, name)).find((file) => existsSync(file));
}

export async function buildFunctions(options: BuildOptions = {}): Promise<BuiltFunction[]> {
  const outDir = options.outDir ?? path.join(ROOT, 'dist');
  const rulesFile = options.rulesFile ?? defaultRulesFile();
  const rules = rulesFile === undefined ? undefined : compileRulesFile(rulesFile);
  const names = options.functions ?? FUNCTIONS;
  const metaDir = path.join(outDir, 'meta');
  mkdirSync(metaDir, { recursive: true });
  const sdkTemp = path.join(metaDir, SDK_CHUNK);
  await buildSdkChunk(sdkTemp);
  const wanted = LAZY_CHUNKS.filter((c) => c.functions.some((f) => names.includes(f)));
  const chunkMeta = new Map(await Promise.all(wanted.map(async (c) => {
    const metafile = await buildLazyChunk(c, path.join(metaDir, c.file));
    writeFileSync(path.join(metaDir, `chunk-${c.file.replace(/\.js$/, '')}.json`), JSON.stringify(metafile));
    return [c.file, metafile] as const;
  })));

  const built = await Promise.all(names.map(async (name): Promise<BuiltFunction> => {
    const dir = path.join(outDir, name);
    rmSync(dir, { recursive: true, force: true });
    const mainFile = path.join(dir, 'index.js');
    const result = await build({
      ...COMMON,
      entryPoints: [path.join(ROOT, 'functions', name, 'index.ts')],
      outfile: mainFile,
      sourcemap: true,
      metafile: true,
      plugins: [lazyChunks(LAZY_CHUNKS.filter((c) => c.functions.includes(name)))],
    });
    const sdkChunkFile = path.join(dir, SDK_CHUNK);
    copyFileSync(sdkTemp, sdkChunkFile);
    const chunks: BuiltChunk[] = LAZY_CHUNKS.filter((c) => c.functions.includes(name)).map((c) => {
      const file = path.join(dir, c.file);
      copyFileSync(path.join(metaDir, c.file), file);
      return { file: c.file, path: file, bytes: statSync(file).size, when: c.when, metafile: chunkMeta.get(c.file) };
    });
    chunks.push({ file: SDK_CHUNK, path: sdkChunkFile, bytes: statSync(sdkChunkFile).size, when: 'off-FC default chain only', metafile: undefined });
    if (rules !== undefined) writeFileSync(path.join(dir, RULES_FILE), rules);
    const metafilePath = path.join(metaDir, `${name}.json`);
    writeFileSync(metafilePath, JSON.stringify(result.metafile));
    return { name, dir, mainFile, mainBytes: statSync(mainFile).size, sdkChunkFile, sdkChunkBytes: statSync(sdkChunkFile).size, chunks, metafile: result.metafile, metafilePath };
  }));
  rmSync(sdkTemp, { force: true });
  for (const c of wanted) rmSync(path.join(metaDir, c.file), { force: true });

  if (options.log !== false) {
    for (const f of built) {
      const over = f.mainBytes > MAIN_BUNDLE_BUDGET_BYTES ? '  OVER the 50 KB target' : '';
      console.log(`${path.relative(ROOT, f.mainFile).padEnd(42)} ${kb(f.mainBytes).padStart(9)}${over}`);
      for (const c of f.chunks) console.log(`${path.relative(ROOT, c.path).padEnd(42)} ${kb(c.bytes).padStart(9)}  (lazy: ${c.when})`);
    }
    console.log(`metafiles: ${path.relative(ROOT, metaDir)}/<function>.json, chunk-<chunk>.json (npm run build -- --analyze lists the largest inputs)`);
  }
  return built;
}

export function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

/** The inputs that make up a bundle, largest first: what a size regression is made of. */
export function largestInputs(metafile: Metafile, outputFile: string, top = 10): { input: string; bytes: number }[] {
  const output = Object.entries(metafile.outputs).find(([file]) => file.endsWith(outputFile))?.[1];
  if (!output) return [];
  return Object.entries(output.inputs)
    .map(([input, { bytesInOutput }]) => ({ input, bytes: bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, top);
}

const USAGE = `usage: npm run build [-- --analyze] [--strict] [--rules <file>]
  Bundles dist/presign-put and dist/presign-get (and their lazy chunks) and prints their sizes.
  --analyze        also list the largest inputs of each bundle
  --strict         exit 1 when a main bundle is over the ${MAIN_BUNDLE_BUDGET_BYTES / 1024} KB target
  --rules <file>   a rules document (YAML or JSON) to check and ship as ${RULES_FILE} beside each index.js
                   (default: presign-rules.yaml, .yml or .json at the root, when there is one)`;

if (require.main === module) {
  const { values } = parseCli(USAGE, { analyze: { type: 'boolean', default: false }, strict: { type: 'boolean', default: false }, rules: { type: 'string' } });
  const analyze = values.analyze;
  buildFunctions({ ...(values.rules === undefined ? {} : { rulesFile: path.resolve(values.rules) }) })
    .then((built) => {
      if (analyze) {
        for (const f of built) {
          console.log(`\n${f.name}: largest inputs`);
          for (const { input, bytes } of largestInputs(f.metafile, `${f.name}/index.js`, 15)) console.log(`  ${kb(bytes).padStart(9)}  ${input}`);
        }
      }
      const over = built.filter((f) => f.mainBytes > MAIN_BUNDLE_BUDGET_BYTES);
      if (over.length > 0) {
        console.error(`warning: over the ${kb(MAIN_BUNDLE_BUDGET_BYTES)} target: ${over.map((f) => f.name).join(', ')} (npm run build -- --analyze shows what is inside)`);
        if (values.strict) process.exitCode = 1;
      }
    })
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    });
}
