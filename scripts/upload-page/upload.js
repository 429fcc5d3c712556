// Upload page for the local stack (and any deployment that sets CORS_ALLOW_ORIGINS): no framework, no build step.
// Flow: POST presign-put { key, contentType, contentLength } → PUT the file with exactly signedHeaders (XHR, for
// upload progress) → POST presign-get { key } → show the link.
/* global document, location, fetch, URLSearchParams, XMLHttpRequest */
'use strict';

// Browsers set these themselves (and refuse to let a page set them); the browser's value is the signed one.
const BROWSER_OWNED = new Set(['content-length', 'host']);

const $ = (id) => document.getElementById(id);

function setStatus(text, isError) {
  $('status').textContent = text;
  $('status').className = isError ? 'error' : '';
}

async function loadConfig() {
  const params = new URLSearchParams(location.search);
  if (params.get('put') && params.get('get')) return { presignPut: params.get('put'), presignGet: params.get('get') };
  const res = await fetch('config.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`config.json answered ${res.status}`);
  return res.json();
}

async function presign(url, request) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    const err = body.error || {};
    throw new Error(`${url} answered ${res.status} ${err.code || ''}: ${err.message || ''}`);
  }
  return body;
}

function putWithProgress(url, headers, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    for (const [name, value] of Object.entries(headers)) {
      if (!BROWSER_OWNED.has(name.toLowerCase())) xhr.setRequestHeader(name, value);
    }
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(xhr);
      else {
        const code = /<Code>([^<]*)<\/Code>/.exec(xhr.responseText || '');
        reject(new Error(`upload answered ${xhr.status}${code ? ` ${code[1]}` : ''}`));
      }
    };
    xhr.onerror = () => reject(new Error('upload failed (network or CORS)'));
    // The File itself: the browser streams it and sets content-length to file.size.
    xhr.send(file);
  });
}

async function upload(config, file, key) {
  const contentType = file.type || 'application/octet-stream';
  $('progress').value = 0;
  $('result').hidden = true;
  setStatus('Presigning…');
  const put = await presign(config.presignPut, { key, contentType, contentLength: file.size });
  setStatus(`Uploading ${file.name} (${file.size} bytes, ${contentType})…`);
  const xhr = await putWithProgress(put.url, put.signedHeaders || {}, file, (f) => {
    $('progress').value = Math.round(f * 100);
  });
  $('progress').value = 100;
  const get = await presign(config.presignGet, { key });
  $('link').href = get.url;
  $('link').textContent = key;
  $('result').hidden = false;
  $('details').hidden = false;
  $('details').textContent = `ETag ${xhr.getResponseHeader('ETag') || '(not exposed)'}\nlink expires ${get.expiration}`;
  setStatus(`Uploaded ${key}.`);
  document.body.dataset.state = 'done';
}

loadConfig().then((config) => {
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
