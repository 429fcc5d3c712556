/**
 * Every failure the service reports is a ServiceError: a stable code, the HTTP status an adapter answers with, and,
 * for bad input, the field at fault. The core throws these; only adapters turn them into responses, so a direct
 * invocation and an HTTP trigger describe the same failure the same way. Messages must never carry a secret.
 */
export class ServiceError extends Error {
  readonly code: string;
  readonly status: number;
  readonly field?: string;
  readonly retryable: boolean;

  constructor(code: string, status: number, message: string, options: { field?: string; retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ServiceError';
    this.code = code;
    this.status = status;
    if (options.field !== undefined) this.field = options.field;
    this.retryable = options.retryable ?? false;
  }
}

/** 400: the request named a value that breaks a rule; the message names the rule. */
export function invalidArgument(field: string, message: string): ServiceError {
  return new ServiceError('InvalidArgument', 400, message, { field });
}

/** Raised at cold start: the function is deployed with a setting it cannot run with. */
export class ConfigError extends ServiceError {
  readonly variable: string;

  constructor(variable: string, message: string) {
    super('InvalidConfiguration', 500, `${variable}: ${message}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}
