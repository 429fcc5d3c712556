import { ConfigError } from '../errors';

/**
 * CALLBACK_URL_ALLOWLIST, compiled: where an upload callback may send OSS. An entry is `[scheme://]host[:port]`:
 * - the scheme defaults to https (plain http must be written: `http://10.0.0.5:8080`);
 * - the port defaults to the scheme's own; `:*` allows any port;
 * - `*.example.com` allows every subdomain (not example.com itself).
 * So `hooks.example.com` admits https://hooks.example.com/ only, not http://, not :8443.
 */
export interface CallbackTarget {
  readonly source: string;
  readonly protocol: 'http:' | 'https:';
  /** Lowercase host name, or `*.domain`. */
  readonly host: string;
  /** '' (the scheme's default port only), a port number, or '*'. */
  readonly port: string;
}

const ENTRY = /^(?:(https?):\/\/)?(\*\.)?([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::(\d{1,5}|\*))?\/?$/;
const DEFAULT_PORT = { 'http:': '80', 'https:': '443' } as const;

export function compileCallbackTarget(entry: string): CallbackTarget {
  const parts = ENTRY.exec(entry.toLowerCase());
  if (!parts) throw new ConfigError('CALLBACK_URL_ALLOWLIST', `"${entry}" is not [scheme://]host[:port] (host may start with *.)`);
  const [, scheme, wildcard, name, port] = parts;
  const protocol = scheme === 'http' ? 'http:' : 'https:';
  // WHATWG URLs drop a port equal to the scheme's default, so it is written as '' here too.
  const normalisedPort = port === undefined || port === DEFAULT_PORT[protocol] ? '' : port;
  return { source: entry, protocol, host: `${wildcard ?? ''}${name}`, port: normalisedPort };
}

export function hostnameAllowed(target: CallbackTarget, hostname: string): boolean {
  const name = hostname.toLowerCase();
  if (target.host.startsWith('*.')) return name.endsWith(target.host.slice(1)) && name.length > target.host.length - 1;
  return name === target.host;
}

export function urlAllowed(targets: readonly CallbackTarget[], url: URL): boolean {
  return targets.some((target) => target.protocol === url.protocol && hostnameAllowed(target, url.hostname) && (target.port === '*' || target.port === url.port));
}
