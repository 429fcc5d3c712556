/**
 * Which bucket and key a request is about. Virtual-host style puts the bucket in the Host header
 * (`bucket.oss-cn-hangzhou.aliyuncs.com`, `bucket.localhost:9000`); anything else is path style (`/bucket/key`).
 */
import { decodePath } from './encoding';

export interface Address {
  bucket: string | undefined;
  key: string | undefined;
  style: 'virtual-host' | 'path';
}

export function hostWithoutPort(hostHeader: string | undefined): string {
  const host = (hostHeader ?? '').trim().toLowerCase();
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

export function resolveAddress(hostHeader: string | undefined, rawPath: string, virtualHostSuffixes: readonly string[]): Address {
  const host = hostWithoutPort(hostHeader);
  for (const suffix of virtualHostSuffixes) {
    const tail = `.${suffix.toLowerCase()}`;
    if (host.endsWith(tail) && host.length > tail.length) {
      const key = decodePath(rawPath.replace(/^\//, ''));
      return { bucket: host.slice(0, -tail.length), key: key === '' ? undefined : key, style: 'virtual-host' };
    }
  }
  const rest = rawPath.replace(/^\//, '');
  if (rest === '') return { bucket: undefined, key: undefined, style: 'path' };
  const slash = rest.indexOf('/');
  const bucket = decodePath(slash === -1 ? rest : rest.slice(0, slash));
  const key = slash === -1 ? '' : decodePath(rest.slice(slash + 1));
  return { bucket, key: key === '' ? undefined : key, style: 'path' };
}
