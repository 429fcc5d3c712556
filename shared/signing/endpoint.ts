import { invalidArgument } from '../errors';
import type { EndpointSpec } from './types';

/** Where a presigned request goes: the origin (scheme + host) and the host OSS sees, which `host` signing uses. */
export interface RequestTarget {
  origin: string;
  host: string;
  /** The encoded path prefix before the key: "/" for virtual-hosted and CNAME, "/bucket/" for path style. */
  pathPrefix: string;
}

interface ParsedOrigin {
  protocol: string;
  host: string;
  pathStyleByDefault: boolean;
  /** `<bucket>.<ip>` is not a host name at all (URL parsers reject it), so an IP address is always path style. */
  pathStyleOnly: boolean;
}

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const parsedOrigins = new Map<string, ParsedOrigin>();

// An IP address or localhost has no DNS for `<bucket>.<host>`, so OSS (and the SDKs) address buckets by path there.
function isAddressWithoutBucketDns(hostname: string): boolean {
  return hostname === 'localhost' || IPV4.test(hostname) || hostname.startsWith('[');
}

function parseOrigin(origin: string, field: string): ParsedOrigin {
  const cached = parsedOrigins.get(origin);
  if (cached) return cached;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw invalidArgument(field, `${field} must be an absolute http(s) origin such as https://oss.example.com`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username) {
    throw invalidArgument(field, `${field} must be an http(s) origin with no path, query or credentials`);
  }
  const isIp = IPV4.test(url.hostname) || url.hostname.startsWith('[');
  const parsed = { protocol: url.protocol, host: url.host, pathStyleByDefault: isAddressWithoutBucketDns(url.hostname), pathStyleOnly: isIp };
  if (parsedOrigins.size < 64) parsedOrigins.set(origin, parsed);
  return parsed;
}

function virtualHosted(protocol: string, bucket: string, host: string): RequestTarget {
  const bucketHost = `${bucket}.${host}`;
  return { origin: `${protocol}//${bucketHost}`, host: bucketHost, pathPrefix: '/' };
}

/** `region` is the standard id (cn-hangzhou). */
export function resolveTarget(endpoint: EndpointSpec | undefined, region: string, bucket: string): RequestTarget {
  const spec = endpoint ?? { kind: 'public' };
  switch (spec.kind) {
    case 'public':
    case 'internal':
    case 'accelerate': {
      const protocol = `${spec.protocol ?? 'https'}:`;
      const host =
        spec.kind === 'accelerate'
          ? 'oss-accelerate.aliyuncs.com'
          : `oss-${region}${spec.kind === 'internal' ? '-internal' : ''}.aliyuncs.com`;
      return virtualHosted(protocol, bucket, host);
    }
    case 'cname': {
      const { protocol, host } = parseOrigin(spec.origin, 'endpoint.origin');
      return { origin: `${protocol}//${host}`, host, pathPrefix: '/' };
    }
    case 'custom': {
      const { protocol, host, pathStyleByDefault, pathStyleOnly } = parseOrigin(spec.origin, 'endpoint.origin');
      if (pathStyleOnly || (spec.pathStyle ?? pathStyleByDefault)) {
        return { origin: `${protocol}//${host}`, host, pathPrefix: `/${bucket}/` };
      }
      return virtualHosted(protocol, bucket, host);
    }
    default:
      throw invalidArgument('endpoint', 'endpoint.kind must be public, internal, accelerate, cname or custom');
  }
}
