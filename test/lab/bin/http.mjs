// One HTTP request from inside a namespace, printed as JSON on stdout. Failures are data ({ error: { code } }),
// so a test can tell a timeout (dropped) from a refusal (reset). Exit code 0 either way; 2 = bad arguments.
// argv[2]: { url, method?, headers?, body?, timeoutMs? (default 3000), localAddress? (bind the client socket),
//           caFile? (https: trust this PEM CA, and only it) }
// https answers also carry { tls: { authorized, subject } } (a certificate that does not verify is an error).
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

const options = JSON.parse(process.argv[2] ?? 'null');
if (!options?.url) {
  process.stderr.write('usage: http.mjs \'{"url":"http://..."}\'\n');
  process.exit(2);
}
const started = performance.now();
const print = (result) =>
  process.stdout.write(`${JSON.stringify({ ...result, durationMs: Math.round(performance.now() - started) })}\n`);

const secure = options.url.startsWith('https:');
const req = (secure ? httpsRequest : httpRequest)(options.url, {
  method: options.method ?? 'GET',
  headers: options.headers ?? {},
  ...(options.localAddress ? { localAddress: options.localAddress } : {}),
  ...(secure && options.caFile ? { ca: readFileSync(options.caFile, 'utf8') } : {}),
  agent: false,
});
const timer = setTimeout(
  () =>
    req.destroy(Object.assign(new Error(`no answer within ${options.timeoutMs ?? 3000} ms`), { code: 'ETIMEDOUT' })),
  options.timeoutMs ?? 3000,
);
req.on('response', (response) => {
  const chunks = [];
  let size = 0;
  response.on('data', (chunk) => {
    size += chunk.length;
    if (size <= 1024 * 1024) chunks.push(chunk);
  });
  response.on('end', () => {
    clearTimeout(timer);
    const tls = secure
      ? { tls: { authorized: response.socket.authorized, subject: response.socket.getPeerCertificate().subject?.CN } }
      : {};
    print({
      status: response.statusCode,
      headers: response.headers,
      body: Buffer.concat(chunks).toString('utf8'),
      ...tls,
    });
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
