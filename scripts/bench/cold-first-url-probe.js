// Fresh process: nanoseconds from before `require(argv[2])` until its presign() has returned one URL.
const start = process.hrtime.bigint();
const { presign } = require(process.argv[2]);
presign({
  method: 'PUT',
  bucket: 'examplebucket',
  key: 'uploads/a.png',
  region: 'cn-hangzhou',
  credentials: { accessKeyId: 'STS.example', accessKeySecret: 'example-secret', securityToken: 'CAIS+example/token==' },
  expires: 900,
  headers: { 'content-type': 'image/png' },
});
const elapsed = process.hrtime.bigint() - start;
process.stdout.write(String(elapsed));
