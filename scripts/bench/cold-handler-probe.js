/* global Buffer */
// Fresh process: nanoseconds from before `require(argv[2])` until its handler has answered one FC-style request
// (the JSON payload in argv[3]).
// stdout/stderr are touched first: in Function Compute the runtime has loaded them long before the first request,
// and both handlers print (a log line; ali-oss a console.warn), so neither should be charged for loading them.
void process.stdout;
void process.stderr;
const start = process.hrtime.bigint();
const { handler } = require(process.argv[2]);
const context = {
  requestId: 'bench-1',
  region: 'cn-hangzhou',
  credentials: { accessKeyId: 'STS.benchKey', accessKeySecret: 'bench-secret', securityToken: 'bench-token' },
  function: { name: 'bench', handler: 'index.handler', memory: 128, timeout: 5 },
  logger: { info() {}, warn() {}, error() {}, debug() {}, log() {} },
};
Promise.resolve(handler(Buffer.from(process.argv[3]), context)).then((result) => {
  const elapsed = process.hrtime.bigint() - start;
  // A direct answer carries the URL; an HTTP trigger's answer carries it in its body.
  const answer = result && typeof result.body === 'string' ? JSON.parse(result.body) : result;
  if (!answer || typeof answer.url !== 'string' || !answer.url.includes('x-oss-signature=')) {
    process.stderr.write(`no URL in ${JSON.stringify(result)}`);
    process.exit(2);
  }
  // Resident memory once the first answer is out: what the instance holds before any further request.
  process.stdout.write(`\n${elapsed} ${process.memoryUsage().rss}`);
});
