/**
 * The fake's connect-back check, like plex.tv's reachability test of a published server (docs/reference/plex-api.md §3:
 * "calls a plex.tv service which asks it to make a request to the PMS instance to see if it's reachable"): connect to
 * the address and port, `GET /identity` over plain http without a token, and require the same machineIdentifier.
 */
import { decodeBody } from '../../http/decode.js';
import { httpRequest } from '../../http/transport.js';
import { loadUndici } from '../../http/load-undici.js';
import { isRecord } from '../../clients/plextv/shape.js';
import { hostPort } from './publish.js';

export interface ConnectBackResult {
  reachable: boolean;
  error?: string;
}

export async function connectBack(
  address: string,
  port: number,
  machineIdentifier: string,
  timeoutMs: number,
): Promise<ConnectBackResult> {
  // Its own agent: no pooled socket from an earlier check, and a test's global dispatcher (nock) is never involved.
  const { Agent } = await loadUndici();
  const agent = new Agent({ connections: 1, connect: { timeout: timeoutMs } });
  try {
    const response = await httpRequest({
      url: `http://${hostPort(address, port)}/identity`,
      timeoutMs,
      dispatcher: agent,
      maxRedirects: 0,
      maxBodyBytes: 64 * 1024,
    });
    if (response.status !== 200) return { reachable: false, error: `/identity answered HTTP ${response.status}` };
    const data = decodeBody(response.body);
    const container = isRecord(data) ? data.MediaContainer : undefined;
    const answered = isRecord(container) ? container.machineIdentifier : undefined;
    if (answered !== machineIdentifier) {
      return {
        reachable: false,
        error: `/identity answered machineIdentifier ${String(answered)}, not ${machineIdentifier}`,
      };
    }
    return { reachable: true };
  } catch (error) {
    return { reachable: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    await agent.destroy().catch(() => undefined);
  }
}
