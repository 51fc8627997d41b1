// One HTTP request from inside a namespace, printed as JSON on stdout. Failures are data ({ error: { code } }),
// so a test can tell a timeout (dropped) from a refusal (reset). Exit code 0 either way; 2 = bad arguments.
// argv[2]: { url, method?, headers?, body?, timeoutMs? (default 3000), localAddress? (bind the client socket) }
import { request } from 'node:http';

const options = JSON.parse(process.argv[2] ?? 'null');
if (!options?.url) {
  process.stderr.write('usage: http.mjs \'{"url":"http://..."}\'\n');
  process.exit(2);
}
const started = performance.now();
const print = (result) => process.stdout.write(`${JSON.stringify({ ...result, durationMs: Math.round(performance.now() - started) })}\n`);

const req = request(options.url, {
  method: options.method ?? 'GET',
  headers: options.headers ?? {},
  ...(options.localAddress ? { localAddress: options.localAddress } : {}),
  agent: false,
});
const timer = setTimeout(() => req.destroy(Object.assign(new Error(`no answer within ${options.timeoutMs ?? 3000} ms`), { code: 'ETIMEDOUT' })), options.timeoutMs ?? 3000);
req.on('response', (response) => {
  const chunks = [];
  let size = 0;
  response.on('data', (chunk) => {
    size += chunk.length;
    if (size <= 1024 * 1024) chunks.push(chunk);
  });
  response.on('end', () => {
    clearTimeout(timer);
    print({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') });
  });
  response.on('error', (error) => {
    clearTimeout(timer);
    print({ error: { code: error.code ?? 'ERESPONSE', message: error.message } });
  });
});
req.on('error', (error) => {
  clearTimeout(timer);
  print({ error: { code: error.code ?? 'EUNKNOWN', message: error.message } });
});
req.end(options.body);
