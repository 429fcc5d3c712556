import type { Caller } from '../identity/caller';
import type { ObjectAcl, StorageClass } from '../request/put';
import type { ContentTypeRule } from './content-types';
import type { KeyPattern } from './key-pattern';
import type { ProcessPattern } from './process';

/** What a caller asks to do with an object. */
export type Action = 'put' | 'get' | 'head' | 'multipart' | 'form';
export const ACTIONS: readonly Action[] = ['put', 'get', 'head', 'multipart', 'form'];

/**
 * One rule: which keys it covers, which actions it lets through there, and what those actions may carry. Everything
 * that widens access is off unless the rule names it (ACLs, storage classes, processing, active content types,
 * cache overrides, browser-chosen form keys, callbacks). Today's environment variables compile into one rule
 * (./env-rule.ts), so there is one policy, never a second, flat one beside the rules.
 */
export interface Rule {
  /** How messages name this rule and its settings (see ./describe.ts). */
  readonly origin: RuleOrigin;
  /** Empty: every key. */
  readonly keys: readonly KeyPattern[];
  readonly actions: ReadonlySet<Action>;
  /** `generated`: the service picks `<folder>/<yyyy>/<mm>/<uuid>-<name>` for uploads; callers never name a key. */
  readonly keyMode: 'caller' | 'generated';
  readonly contentTypes: ContentTypeRule;
  /** Largest upload in bytes; when set, uploads must state their size. */
  readonly maxSize: number | undefined;
  /** Smallest upload in bytes; when set, uploads must state their size. */
  readonly minSize: number | undefined;
  /** Longest lifetime of a URL (or form policy) this rule grants, below PRESIGN_MAX_EXPIRES. */
  readonly maxExpires: number | undefined;
  /** Every upload carries x-oss-forbid-overwrite: true. */
  readonly forceForbidOverwrite: boolean;
  readonly acls: ReadonlySet<ObjectAcl>;
  readonly storageClasses: ReadonlySet<StorageClass>;
  readonly process: readonly ProcessPattern[];
  /** response.cacheControl and response.expires: they can make a private object cacheable by a CDN. */
  readonly responseCaching: boolean;
  /** form.keyPrefix: the browser picks the rest of the key, which no policy condition can check. */
  readonly formKeyPrefix: boolean;
  /** Upload callbacks (to hosts on CALLBACK_URL_ALLOWLIST). */
  readonly callbacks: boolean;
  /** Whether this rule lets `caller` in (its caller kinds and claim conditions, compiled when the rule is read). */
  readonly admits: (caller: Caller) => boolean;
  /** Who it lets in, for messages: "signed-in users whose roles include admin". */
  readonly admitted: string;
}

/** A rule's capabilities, by the name its settings give them. */
export type RuleSetting =
  | 'keys' | 'actions' | 'keyMode' | 'contentTypes' | 'maxSize' | 'minSize' | 'maxExpires' | 'forceForbidOverwrite' | 'acls' | 'storageClasses' | 'process'
  | 'responseCaching' | 'formKeyPrefix' | 'callbacks' | 'callers';

/** Where a rule came from: the environment (each setting a variable), or a named rule of a rules document. */
export type RuleOrigin = { kind: 'environment' } | { kind: 'document'; name: string };
