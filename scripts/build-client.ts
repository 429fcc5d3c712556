/**
 * `npm run build:client`: the client library as ES modules for browsers (and Node 20), with its types.
 *
 *   dist/client/oss-presign-client.js   upload, download, abortUpload, checkpoint stores (no dependency at run time)
 *   dist/client/oss-presign-uppy.js     ossPresignForUppy, the @uppy/aws-s3 v6 adapter (Uppy itself is the app's)
 *   dist/client/types/…                 .d.ts for both (tsc), index.d.ts and uppy.d.ts at the top
 *
 * Node callers can import the same files (fetch, Blob and streams are built in); the file checkpoint store is in
 * shared/client/node.ts, which the browser bundle leaves out. The upload page is bundled with the same settings.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { build, type BuildOptions } from 'esbuild';
import { parseCli } from './cli/args';

const ROOT = path.resolve(__dirname, '..');
export const CLIENT_DIR = path.join(ROOT, 'shared', 'client');

/** What every browser bundle of this repository is built with. */
export const BROWSER_BUNDLE: BuildOptions = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  charset: 'utf8',
  logLevel: 'silent',
};

export async function buildClient(outDir = path.join(ROOT, 'dist', 'client')): Promise<{ file: string; bytes: number }[]> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await build({
    ...BROWSER_BUNDLE,
    entryPoints: { 'oss-presign-client': path.join(CLIENT_DIR, 'index.ts'), 'oss-presign-uppy': path.join(CLIENT_DIR, 'uppy.ts') },
    outdir: outDir,
    sourcemap: true,
  });
  await promisify(execFile)(process.execPath, [
    require.resolve('typescript/bin/tsc'), '--declaration', '--emitDeclarationOnly', '--skipLibCheck', '--strict', '--target', 'ES2022',
    '--module', 'ES2022', '--moduleResolution', 'bundler', '--lib', 'ES2024,DOM', '--types', 'node', '--outDir', path.join(outDir, 'types'),
    path.join(CLIENT_DIR, 'index.ts'), path.join(CLIENT_DIR, 'uppy.ts'), path.join(CLIENT_DIR, 'node.ts'),
  ], { cwd: ROOT });
  return ['oss-presign-client.js', 'oss-presign-uppy.js'].map((file) => ({ file: path.join(outDir, file), bytes: statSync(path.join(outDir, file)).size }));
}

const USAGE = `usage: npm run build:client [-- --out <dir>]

Builds the client library for browsers and Node 20: dist/client/oss-presign-client.js, oss-presign-uppy.js and
their .d.ts types (dist/client/types/).

  --out <dir>   where to write (default dist/client)
  -h, --help    this text`;

if (require.main === module) {
  const { values } = parseCli(USAGE, { out: { type: 'string' } });
  buildClient(values.out === undefined ? undefined : path.resolve(values.out)).then((files) => {
    for (const f of files) console.log(`${path.relative(ROOT, f.file).padEnd(40)} ${(f.bytes / 1024).toFixed(1)} KB`);
    console.log('types: dist/client/types/index.d.ts, uppy.d.ts, node.d.ts');
  }, (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
