// Upload page for the local stack (and any deployment that sets CORS_ALLOW_ORIGINS): no framework, no build step.
//
// Small files: POST presign-put { key, contentType, contentLength } → PUT the file with exactly signedHeaders (XHR,
// for upload progress) → POST presign-get { key } → show the link.
//
// Files over the multipart threshold (8 MiB unless ?multipartAbove=<bytes>): presign-put's multipart contract.
//   1. presign-put { multipart: { key, size, contentType[, partSize] } } → the InitiateMultipartUpload URL and a plan
//   2. POST that URL with its signedHeaders → OSS answers XML with the UploadId
//   3. presign-put { multipart: { key, uploadId, size[, partSize], firstPart, parts } }, one page of part URLs at a
//      time → PUT each part URL with exactly its signedHeaders and its byte range (file.slice), a few at once,
//      keeping each part's ETag response header (the bucket's CORS rule must expose ETag)
//   4. POST the complete URL with the XML body its bodyFormat describes → presign-get → the link
// Any failure after step 2 sends the abort URL (DELETE ?uploadId=…), so OSS does not keep (and bill) the parts.
//
// Query parameters (each also read from config.json): multipartAbove (bytes; files larger than this go in parts),
// partSize (bytes, ≥ 100 KB; default: the service's plan), partsPerRequest (part URLs asked for at once, default 100),
// concurrency (parts in flight, default 3), put and get (the presign-put and presign-get URLs).
/* global document, location, fetch, URLSearchParams, XMLHttpRequest, DOMParser */
'use strict';

// Browsers set these themselves (and refuse to let a page set them); the browser's value is the signed one.
const BROWSER_OWNED = new Set(['content-length', 'host']);
const MIB = 1024 * 1024;
const DEFAULTS = { multipartAbove: 8 * MIB, partSize: undefined, partsPerRequest: 100, concurrency: 3 };
// OSS's floor for every part but the last; the service refuses a smaller partSize.
const MIN_PART_SIZE = 100 * 1024;

const $ = (id) => document.getElementById(id);

function setStatus(text, isError) {
  $('status').textContent = text;
  $('status').className = isError ? 'error' : '';
}

/** A whole number ≥ min from the query or config.json, else undefined (then the default applies). */
function whole(value, min) {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= min ? n : undefined;
}

async function loadConfig() {
  const params = new URLSearchParams(location.search);
  let config = {};
  if (params.get('put') && params.get('get')) config = { presignPut: params.get('put'), presignGet: params.get('get') };
  else {
    const res = await fetch('config.json', { cache: 'no-store' });
    if (!res.ok) throw new Error(`config.json answered ${res.status}`);
    config = await res.json();
  }
  const pick = (name, min) => whole(params.get(name), min) ?? whole(config[name], min) ?? DEFAULTS[name];
  return {
    ...config,
    multipartAbove: pick('multipartAbove', 0),
    partSize: pick('partSize', MIN_PART_SIZE),
    partsPerRequest: pick('partsPerRequest', 1),
    concurrency: pick('concurrency', 1),
  };
}

async function presign(url, request) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
  const body = await res.json().catch(() => ({}));
  if (!res.ok || body.error) {
    const err = body.error || {};
    throw new Error(`${url} answered ${res.status} ${err.code || ''}: ${err.message || ''}`);
  }
  return body;
}

function sendable(headers) {
  const out = {};
  for (const [name, value] of Object.entries(headers || {})) {
    if (!BROWSER_OWNED.has(name.toLowerCase())) out[name] = value;
  }
  return out;
}

function ossError(what, status, text) {
  const code = /<Code>([^<]*)<\/Code>/.exec(text || '');
  return new Error(`${what} answered ${status}${code ? ` ${code[1]}` : ''}`);
}

/** PUT with upload progress (fetch has none). `xhrs` collects the request so a failure elsewhere can cancel it. */
function putWithProgress(url, headers, body, onProgress, what = 'upload', xhrs = undefined) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhrs?.add(xhr);
    const settle = (fn, value) => {
      xhrs?.delete(xhr);
      fn(value);
    };
    xhr.open('PUT', url);
    for (const [name, value] of Object.entries(sendable(headers))) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) settle(resolve, xhr);
      else settle(reject, ossError(what, xhr.status, xhr.responseText));
    };
    xhr.onerror = () => settle(reject, new Error(`${what} failed (network or CORS)`));
    xhr.onabort = () => settle(reject, new Error(`${what} cancelled`));
    // A File or a Blob slice: the browser streams it and sets content-length to its size.
    xhr.send(body);
  });
}

/** Overall progress: bytes sent across every request, as a percentage of the file. */
function progressMeter(total) {
  const sent = new Map();
  const show = () => {
    let bytes = 0;
    for (const n of sent.values()) bytes += n;
    $('progress').value = total === 0 ? 100 : Math.floor((bytes / total) * 100);
    $('progress').dataset.sent = String(bytes);
  };
  show();
  return {
    update(part, bytes) {
      sent.set(part, bytes);
      show();
    },
  };
}

async function singlePut(config, file, key, contentType) {
  const put = await presign(config.presignPut, { key, contentType, contentLength: file.size });
  setStatus(`Uploading ${file.name} (${file.size} bytes, ${contentType})…`);
  const meter = progressMeter(file.size);
  const xhr = await putWithProgress(put.url, put.signedHeaders, file, (n) => meter.update(1, n));
  meter.update(1, file.size);
  return `ETag ${xhr.getResponseHeader('ETag') || '(not exposed)'}`;
}

const xmlEscape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function xmlText(text, tag) {
  const doc = new DOMParser().parseFromString(text, 'application/xml');
  const node = doc.getElementsByTagName(tag)[0];
  return node ? node.textContent : undefined;
}

async function multipartPut(config, file, key, contentType) {
  const chosen = config.partSize === undefined ? {} : { partSize: config.partSize };
  setStatus(`Starting a multipart upload of ${file.name} (${file.size} bytes, ${contentType})…`);
  const init = await presign(config.presignPut, { multipart: { key, size: file.size, contentType, ...chosen } });
  const initiated = await fetch(init.url, { method: init.method, headers: sendable(init.signedHeaders) });
  const initText = await initiated.text();
  if (!initiated.ok) throw ossError('initiate', initiated.status, initText);
  const uploadId = xmlText(initText, 'UploadId');
  if (!uploadId) throw new Error('OSS answered the initiate request without an UploadId');

  const { partSize, parts: partCount } = init.plan;
  const meter = progressMeter(file.size);
  const etags = [];
  const inFlight = new Set();
  let last; // the latest parts answer: its complete and abort URLs are the freshest
  let failed = false;
  let done = 0;
  const askParts = (firstPart, parts) =>
    presign(config.presignPut, { multipart: { key, uploadId, size: file.size, ...chosen, firstPart, parts } });
  try {
    for (let firstPart = 1; firstPart <= partCount; firstPart += config.partsPerRequest) {
      last = await askParts(firstPart, Math.min(config.partsPerRequest, partCount - firstPart + 1));
      const queue = [...last.parts];
      const worker = async () => {
        // Once a part has failed no worker starts another: the upload is aborted as a whole.
        for (let part = queue.shift(); part && !failed; part = queue.shift()) {
          const start = (part.partNumber - 1) * partSize;
          const end = start + (part.size ?? Math.min(partSize, file.size - start));
          const xhr = await putWithProgress(part.url, part.signedHeaders, file.slice(start, end), (n) => meter.update(part.partNumber, n), `part ${part.partNumber}`, inFlight);
          const etag = xhr.getResponseHeader('ETag');
          if (!etag) throw new Error(`part ${part.partNumber} uploaded, but its ETag header is not readable: the bucket's CORS rule must expose ETag (ExposeHeaders, see docs/operations.md)`);
          etags[part.partNumber - 1] = etag;
          meter.update(part.partNumber, end - start);
          done += 1;
          setStatus(`Uploading ${file.name}: ${done} of ${partCount} parts sent…`);
        }
      };
      await Promise.all(Array.from({ length: Math.min(config.concurrency, queue.length) }, () => worker().catch((err) => {
        failed = true;
        throw err;
      })));
    }
    setStatus(`Completing the upload (${partCount} parts)…`);
    const body = `<CompleteMultipartUpload>${etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${xmlEscape(etag)}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
    const completed = await fetch(last.complete.url, { method: last.complete.method, headers: sendable(last.complete.signedHeaders), body });
    const doneText = await completed.text();
    if (!completed.ok || xmlText(doneText, 'Error') !== undefined) throw ossError('complete', completed.status, doneText);
    return `ETag ${xmlText(doneText, 'ETag') || '(none)'}, ${partCount} parts`;
  } catch (err) {
    for (const xhr of inFlight) xhr.abort();
    throw new Error(`${err.message}; ${await abortUpload(last, () => askParts(1, 1))}`, { cause: err });
  }
}

/** Sends the abort URL (asking for one first if no parts answer came yet); says what happened. */
async function abortUpload(answer, askForOne) {
  try {
    const abort = (answer ?? (await askForOne())).abort;
    const res = await fetch(abort.url, { method: abort.method, headers: sendable(abort.signedHeaders) });
    document.body.dataset.aborted = String(res.status);
    return res.ok ? 'upload aborted' : `abort answered ${res.status}`;
  } catch (err) {
    document.body.dataset.aborted = 'failed';
    return `abort failed: ${err.message}`;
  }
}

async function upload(config, file, key) {
  const contentType = file.type || 'application/octet-stream';
  $('progress').value = 0;
  $('result').hidden = true;
  $('details').hidden = true;
  delete document.body.dataset.aborted;
  setStatus('Presigning…');
  const multipart = file.size > config.multipartAbove;
  const details = multipart ? await multipartPut(config, file, key, contentType) : await singlePut(config, file, key, contentType);
  const get = await presign(config.presignGet, { key });
  $('link').href = get.url;
  $('link').textContent = key;
  $('result').hidden = false;
  $('details').hidden = false;
  $('details').textContent = `${details}\nlink expires ${get.expiration}`;
  setStatus(`Uploaded ${key}.`);
  document.body.dataset.state = 'done';
}

function describe(config) {
  const size = (n) => (n % MIB === 0 ? `${n / MIB} MiB` : `${n} bytes`);
  const parts = config.partSize === undefined ? 'parts the service plans (8 MiB by default)' : `parts of ${size(config.partSize)}`;
  return `Files over ${size(config.multipartAbove)} are uploaded in ${parts}, ${config.concurrency} at a time.`;
}

loadConfig().then((config) => {
  $('mode').textContent = describe(config);
  $('form').addEventListener('submit', (event) => {
    event.preventDefault();
    const file = $('file').files[0];
    if (!file) return;
    const key = $('key').value.trim() || `uploads/${file.name}`;
    document.body.dataset.state = 'uploading';
    upload(config, file, key).catch((err) => {
      setStatus(err.message, true);
      document.body.dataset.state = 'error';
    });
  });
  document.body.dataset.state = 'ready';
}, (err) => {
  setStatus(`Could not load config.json: ${err.message}`, true);
  document.body.dataset.state = 'error';
});
