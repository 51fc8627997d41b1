/**
 * `plex-diagnose reflector`: the outside-check server. Runs until SIGINT/SIGTERM, writes one line per check or
 * refusal to stderr (no secret, no signature), keeps nothing on disk. See docs/outside-checks.md for the threat model.
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../../core/errors.js';
import { loadSecret, SECRET_ENV } from '../../outside/secret.js';
import { startReflector } from '../../outside/reflector/server.js';
import type { CommandContext } from '../command-context.js';
import { isIpAddress } from '../../core/net/address.js';

const str = (values: CommandContext['values'], name: string): string | undefined =>
  typeof values[name] === 'string' ? values[name] : undefined;

/** `0.0.0.0:8443`, `[::]:8443`, `localhost:8443`; port 0 picks a free port (tests). A name other than localhost is refused: bind to an address. */
function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (!host || port > 65535 || !(isIpAddress(host) || host === 'localhost'))
    throw new UsageError(`--listen "${text.slice(0, 60)}" must be <ip>:<port>, e.g. 0.0.0.0:8443 or [::]:8443`);
  return { host, port };
}

async function readPem(file: string, flag: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --${flag} ${file} (${(error as { code?: string }).code ?? 'unreadable'})`);
  }
}

export default async function reflectorCommand({ values, output }: CommandContext): Promise<number> {
  const listen = str(values, 'listen');
  if (!listen) throw new UsageError('reflector needs --listen <host:port> (e.g. 0.0.0.0:8443 to face the internet)');
  const { host, port } = parseListen(listen);
  const certFile = str(values, 'tls-cert');
  const keyFile = str(values, 'tls-key');
  if ((certFile === undefined) !== (keyFile === undefined))
    throw new UsageError('--tls-cert and --tls-key go together');
  const tls =
    certFile && keyFile
      ? { cert: await readPem(certFile, 'tls-cert'), key: await readPem(keyFile, 'tls-key') }
      : undefined;
  const loaded = await loadSecret(
    { file: str(values, 'secret-file'), env: output.streams.env[SECRET_ENV] },
    '--secret-file',
  );
  output.secrets.push(loaded.secret);
  if (loaded.warning) output.err(`warning: ${loaded.warning}\n`);

  let reflector;
  try {
    reflector = await startReflector({
      host,
      port,
      ...(tls ? { tls } : {}),
      secret: loaded.secret,
      log: (line) => output.err(`${line}\n`),
    });
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as { code?: string }).code ?? (error as Error).message;
    throw new UsageError(`cannot listen on ${listen} (${code})`);
  }
  output.err(
    `reflector listening on ${reflector.url}${tls ? '' : ' (plain HTTP: requests and answers are signed, but the port list is visible on the way)'}; Ctrl-C stops\n`,
  );
  const signal = output.streams.signal;
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await reflector.close();
  output.err('reflector stopped\n');
  return 0;
}
