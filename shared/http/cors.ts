/**
 * CORS for browsers calling the function directly. Only origins in CORS_ALLOW_ORIGINS get CORS headers; "*"
 * allows any origin (fine for anonymous presigning behind a bearer token, since no cookies are involved).
 */
export function allowedOrigin(origin: string | undefined, allowed: readonly string[]): string | undefined {
  if (origin === undefined || allowed.length === 0) return undefined;
  if (allowed.includes('*')) return '*';
  return allowed.includes(origin) ? origin : undefined;
}

export function corsHeaders(origin: string | undefined): Record<string, string> {
  if (origin === undefined) return {};
  return { 'access-control-allow-origin': origin, vary: 'Origin' };
}

export function preflightHeaders(origin: string, methods: readonly string[]): Record<string, string> {
  return {
    ...corsHeaders(origin),
    'access-control-allow-methods': [...methods, 'OPTIONS'].join(', '),
    'access-control-allow-headers': 'authorization, content-type',
    'access-control-max-age': '600',
  };
}
