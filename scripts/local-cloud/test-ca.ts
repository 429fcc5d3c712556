import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throw-away CA and a server certificate for 127.0.0.1/localhost, made with the openssl CLI at test time so no key
 * material is ever committed. Clients trust it by passing `ca` (our STS client and URI fetcher take one).
 */
export interface TestPki {
  /** PEM of the CA certificate: what a client must trust. */
  caCert: string;
  /** PEM key and certificate chain for a loopback TLS server. */
  key: string;
  cert: string;
}

export function makeTestPki(options: { days?: number; commonName?: string } = {}): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'oss-presign-pki-'));
  const days = String(options.days ?? 2);
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', days,
      '-subj', '/CN=oss-presign local test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${options.commonName ?? 'localhost'}`]);
    writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n');
    run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', days, '-extfile', 'ext.cnf']);
    return {
      caCert: readFileSync(join(dir, 'ca.crt'), 'utf8'),
      key: readFileSync(join(dir, 'server.key'), 'utf8'),
      cert: readFileSync(join(dir, 'server.crt'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
