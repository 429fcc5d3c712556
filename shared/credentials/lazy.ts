/**
 * The parts of the credentials package most invocations never run, loaded on first use with a plain `require`:
 *
 *   ./signer-role  AssumeRole, the session cache, the session policy, RPC signing — only when SIGNER_ROLE_ARN is set
 *   ./off-fc       ALIBABA_CLOUD_CREDENTIALS_URI and the SDK's default chain — only off Function Compute, when
 *                  neither the context nor the environment has a key
 *
 * Unbundled (tsx, jest) these are ordinary module loads. `npm run build` (scripts/build.ts, LAZY_CHUNKS) turns each
 * into a chunk file beside the function's index.js that is read only when one of these functions is first called.
 * Import types from those modules freely; never import values from them statically, or the chunk is pulled back in.
 */
export type SignerRoleModule = typeof import('./signer-role');
export type OffFcModule = typeof import('./off-fc');

export function signerRoleModule(): SignerRoleModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./signer-role') as SignerRoleModule;
}

export function offFcModule(): OffFcModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./off-fc') as OffFcModule;
}
