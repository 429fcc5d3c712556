import { readFileSync } from 'node:fs';
import path from 'node:path';
import { listVar, stringVar, type Env } from '../config/env';
import { ConfigError } from '../errors';
import { CALLER_KINDS, type Caller, type CallerKind } from '../identity/caller';
import { claimAt } from '../identity/claims';
import { OBJECT_ACLS, STORAGE_CLASSES, type ObjectAcl, type StorageClass } from '../request/put';
import { isReservedName, parseJsonTree, type Tree } from '../request/tree';
import { CONTENT_TYPE_PATTERN } from './content-types';
import { MAX_OBJECT_BYTES } from './env-rule';
import { compileKeyPattern, type KeyPattern } from './key-pattern';
import type { ProcessPattern } from './process';
import { processRules } from './process-lazy';
import { ACTIONS, type Action, type Rule } from './types';

/**
 * A rules document: PRESIGN_RULES (the JSON itself) or PRESIGN_RULES_FILE (a JSON file shipped in the code folder;
 * `npm run build` turns a presign-rules.yaml into one). Read and checked once at cold start (and by the build); every
 * error names the rule and the field. Loaded only where one is set (in the bundles, a chunk of its own).
 *
 *   { "rules": [ { "name": "own-avatars", "keys": ["users/{sub}/avatars/"], "actions": ["put", "get", "head"],
 *                  "contentTypes": ["image/png", "image/jpeg"], "maxSize": 5242880, "maxExpires": 600 },
 *                { "name": "public", "keys": ["public/"], "actions": ["get", "head"], "anonymous": true },
 *                { "name": "admins", "keys": ["users/"], "actions": ["get", "head"], "claims": { "roles": "admin" } } ] }
 *
 * Everything a rule does not name is off (deny by default): no ACL, storage class, processing, cache override,
 * browser-chosen form key or callback, and only the caller kinds `user`, `machine` and `platform` (never anonymous).
 */
export const MAX_DOCUMENT_BYTES = 256 * 1024;
const MAX_RULES = 200;
const MAX_LIST = 100;
const MAX_CLAIM_CONDITIONS = 16;
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** The variables the environment's single rule is made of: with a rules document they would be a second policy. */
export const SHORTHAND_VARIABLES = [
  'ALLOWED_KEY_PREFIXES', 'PUT_KEY_MODE', 'ALLOWED_CONTENT_TYPES', 'MAX_CONTENT_LENGTH', 'FORCE_FORBID_OVERWRITE', 'ALLOWED_ACLS',
  'ALLOWED_STORAGE_CLASSES', 'ALLOWED_PROCESS', 'ALLOW_RESPONSE_CACHE_OVERRIDES', 'ALLOW_FORM_KEY_PREFIX',
] as const;

/** A shorthand variable left at its default says nothing a document could contradict (s.yaml ships these). */
const SHORTHAND_DEFAULTS: Readonly<Record<string, string>> = {
  PUT_KEY_MODE: 'caller',
  FORCE_FORBID_OVERWRITE: 'false',
  ALLOW_RESPONSE_CACHE_OVERRIDES: 'false',
  ALLOW_FORM_KEY_PREFIX: 'false',
};

const FIELDS = [
  'name', 'keys', 'actions', 'keyMode', 'contentTypes', 'maxSize', 'minSize', 'maxExpires', 'forceForbidOverwrite', 'acls', 'storageClasses',
  'process', 'responseCaching', 'formKeyPrefix', 'callbacks', 'anonymous', 'callers', 'claims',
] as const;

export interface DocumentContext {
  /** The variable the document came from, for errors. */
  variable: string;
  /** Caller kinds that can reach this deployment: `user` with a JWT issuer, `machine` with AUTH_TOKEN_SHA256, … */
  callers: ReadonlySet<CallerKind>;
  /** Whether CALLBACK_URL_ALLOWLIST names any host. */
  callbackHosts: boolean;
}

type Scalar = string | number | boolean;
type Json = { [name: string]: Tree };

const KIND_WORDS: Readonly<Record<CallerKind, string>> = {
  user: 'signed-in users',
  machine: 'machine callers (AUTH_TOKEN_SHA256)',
  platform: 'callers Alibaba Cloud admitted (InvokeFunction, triggers)',
  anonymous: 'anonymous callers',
};

class RuleReader {
  constructor(
    private readonly context: DocumentContext,
    private readonly where: string,
    private readonly rule: Json,
  ) {}

  fail(field: string, message: string): never {
    throw new ConfigError(this.context.variable, `${this.where}, ${field}: ${message}`);
  }

  has(field: string): boolean {
    return Object.hasOwn(this.rule, field);
  }

  boolean(field: string): boolean {
    if (!this.has(field)) return false;
    const value = this.rule[field];
    if (typeof value !== 'boolean') this.fail(field, 'must be true or false');
    return value;
  }

  integer(field: string, min: number, max: number): number | undefined {
    if (!this.has(field)) return undefined;
    const value = this.rule[field];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) this.fail(field, `must be a whole number from ${min} to ${max}`);
    return value;
  }

  strings(field: string, required: boolean): string[] {
    if (!this.has(field)) {
      if (required) this.fail(field, 'is required (a list)');
      return [];
    }
    const value = this.rule[field];
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item.trim() === '')) this.fail(field, 'must be a list of non-empty strings');
    if (value.length > MAX_LIST) this.fail(field, `must hold at most ${MAX_LIST} entries`);
    if (required && value.length === 0) this.fail(field, 'must not be empty: an empty list would mean nothing (or, read loosely, everything)');
    return (value as string[]).map((item) => item.trim());
  }

  oneOf<T extends string>(field: string, allowed: readonly T[], required: boolean): Set<T> {
    const values = this.strings(field, required);
    for (const value of values) {
      if (!(allowed as readonly string[]).includes(value)) this.fail(field, `"${value}" is not one of ${allowed.join(', ')}`);
    }
    return new Set(values as T[]);
  }
}

function conditionsOf(reader: RuleReader, value: Tree): { test: (caller: Caller) => boolean; words: string } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) reader.fail('claims', 'must be an object: { "claim": value or [values] }');
  const names = Object.keys(value);
  if (names.length === 0 || names.length > MAX_CLAIM_CONDITIONS) reader.fail('claims', `must name 1 to ${MAX_CLAIM_CONDITIONS} claims`);
  const conditions = names.map((name) => {
    if (name.length > 256 || name.split('.').some((step) => step === '' || isReservedName(step))) reader.fail('claims', `"${name}" is not a claim name`);
    const raw = value[name] as Tree;
    const wanted = (Array.isArray(raw) ? raw : [raw]) as Tree[];
    // typeof null is 'object' too: null, lists and maps are all refused here.
    if (wanted.length === 0 || wanted.length > 32 || wanted.some((w) => typeof w === 'object')) {
      reader.fail('claims', `"${name}" must be a string, number or boolean, or a list of 1 to 32 of them`);
    }
    const scalars = wanted as Scalar[];
    const holds = (claim: unknown): boolean => scalars.includes(claim as Scalar);
    return {
      test: (claims: Record<string, unknown>): boolean => {
        const claim = claimAt(claims, name);
        return Array.isArray(claim) ? claim.some(holds) : holds(claim);
      },
      words: `${name} ${Array.isArray(raw) ? `is or includes one of ${scalars.join(', ')}` : `is or includes ${String(raw)}`}`,
    };
  });
  return {
    test: (caller) => caller.kind === 'user' && conditions.every((condition) => condition.test(caller.claims)),
    words: `signed-in users whose ${conditions.map((c) => c.words).join(' and ')}`,
  };
}

function whoOf(reader: RuleReader, rule: Json, context: DocumentContext): Pick<Rule, 'admits' | 'admitted'> {
  const anonymous = reader.boolean('anonymous');
  if (reader.has('claims')) {
    if (reader.has('callers') || anonymous) reader.fail('claims', 'claim conditions admit signed-in users only: leave out callers and anonymous');
    if (!context.callers.has('user')) reader.fail('claims', 'needs verified tokens: set AUTH_ISSUER, AUTH_AUDIENCE and AUTH_JWKS or AUTH_JWKS_URL');
    const { test, words } = conditionsOf(reader, rule.claims as Tree);
    return { admits: test, admitted: words };
  }
  if (reader.has('callers') && anonymous) reader.fail('anonymous', 'give either anonymous: true or a callers list, not both');
  const listed = reader.has('callers') ? reader.oneOf<CallerKind>('callers', CALLER_KINDS, true) : undefined;
  const kinds: ReadonlySet<CallerKind> = listed ?? new Set<CallerKind>(anonymous ? CALLER_KINDS : ['user', 'machine', 'platform']);
  if (![...kinds].some((kind) => context.callers.has(kind))) {
    reader.fail(listed ? 'callers' : 'anonymous', `no caller of these kinds can reach this deployment (${[...kinds].join(', ')}): user needs AUTH_ISSUER, machine needs AUTH_TOKEN_SHA256`);
  }
  const words = kinds.size === CALLER_KINDS.length ? 'anyone, signed in or not' : [...kinds].map((kind) => KIND_WORDS[kind]).join(', ');
  return { admits: (caller) => kinds.has(caller.kind), admitted: words };
}

function keysOf(reader: RuleReader, context: DocumentContext): KeyPattern[] {
  return reader.strings('keys', true).map((source) => {
    const pattern = compileKeyPattern(source);
    if (typeof pattern === 'string') reader.fail('keys', pattern);
    if (pattern.resolve !== undefined && !context.callers.has('user')) reader.fail('keys', `"${source}" uses a token claim, which needs verified tokens: set AUTH_ISSUER, AUTH_AUDIENCE and AUTH_JWKS or AUTH_JWKS_URL`);
    return pattern;
  });
}

function compileRule(value: Tree, index: number, context: DocumentContext, names: Set<string>): Rule {
  const at = `rule #${index + 1}`;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(context.variable, `${at}: must be an object`);
  const rawName = value.name;
  if (typeof rawName !== 'string' || !NAME.test(rawName)) throw new ConfigError(context.variable, `${at}, name: required, 1 to 64 letters, digits, . _ -`);
  if (names.has(rawName)) throw new ConfigError(context.variable, `${at}, name: "${rawName}" names two rules`);
  names.add(rawName);
  const reader: RuleReader = new RuleReader(context, `rule "${rawName}"`, value);
  const unknown = Object.keys(value).find((field) => !(FIELDS as readonly string[]).includes(field));
  if (unknown !== undefined) reader.fail(unknown, `is not a rule field; the fields are ${FIELDS.join(', ')}`);

  const mode = value.keyMode ?? 'caller';
  if (mode !== 'caller' && mode !== 'generated') reader.fail('keyMode', 'must be "caller" or "generated"');
  const contentTypes = reader.strings('contentTypes', false).map((pattern) => pattern.toLowerCase());
  for (const pattern of contentTypes) if (!CONTENT_TYPE_PATTERN.test(pattern)) reader.fail('contentTypes', `"${pattern}" is not a type/subtype pattern such as image/* or application/pdf`);
  const maxSize = reader.integer('maxSize', 0, MAX_OBJECT_BYTES);
  const minSize = reader.integer('minSize', 0, MAX_OBJECT_BYTES);
  if (minSize !== undefined && maxSize !== undefined && minSize > maxSize) reader.fail('minSize', `${minSize} is over maxSize ${maxSize}`);
  const process: ProcessPattern[] = reader.strings('process', false).map((source) => {
    const compiled = processRules().compileProcessPattern(source);
    if (typeof compiled === 'string') reader.fail('process', compiled);
    return compiled;
  });
  const callbacks = reader.boolean('callbacks');
  if (callbacks && !context.callbackHosts) reader.fail('callbacks', 'CALLBACK_URL_ALLOWLIST names no host a callback could go to');
  return {
    origin: { kind: 'document', name: rawName },
    keys: keysOf(reader, context),
    actions: reader.oneOf<Action>('actions', ACTIONS, true),
    keyMode: mode as 'caller' | 'generated',
    contentTypes: { patterns: contentTypes, required: contentTypes.length > 0 },
    maxSize,
    minSize,
    maxExpires: reader.integer('maxExpires', 1, 604_800),
    forceForbidOverwrite: reader.boolean('forceForbidOverwrite'),
    acls: reader.oneOf<ObjectAcl>('acls', OBJECT_ACLS, false),
    storageClasses: reader.oneOf<StorageClass>('storageClasses', STORAGE_CLASSES, false),
    process,
    responseCaching: reader.boolean('responseCaching'),
    formKeyPrefix: reader.boolean('formKeyPrefix'),
    callbacks,
    ...whoOf(reader, value, context),
  };
}

/** Every rule of the document, checked; the first problem found is a ConfigError naming the rule and the field. */
export function compileRulesDocument(text: string, context: DocumentContext): Rule[] {
  let parsed: ReturnType<typeof parseJsonTree>;
  try {
    parsed = parseJsonTree(text, context.variable, { maxBytes: MAX_DOCUMENT_BYTES, maxDepth: 8, maxNodes: 50_000 });
  } catch (error) {
    throw new ConfigError(context.variable, `is over ${MAX_DOCUMENT_BYTES} bytes or ${50_000} values (${error instanceof Error ? error.message : 'too large'})`);
  }
  if (!parsed.ok) throw new ConfigError(context.variable, 'is not valid JSON');
  const document = parsed.tree;
  if (document === null || typeof document !== 'object' || Array.isArray(document) || !Array.isArray(document.rules)) {
    throw new ConfigError(context.variable, 'must be a JSON object { "rules": [ ... ] }');
  }
  const extra = Object.keys(document).find((name) => name !== 'rules');
  if (extra !== undefined) throw new ConfigError(context.variable, `"${extra}" is not a document field (only "rules")`);
  const rules = document.rules;
  if (rules.length === 0) throw new ConfigError(context.variable, 'rules must not be empty: with no rule, no caller gets any URL');
  if (rules.length > MAX_RULES) throw new ConfigError(context.variable, `holds more than ${MAX_RULES} rules`);
  const names = new Set<string>();
  return rules.map((rule, index) => compileRule(rule, index, context, names));
}

/** The function's code folder: where the bundle (and this chunk, beside it) lives. */
const CODE_FOLDER = __dirname;

/**
 * The rules of PRESIGN_RULES or PRESIGN_RULES_FILE. Either excludes the environment's single rule: a deployment that
 * also sets one of its variables is refused at cold start rather than guessing which policy was meant.
 */
export function rulesFromEnv(env: Env, callers: ReadonlySet<CallerKind>): Rule[] {
  const inline = stringVar(env, 'PRESIGN_RULES');
  const file = stringVar(env, 'PRESIGN_RULES_FILE');
  if (inline !== undefined && file !== undefined) throw new ConfigError('PRESIGN_RULES', 'set either PRESIGN_RULES or PRESIGN_RULES_FILE, not both');
  const variable = inline === undefined ? 'PRESIGN_RULES_FILE' : 'PRESIGN_RULES';
  const clash = SHORTHAND_VARIABLES.find((name) => {
    const value = stringVar(env, name)?.toLowerCase();
    return value !== undefined && value !== SHORTHAND_DEFAULTS[name] && !(SHORTHAND_DEFAULTS[name] === 'false' && value === '0');
  });
  if (clash !== undefined) {
    throw new ConfigError(clash, `${variable} is set, so the rules document is the policy: move ${clash} into its rules (or leave ${variable} unset), so that one policy decides, not two`);
  }
  let text = inline;
  if (text === undefined) {
    const full = path.resolve(CODE_FOLDER, file as string);
    try {
      text = readFileSync(full, 'utf8');
    } catch {
      throw new ConfigError('PRESIGN_RULES_FILE', `cannot read ${full} (a path relative to the function's code folder, where index.js is)`);
    }
  }
  return compileRulesDocument(text, { variable, callers, callbackHosts: listVar(env, 'CALLBACK_URL_ALLOWLIST').length > 0 });
}
