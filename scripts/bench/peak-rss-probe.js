/* global Buffer */
// Fresh process: `node peak-rss-probe.js <handler file> <event file>` answers the event once, as FC would hand it
// over, and prints one JSON line: the peak resident set of this process image (kilobytes), the answer's size, and
// how many signatures it holds, so the caller can check the request was answered, not refused.
const { readFileSync } = require('node:fs');

// Linux's VmHWM is the high-water mark of this process image. getrusage's maxrss is not: it survives exec, so a
// probe started by a large parent (a jest worker) would report the parent's peak.
function peakRssKb() {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]);
  } catch {
    // not Linux: fall through
  }
  return process.resourceUsage().maxRSS;
}

void process.stdout;
const { handler } = require(process.argv[2]);
const event = readFileSync(process.argv[3]);
const context = {
  requestId: 'largest-1',
  region: 'cn-hangzhou',
  accountId: '1234567890',
  credentials: { accessKeyId: 'STS.largestKey', accessKeySecret: 'largest-secret', securityToken: 'largest-token' },
  function: { name: 'largest', handler: 'index.handler', memory: 128, timeout: 5 },
};
const silent = process.stdout.write.bind(process.stdout);
process.stdout.write = () => true; // the handler's log line is not this probe's output
Promise.resolve(handler(Buffer.from(event), context)).then((answer) => {
  const text = JSON.stringify(answer);
  const signatures = (text.match(/x-oss-signature=[0-9a-f]{64}|"x-oss-signature":"[0-9a-f]{64}"/g) || []).length;
  silent(`${JSON.stringify({ peakRssKb: peakRssKb(), answerBytes: Buffer.byteLength(text), signatures, error: answer && answer.error ? answer.error.code : null })}\n`);
});
