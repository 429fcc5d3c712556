import { serialiseResult } from './http-response';
import type { InvocationOutcome } from './invoke';

/**
 * Asynchronous invocations and where their results go, as FC's "result callback" does
 * (https://www.alibabacloud.com/help/en/fc/user-guide/result-callback; zh: help.aliyun.com/document_detail/422720.htm):
 * a function error is retried up to `maxAsyncRetryAttempts` times (fc3 schema default 3, at most 8); then the
 * record below goes to `destinationConfig.onSuccess` or `.onFailure`. The record's shape is the documented one
 * (timestamp, requestContext{requestId, functionArn, condition, approximateInvokeCount}, requestPayload,
 * responseContext{statusCode, functionError}, responsePayload); a delivered example is in awesome-fc's
 * Stateful-Async-Invocation README. The payloads are strings: the request as sent, the result as FC serialises it.
 *
 * Destinations the local host delivers to (the ARN forms FC uses, e.g. terraform-provider-alicloud's
 * alicloud_fc_function_async_invoke_config example for MNS, FC's Destination struct for functions):
 *   acs:mns:<region>:<account>:/queues/<queue>/messages   → the local MNS queue (SendMessage)
 *   acs:fc:<region>:<account>:functions/<function>        → another local function, invoked asynchronously
 * Topics, EventBridge and RocketMQ have no local twin: such a destination is refused when the host starts.
 */
export interface AsyncInvokeConfig {
  destinationConfig?: { onSuccess?: { destination?: string }; onFailure?: { destination?: string } };
  maxAsyncRetryAttempts?: number;
}

export type Destination = { kind: 'queue'; queue: string } | { kind: 'function'; functionName: string };

export interface DestinationRecord {
  timestamp: number;
  requestContext: { requestId: string; functionArn: string; condition: string; approximateInvokeCount: number };
  requestPayload: string;
  responseContext: { statusCode: number; functionError: string };
  responsePayload: string;
}

export function parseDestination(arn: string, region: string, accountId: string): Destination {
  const queue = /^acs:mns:([^:]*):([^:]*):\/queues\/([^/]+)\/messages$/.exec(arn);
  const fn = /^acs:fc:([^:]*):([^:]*):functions\/([^/]+)$/.exec(arn);
  const m = queue ?? fn;
  if (!m) {
    throw new Error(`destination ${arn}: the local FC host delivers to MNS queues (acs:mns:<region>:<account>:/queues/<queue>/messages) and functions (acs:fc:<region>:<account>:functions/<name>)`);
  }
  if ((m[1] !== '' && m[1] !== region) || (m[2] !== '' && m[2] !== accountId)) {
    throw new Error(`destination ${arn} names another region or account than the local host's (${region}, ${accountId})`);
  }
  return queue ? { kind: 'queue', queue: m[3]! } : { kind: 'function', functionName: m[3]! };
}

export function functionArn(region: string, accountId: string, name: string): string {
  return `acs:fc:${region}:${accountId}:functions/${name}`;
}

export function destinationRecord(input: { requestId: string; arn: string; attempts: number; payload: Buffer; outcome: InvocationOutcome; now: number }): DestinationRecord {
  const { outcome } = input;
  return {
    timestamp: input.now,
    requestContext: {
      requestId: input.requestId,
      functionArn: input.arn,
      condition: outcome.ok ? '' : 'UnhandledInvocationError',
      approximateInvokeCount: input.attempts,
    },
    requestPayload: input.payload.toString('utf8'),
    responseContext: { statusCode: 200, functionError: outcome.ok ? '' : 'UnhandledInvocationError' },
    responsePayload: outcome.ok ? serialiseResult(outcome.result).body.toString('utf8') : JSON.stringify(outcome.error),
  };
}
