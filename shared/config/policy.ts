import { ConfigError } from '../errors';
import { readExpiryPolicy, type ExpiryPolicy } from '../expiry';
import { checkBucket, standardRegion } from '../signing';
import type { EndpointSpec } from '../signing/types';
import { ruleFromEnv } from '../rules/env-rule';
import type { CallbackTarget } from './callback-allowlist';
import type { Rule } from '../rules/types';
import { ANONYMOUS, type CallerKind } from '../identity/caller';
import { readIdentityPolicy, type IdentityPolicy } from '../identity/config';
import { intVar, listVar, stringVar, type Env } from './env';

/**
 * The deployment's policy: which buckets, keys and content types callers may presign, where URLs point, who may
 * call over HTTP. Read once at cold start from environment variables (documented in the README and set in
 * s.yaml); any invalid value stops the function with a ConfigError naming the variable.
 */
export interface ServicePolicy {
  /** OSS_REGION, else the function's region (FC_REGION, or context.region at call time). */
  region: string | undefined;
  defaultBucket: string | undefined;
  allowedBuckets: ReadonlySet<string>;
  /** Who may do what with which keys (shared/rules): today the environment's settings, compiled into one rule. */
  rules: readonly Rule[];
  endpoint: EndpointSpec;
  expiry: ExpiryPolicy;
  /** Exact origins, or "*". Empty: no CORS headers at all. */
  corsAllowOrigins: readonly string[];
  /** How HTTP callers are told apart: machine tokens, JWTs (shared/identity). */
  identity: IdentityPolicy;
  /** Whether any rule admits anonymous callers: if none does, an HTTP caller without credentials is refused first. */
  anonymousAdmitted: boolean;
  /** Items in one batch, CloudEvent array, MNS batch or OSS event (PRESIGN_MAX_BATCH). */
  maxBatch: number;
  /** URLs (and PostObject policies) one invocation signs (PRESIGN_MAX_URLS). */
  maxUrls: number;
  /** Bytes one answer may hold, roughly (PRESIGN_MAX_ANSWER_BYTES). */
  maxAnswerBytes: number;
  /** Where upload callbacks may go (scheme, host, port); empty: callbacks refused. */
  callbackHostAllowlist: readonly CallbackTarget[];
}

function readEndpoint(env: Env): EndpointSpec {
  const domain = stringVar(env, 'OSS_CUSTOM_DOMAIN');
  const endpoint = stringVar(env, 'OSS_ENDPOINT');
  if (domain && endpoint) throw new ConfigError('OSS_CUSTOM_DOMAIN', 'set either OSS_CUSTOM_DOMAIN or OSS_ENDPOINT, not both');
  if (domain) return { kind: 'cname', origin: originOf('OSS_CUSTOM_DOMAIN', /^https?:\/\//.test(domain) ? domain : `https://${domain}`) };
  if (endpoint === undefined || endpoint === 'public') return { kind: 'public' };
  if (endpoint === 'internal' || endpoint === 'accelerate') return { kind: endpoint };
  return { kind: 'custom', origin: originOf('OSS_ENDPOINT', endpoint) };
}

function originOf(variable: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(variable, `must be public, internal, accelerate or an http(s) origin, got "${raw}"`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.pathname.length > 1 || url.search || url.username) {
    throw new ConfigError(variable, `must be an http(s) origin without path or query, got "${raw}"`);
  }
  return url.origin;
}

function readBuckets(env: Env): { defaultBucket: string | undefined; allowedBuckets: Set<string> } {
  const defaultBucket = stringVar(env, 'OSS_BUCKET');
  const listed = listVar(env, 'ALLOWED_BUCKETS');
  const check = (variable: string, name: string) => {
    try {
      return checkBucket(name);
    } catch {
      throw new ConfigError(variable, `"${name}" is not a valid bucket name`);
    }
  };
  if (defaultBucket) check('OSS_BUCKET', defaultBucket);
  for (const name of listed) check('ALLOWED_BUCKETS', name);
  const allowedBuckets = new Set(listed);
  if (defaultBucket) allowedBuckets.add(defaultBucket);
  if (allowedBuckets.size === 0) {
    throw new ConfigError('OSS_BUCKET', 'set OSS_BUCKET (and optionally ALLOWED_BUCKETS): the function presigns only for buckets it is told about');
  }
  return { defaultBucket, allowedBuckets };
}

type RulesDocument = typeof import('../rules/document');

/**
 * The rules: a rules document (PRESIGN_RULES, PRESIGN_RULES_FILE; read by a chunk loaded only then), or else the
 * environment's shorthand, one rule. `callers`: the kinds of caller that can reach this deployment at all.
 */
function readRules(env: Env, identity: IdentityPolicy): Rule[] {
  if (stringVar(env, 'PRESIGN_RULES') === undefined && stringVar(env, 'PRESIGN_RULES_FILE') === undefined) return [ruleFromEnv(env, identity.check?.kinds.has('user') === true)];
  const callers = new Set<CallerKind>(['platform', ...(identity.check?.kinds ?? [])]);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../rules/document') as RulesDocument).rulesFromEnv(env, callers);
}

/** Compiled by a module loaded only where callbacks are allowed at all (a chunk of its own in the bundles). */
function readCallbackAllowlist(env: Env): CallbackTarget[] {
  const entries = listVar(env, 'CALLBACK_URL_ALLOWLIST');
  if (entries.length === 0) return [];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { compileCallbackTarget } = require('./callback-allowlist') as typeof import('./callback-allowlist');
  return entries.map(compileCallbackTarget);
}

function readRegion(env: Env): string | undefined {
  const raw = stringVar(env, 'OSS_REGION') ?? stringVar(env, 'FC_REGION');
  if (raw === undefined) return undefined;
  try {
    return standardRegion(raw);
  } catch {
    throw new ConfigError('OSS_REGION', `"${raw}" is not a region id such as cn-hangzhou`);
  }
}

export function readServicePolicy(env: Env, now: () => number = Date.now): ServicePolicy {
  const identity = readIdentityPolicy(env, now);
  const rules = readRules(env, identity);
  return {
    region: readRegion(env),
    ...readBuckets(env),
    rules,
    endpoint: readEndpoint(env),
    expiry: readExpiryPolicy(env),
    corsAllowOrigins: listVar(env, 'CORS_ALLOW_ORIGINS'),
    identity,
    anonymousAdmitted: rules.some((rule) => rule.admits(ANONYMOUS)),
    maxBatch: intVar(env, 'PRESIGN_MAX_BATCH', 100, 1, 1000),
    maxUrls: intVar(env, 'PRESIGN_MAX_URLS', 1000, 1, 10_000),
    // FC documents 6 MB for a synchronous invocation's answer (help.aliyun.com/document_detail/51907.html, the FC 2.0
    // limits page; no FC 3.0 figure is published): the default keeps well under it.
    maxAnswerBytes: intVar(env, 'PRESIGN_MAX_ANSWER_BYTES', 4 * 1024 * 1024, 64 * 1024, 6_000_000),
    callbackHostAllowlist: readCallbackAllowlist(env),
  };
}
