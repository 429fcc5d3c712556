/** Credentials that sign a URL. A temporary (STS) key carries its securityToken, which OSS requires in the query. */
export interface SigningCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export type PresignMethod = 'GET' | 'PUT' | 'HEAD' | 'POST' | 'DELETE';

/**
 * Where the URL points. The canonical URI always carries the bucket, whatever the host looks like, so the choice
 * only changes the URL, never what OSS checks.
 * - public:     https://<bucket>.oss-<region>.aliyuncs.com/<key>
 * - internal:   https://<bucket>.oss-<region>-internal.aliyuncs.com/<key> (from inside the region's VPC only)
 * - accelerate: https://<bucket>.oss-accelerate.aliyuncs.com/<key>
 * - cname:      <origin>/<key>, a custom domain bound to the bucket
 * - custom:     an explicit origin; virtual-hosted unless it is an IP address or localhost (then path style),
 *               or `pathStyle` says otherwise. The local emulator is reached this way.
 */
export type EndpointSpec =
  | { kind: 'public' | 'internal' | 'accelerate'; protocol?: 'https' | 'http' }
  | { kind: 'cname'; origin: string }
  | { kind: 'custom'; origin: string; pathStyle?: boolean };

export type QueryValue = string | number | boolean | null | undefined;

export interface PresignInput {
  method: PresignMethod;
  bucket: string;
  key: string;
  /** `cn-hangzhou` or `oss-cn-hangzhou`; the scope always uses the bare form. */
  region: string;
  credentials: SigningCredentials;
  /** Lifetime in seconds, 1..604800. */
  expires: number;
  /** Headers the URL's holder will send. content-type, content-md5 and x-oss-* are always signed. */
  headers?: Record<string, string | number | undefined>;
  /** More header names to sign (e.g. content-length, host). Each must be sent by the holder; host is taken from the URL. */
  additionalHeaders?: readonly string[];
  /** Extra query parameters, signed and put in the URL. An empty string or null gives a bare `key`. */
  query?: Record<string, QueryValue>;
  endpoint?: EndpointSpec;
  /** OSS on CloudBox signs with the box id (cb-…) as region and the product `oss-cloudbox`; the endpoint must be custom. */
  cloudBoxId?: string;
  /** Milliseconds since the epoch; defaults to Date.now. Injected by tests and by the expiry cap. */
  now?: () => number;
}

export interface PresignedRequest {
  method: PresignMethod;
  url: string;
  /** ISO 8601 UTC instant after which OSS refuses the URL. */
  expiration: string;
  expiresIn: number;
  /** Exactly the headers (lowercase names) and values the holder must send for the signature to match. */
  signedHeaders: Record<string, string>;
}
