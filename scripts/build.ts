import { copyFileSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build, type Metafile, type Plugin } from 'esbuild';

/**
 * `npm run build`: one self-contained CommonJS bundle per function, which is what s.yaml deploys.
 *
 *   dist/presign-put/index.js (+ .map)       the handler: our code only, no node_modules needed at run time
 *   dist/presign-put/alicloud-credentials.js  @alicloud/credentials, loaded lazily by shared/credentials/default-chain.ts
 *                                              only off Function Compute (CLI profile / OIDC / credentials file); on FC
 *                                              the context credentials are used and this file is never read
 *   dist/meta/presign-put.json                esbuild metafile (what went into the bundle), not deployed
 *
 * esbuild cannot split CommonJS output, so the SDK is its own bundle and the main bundle's
 * `require('@alicloud/credentials')` is rewritten to `require('./alicloud-credentials.js')`, resolved next to it.
 */
export const ROOT = path.resolve(__dirname, '..');
export const FUNCTIONS = ['presign-put', 'presign-get'] as const;
export type FunctionName = (typeof FUNCTIONS)[number];
export const SDK_CHUNK = 'alicloud-credentials.js';
/** The target for each main bundle; `npm run build -- --strict` fails above it. */
export const MAIN_BUNDLE_BUDGET_BYTES = 50 * 1024;

export interface BuiltFunction {
  name: FunctionName;
  dir: string;
  mainFile: string;
  mainBytes: number;
  sdkChunkFile: string;
  sdkChunkBytes: number;
  metafile: Metafile;
  metafilePath: string;
}

export interface BuildOptions {
  outDir?: string;
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

export async function buildFunctions(options: BuildOptions = {}): Promise<BuiltFunction[]> {
  const outDir = options.outDir ?? path.join(ROOT, 'dist');
  const names = options.functions ?? FUNCTIONS;
  const metaDir = path.join(outDir, 'meta');
  mkdirSync(metaDir, { recursive: true });
  const sdkTemp = path.join(metaDir, SDK_CHUNK);
  await buildSdkChunk(sdkTemp);

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
      plugins: [sdkAsChunk],
    });
    const sdkChunkFile = path.join(dir, SDK_CHUNK);
    copyFileSync(sdkTemp, sdkChunkFile);
    const metafilePath = path.join(metaDir, `${name}.json`);
    writeFileSync(metafilePath, JSON.stringify(result.metafile));
    return { name, dir, mainFile, mainBytes: statSync(mainFile).size, sdkChunkFile, sdkChunkBytes: statSync(sdkChunkFile).size, metafile: result.metafile, metafilePath };
  }));
  rmSync(sdkTemp, { force: true });

  if (options.log !== false) {
    for (const f of built) {
      const over = f.mainBytes > MAIN_BUNDLE_BUDGET_BYTES ? '  OVER the 50 KB target' : '';
      console.log(`${path.relative(ROOT, f.mainFile).padEnd(42)} ${kb(f.mainBytes).padStart(9)}${over}`);
      console.log(`${path.relative(ROOT, f.sdkChunkFile).padEnd(42)} ${kb(f.sdkChunkBytes).padStart(9)}  (lazy, off-FC credential chain only)`);
    }
    console.log(`metafiles: ${path.relative(ROOT, metaDir)}/<function>.json (npm run build -- --analyze lists the largest inputs)`);
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

if (require.main === module) {
  const analyze = process.argv.includes('--analyze');
  buildFunctions()
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
        if (process.argv.includes('--strict')) process.exitCode = 1;
      }
    })
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    });
}
