/**
 * The upload page: a thin view on the client library (shared/client). Each file gets a row whose state follows the
 * client's events (signing → uploading part n of N → completing → done, or failed at a named step, or resumable);
 * Upload is disabled while anything is busy; Retry, Resume and Discard act on the client's checkpoint. Bundled by
 * esbuild when the page server starts (scripts/local-stack/page-server.ts).
 *
 * Address parameters: mode=uppy (Uppy's Dashboard through the adapter), multipartAbove, partSize, partsPerRequest,
 * concurrency, retryDelays (comma-separated ms), put and get (the presign URLs, else config.json).
 *
 * Sign-in (when config.json names a token URL: `npm start`'s local OIDC issuer): a user name gets a signed JWT, kept
 * in sessionStorage and sent as the bearer token of every presign call; the folder becomes users/<name>/, the one the
 * service's rules give that user. A real deployment gets the token from its IdP's login instead.
 */
import {
  abortUpload, downloadUrl, localStorageCheckpointStore, memoryCheckpointStore, upload, UploadError,
  type CheckpointStore, type Progress, type UploadOptions, type UploadState,
} from '../../shared/client';

interface PageConfig {
  presignPut: string;
  presignGet: string;
  /** The local issuer's token endpoint, when the stack has one. */
  tokenUrl: string | undefined;
  multipartAbove: number;
  partSize: number | undefined;
  partsPerRequest: number | undefined;
  concurrency: number;
  retryDelays: number[] | undefined;
}

const MIB = 1024 * 1024;
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);

/** The sign-in's bearer token for presign calls, read when each call is made (none before sign-in). */
const token = (): string | undefined => sessionStorage.getItem('oss-presign-token') ?? undefined;
const signedInAs = (): string | undefined => sessionStorage.getItem('oss-presign-user') ?? undefined;

function whole(value: unknown, min: number): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= min ? n : undefined;
}

async function loadConfig(): Promise<PageConfig> {
  let base: Record<string, unknown> = {};
  if (params.get('put') && params.get('get')) base = { presignPut: params.get('put'), presignGet: params.get('get') };
  else {
    const res = await fetch('config.json', { cache: 'no-store' });
    if (!res.ok) throw new Error(`config.json answered ${res.status}`);
    base = (await res.json()) as Record<string, unknown>;
  }
  const pick = (name: string, min: number): number | undefined => whole(params.get(name), min) ?? whole(base[name], min);
  const delays = params.get('retryDelays');
  const signIn = base.signIn as { tokenUrl?: unknown } | undefined;
  return {
    presignPut: String(base.presignPut),
    presignGet: String(base.presignGet),
    tokenUrl: typeof signIn?.tokenUrl === 'string' ? signIn.tokenUrl : undefined,
    multipartAbove: pick('multipartAbove', 0) ?? 8 * MIB,
    partSize: pick('partSize', 100 * 1024),
    partsPerRequest: pick('partsPerRequest', 1),
    concurrency: pick('concurrency', 1) ?? 3,
    retryDelays: delays ? delays.split(',').map(Number).filter((n) => Number.isFinite(n) && n >= 0) : undefined,
  };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < MIB) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 * MIB) return `${(n / MIB).toFixed(1)} MB`;
  return `${(n / (1024 * MIB)).toFixed(2)} GB`;
}

/** Never show a URL: a presigned URL is a credential, and an internal address helps nobody. */
const withoutUrls = (text: string): string => text.replace(/\bhttps?:\/\/\S+/g, '(address hidden)');

const STEP_NAMES: Record<string, string> = {
  presign: 'asking for a signed URL', put: 'uploading', initiate: 'starting the multipart upload', part: 'uploading a part',
  'list-parts': 'checking which parts landed', complete: 'completing', abort: 'discarding', download: 'downloading',
};

function element(tag: string, attrs: Record<string, string> = {}, text?: string): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

type RowState = 'queued' | 'signing' | 'uploading' | 'retrying' | 'waiting' | 'completing' | 'done' | 'failed' | 'resumable' | 'discarded';

/** One file in the list: its bar, its words, its buttons. */
class FileRow {
  readonly li: HTMLElement;
  private readonly bar: HTMLProgressElement;
  private readonly status: HTMLElement;
  private readonly meta: HTMLElement;
  private readonly buttons: HTMLElement;
  private started = 0;
  error: UploadError | undefined;
  controller: AbortController | undefined;

  constructor(readonly file: File, readonly key: string, readonly fingerprint: string) {
    this.li = element('li', { class: 'file', 'data-state': 'queued', 'data-key': key });
    const row = element('div', { class: 'row' });
    row.append(element('span', { class: 'name' }, file.name), element('span', { class: 'size' }, formatBytes(file.size)));
    this.bar = element('progress', { max: '100', value: '0' }) as HTMLProgressElement;
    this.status = element('div', { class: 'status' }, 'Ready to upload.');
    this.meta = element('div', { class: 'meta' });
    this.buttons = element('div', { class: 'buttons' });
    this.li.append(row, this.bar, this.status, this.meta, this.buttons);
  }

  get state(): RowState {
    return this.li.dataset.state as RowState;
  }

  set(state: RowState, text: string): void {
    this.li.dataset.state = state;
    this.status.textContent = text;
  }

  progress(p: Progress): void {
    if (this.started === 0) this.started = performance.now();
    const total = p.bytesTotal ?? this.file.size;
    const pct = total === 0 ? 100 : Math.floor((p.bytesSent / total) * 100);
    this.bar.value = pct;
    this.bar.dataset.sent = String(p.bytesSent);
    const seconds = (performance.now() - this.started) / 1000;
    const speed = seconds > 0.2 ? ` · ${formatBytes(p.bytesSent / seconds)}/s` : '';
    this.meta.textContent = `${formatBytes(p.bytesSent)} of ${formatBytes(total)}${speed}`;
  }

  actions(list: Array<[string, () => void, boolean?]>): void {
    this.buttons.replaceChildren(...list.map(([label, act, secondary]) => {
      const b = element('button', { type: 'button', class: secondary ? 'secondary' : '', 'data-action': label.toLowerCase() }, label) as HTMLButtonElement;
      b.addEventListener('click', act);
      return b;
    }));
  }
}

function describeState(state: UploadState, row: FileRow): [RowState, string] | undefined {
  switch (state.phase) {
    case 'signing':
      return ['signing', 'Signing…'];
    case 'initiating':
      return ['signing', 'Starting the multipart upload…'];
    case 'resuming':
      return ['signing', `Checking which parts already landed (${state.partsDone} of ${state.partsTotal} recorded)…`];
    case 'uploading':
      if (!state.multipart) return ['uploading', 'Uploading…'];
      return ['uploading', `Uploading part ${Math.min(state.partsDone + 1, state.partsTotal ?? state.partsDone + 1)} of ${state.partsTotal ?? '?'}…`];
    case 'retrying':
      return ['retrying', `Retrying (${STEP_NAMES[state.step] ?? state.step}, try ${state.attempt + 1}) in ${(state.delayMs / 1000).toFixed(1)} s: ${withoutUrls(state.reason)}`];
    case 'waiting-for-network':
      return ['waiting', 'Offline: waiting for the network to come back…'];
    case 'completing':
      return ['completing', `Completing (${state.partsTotal} parts)…`];
    case 'done':
      return ['done', `Done: ${state.result.key}${state.result.resumed ? ` (resumed; ${state.result.partsSent} of ${state.result.parts} parts sent now)` : ''}.`];
    case 'failed':
      row.error = state.error;
      return ['failed', `Failed at step "${STEP_NAMES[state.error.step] ?? state.error.step}": ${withoutUrls(state.error.message)}${state.error.upload ? ' — the parts already sent are kept; Resume goes on from them.' : ''}`];
    default:
      return undefined;
  }
}

class UploadPage {
  private readonly rows: FileRow[] = [];
  private readonly store: CheckpointStore;
  private busy = 0;

  constructor(private readonly config: PageConfig) {
    let store: CheckpointStore;
    try {
      store = localStorageCheckpointStore();
    } catch {
      store = memoryCheckpointStore();
    }
    this.store = store;
  }

  private options(row: FileRow): UploadOptions {
    const c = this.config;
    return {
      endpoint: c.presignPut,
      getEndpoint: c.presignGet,
      token,
      key: row.key,
      contentType: row.file.type || 'application/octet-stream',
      multipartThreshold: c.multipartAbove,
      partSize: c.partSize,
      partsPerRequest: c.partsPerRequest,
      concurrency: c.concurrency,
      retryDelays: c.retryDelays,
      checkpoints: this.store,
      fingerprint: row.fingerprint,
      onProgress: (p) => row.progress(p),
      onStateChange: (s) => {
        const shown = describeState(s, row);
        if (shown) row.set(...shown);
      },
    };
  }

  private refresh(): void {
    const idle = this.busy === 0;
    document.body.dataset.busy = String(!idle);
    $<HTMLButtonElement>('upload').disabled = !idle || !this.rows.some((r) => r.state === 'queued' || r.state === 'resumable');
    $<HTMLButtonElement>('clear').disabled = !idle || this.rows.length === 0;
    $('status').textContent = idle ? (this.rows.length ? `${this.rows.filter((r) => r.state === 'done').length} of ${this.rows.length} uploaded.` : 'Choose or drop files.') : 'Uploading…';
  }

  async add(files: Iterable<File>): Promise<void> {
    const prefix = $<HTMLInputElement>('prefix').value.trim();
    const saved = await this.store.list?.() ?? [];
    for (const file of files) {
      const key = `${prefix}${file.name}`;
      const fingerprint = ['page', key, file.name, file.type, file.size, file.lastModified].join('|');
      if (this.rows.some((r) => r.fingerprint === fingerprint && r.state !== 'done')) continue;
      const row = new FileRow(file, key, fingerprint);
      const checkpoint = saved.find(([fp]) => fp === fingerprint)?.[1];
      if (checkpoint) row.set('resumable', `Resumable: ${Object.keys(checkpoint.parts).length} of ${Math.ceil(checkpoint.size / checkpoint.partSize)} parts were uploaded before. Upload goes on from there.`);
      row.actions([['Remove', () => this.remove(row), true]]);
      this.rows.push(row);
      $('queue').append(row.li);
    }
    await this.showUnfinished();
    this.refresh();
  }

  private remove(row: FileRow): void {
    this.rows.splice(this.rows.indexOf(row), 1);
    row.li.remove();
    this.refresh();
  }

  async start(): Promise<void> {
    const ready = this.rows.filter((r) => r.state === 'queued' || r.state === 'resumable');
    await Promise.all(ready.map((row) => this.run(row)));
  }

  private async run(row: FileRow): Promise<void> {
    this.busy += 1;
    row.error = undefined;
    row.controller = new AbortController();
    row.actions([['Cancel', () => row.controller?.abort(), true]]);
    this.refresh();
    try {
      const result = await upload(row.file, { ...this.options(row), signal: row.controller.signal });
      row.actions([]);
      await this.link(result.key);
    } catch (err) {
      if (err instanceof Error && err.name === 'AbortError') {
        row.set('resumable', 'Cancelled. The parts already sent are kept: Resume goes on from them, Discard drops them.');
        row.actions([['Resume', () => void this.run(row)], ['Discard', () => void this.discard(row), true]]);
      } else if (err instanceof UploadError && err.upload) {
        row.actions([['Resume', () => void this.run(row)], ['Discard', () => void this.discard(row), true]]);
      } else {
        row.actions([['Retry', () => void this.run(row)], ['Remove', () => this.remove(row), true]]);
      }
    } finally {
      this.busy -= 1;
      await this.showUnfinished();
      this.refresh();
    }
  }

  /** AbortMultipartUpload for a failed or cancelled upload; says plainly when it could not be sent. */
  private async discard(row: FileRow): Promise<void> {
    const checkpoint = await this.store.get(row.fingerprint);
    const target = row.error?.upload ?? (checkpoint ? { key: checkpoint.key, uploadId: checkpoint.uploadId } : undefined);
    if (!target) return this.remove(row);
    this.busy += 1;
    this.refresh();
    row.set('signing', 'Discarding: asking OSS to drop the parts…');
    const outcome = await abortUpload({ ...target, size: row.file.size }, { endpoint: this.config.presignPut, token, retryDelays: this.config.retryDelays, checkpoints: this.store, fingerprint: row.fingerprint });
    this.busy -= 1;
    if (outcome.status === 'not-sent') {
      row.set('failed', `Could not discard: ${withoutUrls(outcome.error?.message ?? 'OSS could not be reached')}. The parts stay at OSS until Discard gets through (or the bucket's lifecycle rule removes them).`);
      row.actions([['Discard', () => void this.discard(row), true]]);
    } else {
      row.set('discarded', outcome.status === 'aborted' ? 'Discarded: OSS dropped the parts.' : 'Discarded (OSS no longer had this upload).');
      row.actions([['Remove', () => this.remove(row), true]]);
    }
    await this.showUnfinished();
    this.refresh();
  }

  private async link(key: string): Promise<void> {
    const { url, expiration } = await downloadUrl(key, { endpoint: this.config.presignPut, getEndpoint: this.config.presignGet, token });
    addLink(key, url, expiration);
  }

  /** Checkpoints whose file is not in the list: what a reload left behind. */
  async showUnfinished(): Promise<void> {
    const saved = await this.store.list?.() ?? [];
    const open = saved.filter(([fp]) => !this.rows.some((r) => r.fingerprint === fp));
    $('unfinished').hidden = open.length === 0;
    $('unfinished-list').replaceChildren(...open.map(([fp, cp]) => {
      const li = element('li', { class: 'file', 'data-state': 'resumable', 'data-key': cp.key });
      const name = fp.split('|')[2] ?? cp.key;
      li.append(element('div', { class: 'name' }, name), element('div', { class: 'status' }, `${Object.keys(cp.parts).length} of ${Math.ceil(cp.size / cp.partSize)} parts uploaded (${formatBytes(cp.size)}). Choose the same file to resume.`));
      const discard = element('button', { type: 'button', class: 'secondary', 'data-action': 'discard' }, 'Discard') as HTMLButtonElement;
      discard.addEventListener('click', () => {
        void abortUpload({ key: cp.key, uploadId: cp.uploadId, size: cp.size }, { endpoint: this.config.presignPut, token, retryDelays: this.config.retryDelays, checkpoints: this.store, fingerprint: fp })
          .then(() => this.showUnfinished());
      });
      li.append(discard);
      return li;
    }));
  }

  clear(): void {
    for (const row of [...this.rows]) if (row.state !== 'uploading') this.remove(row);
  }
}

export function addLink(key: string, url: string, expiration: string): void {
  $('done-section').hidden = false;
  const li = element('li');
  const a = element('a', { href: url, target: '_blank', rel: 'noopener' }, key);
  li.append(a, element('span', { class: 'hint' }, ` — link valid until ${expiration}`));
  $('uploaded').prepend(li);
}

function describe(config: PageConfig): string {
  const size = (n: number): string => (n % MIB === 0 ? `${n / MIB} MiB` : formatBytes(n));
  const parts = config.partSize === undefined ? 'parts the service plans (8 MiB by default)' : `parts of ${size(config.partSize)}`;
  return `Files over ${size(config.multipartAbove)} are uploaded in ${parts}, ${config.concurrency} at a time.`;
}

/** The sign-in bar: a user name for a token from the local issuer; the folder follows who is signed in. */
function startSignIn(config: PageConfig): void {
  if (config.tokenUrl === undefined) return;
  const form = $<HTMLFormElement>('signin');
  form.hidden = false;
  const show = (): void => {
    const user = signedInAs();
    $('who').textContent = user ? `Signed in as ${user}: your folder is users/${user}/.` : 'Not signed in: files go to the shared folders.';
    $('signout').hidden = user === undefined;
    $<HTMLInputElement>('prefix').value = user ? `users/${user}/` : 'uploads/';
    document.body.dataset.user = user ?? '';
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const username = $<HTMLInputElement>('username').value.trim();
    void fetch(config.tokenUrl as string, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username }) })
      .then(async (res) => {
        const answer = (await res.json()) as { access_token?: string; error_description?: string };
        if (!res.ok || answer.access_token === undefined) throw new Error(answer.error_description ?? `the issuer answered ${res.status}`);
        sessionStorage.setItem('oss-presign-token', answer.access_token);
        sessionStorage.setItem('oss-presign-user', username);
        show();
      })
      .catch((err: unknown) => {
        $('who').textContent = `Sign-in failed: ${withoutUrls(err instanceof Error ? err.message : String(err))}`;
      });
  });
  $('signout').addEventListener('click', () => {
    sessionStorage.removeItem('oss-presign-token');
    sessionStorage.removeItem('oss-presign-user');
    show();
  });
  show();
}

/** "Download a key": a GET link for any key, or the service's refusal (403 for another user's folder). */
function startFetch(config: PageConfig): void {
  $<HTMLFormElement>('fetch').addEventListener('submit', (event) => {
    event.preventDefault();
    const key = $<HTMLInputElement>('fetch-key').value.trim();
    const result = $('fetch-result');
    result.textContent = 'Signing…';
    delete result.dataset.outcome;
    void downloadUrl(key, { endpoint: config.presignPut, getEndpoint: config.presignGet, token })
      .then(({ url, expiration }) => {
        result.textContent = '';
        result.dataset.outcome = 'ok';
        addLink(key, url, expiration);
      })
      .catch((err: unknown) => {
        const refused = err instanceof UploadError ? `${err.status ?? ''} ${err.code ?? ''}`.trim() : '';
        result.dataset.outcome = refused || 'error';
        result.textContent = `Refused: ${refused} ${withoutUrls(err instanceof Error ? err.message : String(err))}`;
      });
  });
}

async function main(): Promise<void> {
  const config = await loadConfig();
  startSignIn(config);
  startFetch(config);
  $('mode').textContent = describe(config);
  if (params.get('mode') === 'uppy') {
    $('simple').hidden = true;
    $('uppy').hidden = false;
    const mode = (await import(new URL('uppy.js', location.href).href)) as { startUppy(c: PageConfig, t: typeof token, link: typeof addLink): void };
    mode.startUppy(config, token, addLink);
    document.body.dataset.state = 'ready';
    $('status').textContent = 'Drop files on the Dashboard.';
    return;
  }
  const page = new UploadPage(config);
  const input = $<HTMLInputElement>('files');
  input.addEventListener('change', () => {
    void page.add(input.files ? Array.from(input.files) : []).then(() => {
      input.value = '';
    });
  });
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    void page.add(e.dataTransfer ? Array.from(e.dataTransfer.files) : []);
  });
  $('upload').addEventListener('click', () => void page.start());
  $('clear').addEventListener('click', () => page.clear());
  await page.showUnfinished();
  $('status').textContent = 'Choose or drop files.';
  document.body.dataset.busy = 'false';
  document.body.dataset.state = 'ready';
}

main().catch((err: unknown) => {
  $('status').textContent = `The page could not start: ${withoutUrls(err instanceof Error ? err.message : String(err))}`;
  document.body.dataset.state = 'error';
});
