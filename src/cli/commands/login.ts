import { createPlexTvClient } from '../../clients/plextv/index.js';
import { parseDuration } from '../../watch/interval.js';
import { getOrCreateClientIdentifier, updateConfig } from '../../this-host/config-file.js';
import type { CommandContext } from '../command-context.js';
import { httpUrl } from '../validate-flags.js';

/** The PIN flow: print the link and code, wait for the sign-in, store the token (0600), never print it. */
export default async function loginCommand({ values, output }: CommandContext): Promise<number> {
  const env = output.streams.env;
  const timeoutMs = typeof values.timeout === 'string' ? parseDuration(values.timeout, { what: 'timeout' }) : 300_000;
  const rawUrl =
    typeof values['plextv-url'] === 'string' ? values['plextv-url'] : env.PLEX_DIAGNOSE_PLEXTV_URL || undefined;
  const baseUrl = rawUrl === undefined ? undefined : httpUrl(rawUrl, 'plextv-url');
  const clientIdentifier = await getOrCreateClientIdentifier({ env });
  const plexTv = createPlexTvClient({
    clientIdentifier,
    signal: output.streams.signal,
    ...(baseUrl ? { baseUrl } : {}),
  });
  const pin = await plexTv.createPin();
  output.err(
    `Open this link and sign in to Plex:\n\n  ${plexTv.authUrl(pin)}\n\n(code ${pin.code}; waiting up to ${Math.round(timeoutMs / 1000)} s, Ctrl-C to stop)\n`,
  );
  const outcome = await plexTv.pollPin(pin.id, { signal: output.streams.signal, timeoutMs });
  if (outcome.status !== 'authorized') {
    output.err(
      outcome.status === 'expired'
        ? 'The code expired before anyone signed in. Run `plex-diagnose login` again.\n'
        : outcome.status === 'cancelled'
          ? 'Login cancelled.\n'
          : 'Nobody signed in in time. Run `plex-diagnose login` again.\n',
    );
    // Ctrl-C is an interruption (130), as everywhere else in the CLI; an expired or unused code is a failure (1).
    return outcome.status === 'cancelled' && output.streams.signal.aborted ? 130 : 1;
  }
  output.secrets.push(outcome.authToken);
  const user = await createPlexTvClient({ token: outcome.authToken, clientIdentifier, ...(baseUrl ? { baseUrl } : {}) })
    .user()
    .catch(() => undefined);
  const saved = await updateConfig(
    (config) => ({
      ...config,
      token: outcome.authToken,
      ...(user?.username ? { account: { username: user.username } } : {}),
    }),
    { env },
  );
  output.err(
    `Signed in${saved.account?.username ? ` as ${saved.account.username}` : ''}. The token is stored in the config file (mode 0600); plex-diagnose uses it from now on.\n`,
  );
  return 0;
}
