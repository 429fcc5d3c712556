import type { EventSource } from '../adapters/types';
import { redact } from '../credentials/errors';
import type { ServiceError } from '../errors';
import type { Caller } from '../identity/caller';
import type { Outcome } from './outcome';

/**
 * One structured JSON line per invocation, with fixed keys, so that SLS queries work without parsing. It holds
 * what was presigned and how it went, never a URL, signature, token or secret: a URL in a log is a credential
 * anyone with log access could use.
 */
export type LogLine = Record<string, string | number | boolean | null>;
export type LogSink = (line: LogLine) => void;

export const stdoutSink: LogSink = (line) => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

export class LogNote {
  private readonly fields: LogLine = {};

  /** `secrets`: the invocation's own (its context credentials), kept out of anything this note writes. */
  constructor(
    readonly source: EventSource,
    private readonly secrets: readonly (string | undefined)[] = [],
  ) {}

  status(status: number): void {
    this.fields.status = status;
  }

  /** The status noted so far (a single request's, or a failure's), else `fallback`. */
  statusOr(fallback: number): number {
    return typeof this.fields.status === 'number' ? this.fields.status : fallback;
  }

  single(outcome: Outcome): void {
    if (outcome.ok) {
      const { bucket, key, cap } = outcome.result as { bucket?: string; key?: string; cap?: { by: string | null; applied: number } };
      this.fields.status = 200;
      if (bucket !== undefined) this.fields.bucket = bucket;
      if (key !== undefined) this.fields.key = key;
      if (cap) {
        this.fields.capBy = cap.by;
        this.fields.expiresIn = cap.applied;
      }
    } else {
      this.failure(outcome.error);
    }
  }

  batch(outcomes: Outcome[]): void {
    this.fields.status = 200;
    this.fields.count = outcomes.length;
    this.fields.failed = outcomes.filter((o) => !o.ok).length;
    const first = outcomes.find((o) => o.ok);
    if (first?.ok) this.fields.bucket = (first.result.bucket as string | undefined) ?? null;
  }

  /** Who asked: the caller's kind (a user's claims stay out of the log; their keys, under users/{sub}/, say who). */
  caller(caller: Caller): void {
    this.fields.caller = caller.kind;
  }

  failure(error: ServiceError): void {
    this.fields.status = error.status;
    this.fields.code = error.code;
    if (error.field !== undefined) this.fields.field = error.field;
    if (error.code === 'InternalError' && error.cause instanceof Error) {
      // A cause's message may quote whatever the failing code held, secrets included: the redaction the credential
      // errors use runs on it first, with this invocation's secret and token.
      this.fields.cause = redact(`${error.cause.name}: ${error.cause.message}`, this.secrets).slice(0, 300);
    }
  }

  line(base: { requestId: string | null; function: string; durationMs: number; coldStart: boolean }): LogLine {
    return {
      level: typeof this.fields.status === 'number' && this.fields.status >= 500 ? 'error' : 'info',
      message: 'presign',
      timestamp: new Date().toISOString(),
      requestId: base.requestId,
      function: base.function,
      source: this.source,
      coldStart: base.coldStart,
      durationMs: Math.round(base.durationMs * 100) / 100,
      ...this.fields,
    };
  }
}
