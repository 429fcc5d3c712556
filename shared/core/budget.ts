import { ServiceError } from '../errors';

/**
 * The work one invocation may do: how many URLs (and PostObject policies) it signs, and roughly how many bytes its
 * answer holds. A request under 1 KB could otherwise ask for 10 × 10,000 part URLs (42 MB of answer, ~340 MB of
 * memory) on a 128 MB instance. Callers that know their count ask first (`reserve`), so an over-budget request is
 * refused before any credential is resolved; every signature also draws on the budget (`take`), so nothing can
 * sign past it even if a caller forgot to ask. A new budget is made for each invocation.
 */
export class InvocationBudget {
  private urls = 0;
  private bytes = 0;

  constructor(
    readonly maxUrls: number,
    readonly maxBytes: number,
  ) {}

  get remainingUrls(): number {
    return this.maxUrls - this.urls;
  }

  /** Refuses, before any work, a request that needs `count` more URLs than are left. `howToPage` says what to do. */
  reserve(count: number, field: string, howToPage: string): void {
    if (count > this.remainingUrls) throw urlBudgetExceeded(this.maxUrls, field, howToPage);
  }

  /** Called before each signature: none is made once the budget is spent. */
  take(): void {
    if (this.urls >= this.maxUrls) throw urlBudgetExceeded(this.maxUrls, undefined, 'ask for fewer URLs in one request');
    this.urls += 1;
  }

  /** Called with what each signature adds to the answer (the URL, its headers, its fields). */
  addAnswerBytes(bytes: number): void {
    this.bytes += bytes;
    if (this.bytes > this.maxBytes) {
      throw new ServiceError(
        'AnswerBudgetExceeded',
        400,
        `the answer would be over ${this.maxBytes} bytes (PRESIGN_MAX_ANSWER_BYTES): send fewer requests in one batch, or fewer or smaller headers per URL`,
      );
    }
  }
}

/**
 * What one signed item adds to a JSON answer: each name and value as JSON writes them, in UTF-8 bytes (a `"` or `\`
 * doubles, a control character takes six, a non-ASCII letter two to four), plus 4 bytes of punctuation to spare.
 */
export function answerBytes(strings: Record<string, string>, extra = 0): number {
  let bytes = extra;
  for (const name of Object.keys(strings)) bytes += jsonBytes(name) + jsonBytes(strings[name] as string) + 4;
  return bytes;
}

/** The UTF-8 bytes of `text` as a JSON string, quotes included. */
export function jsonBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text));
}

function urlBudgetExceeded(maxUrls: number, field: string | undefined, howToPage: string): ServiceError {
  return new ServiceError('UrlBudgetExceeded', 400, `one invocation signs at most ${maxUrls} URLs (PRESIGN_MAX_URLS): ${howToPage}`, { field });
}
