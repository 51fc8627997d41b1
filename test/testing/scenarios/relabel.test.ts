import { describe, expect, it } from 'vitest';
import { relabel, relabelResult, relabelText } from '../../../src/testing/scenarios/relabel.js';

describe('relabelText', () => {
  it('renames an endpoint only where it stands alone, not inside a longer port or address', () => {
    const pairs = [['127.0.0.1:4000', '192.168.1.1:5000']] as const;
    expect(relabelText('http://127.0.0.1:4000/rootDesc.xml', pairs)).toBe('http://192.168.1.1:5000/rootDesc.xml');
    expect(relabelText('127.0.0.1:40001 and 10.127.0.0.1:4000', pairs)).toBe('127.0.0.1:40001 and 10.127.0.0.1:4000');
    expect(relabelText('a 127.0.0.1:4000: refused; again 127.0.0.1:4000', pairs)).toBe(
      'a 192.168.1.1:5000: refused; again 192.168.1.1:5000',
    );
  });

  it('applies pairs in order, so a longer endpoint can be renamed before its bare address', () => {
    expect(
      relabelText('127.0.0.1:80 from 127.0.0.1', [
        ['127.0.0.1:80', 'router:80'],
        ['127.0.0.1', 'server'],
      ]),
    ).toBe('router:80 from server');
  });
});

describe('relabel', () => {
  it('renames every string of nested JSON and leaves other values alone', () => {
    const value = { url: 'http://127.0.0.1:9/x', list: ['127.0.0.1:9', 3, true, null], nested: { n: 1 } };
    expect(relabel(value, [['127.0.0.1:9', 'host:1']])).toEqual({
      url: 'http://host:1/x',
      list: ['host:1', 3, true, null],
      nested: { n: 1 },
    });
    expect(value.url).toBe('http://127.0.0.1:9/x');
  });

  it('patches an ok value after renaming, and only renames a failure', () => {
    const ok = relabelResult({ status: 'ok', value: { address: '127.0.0.1', port: 9 }, durationMs: 1 }, [], (v) => ({
      ...v,
      port: 32400,
    }));
    expect(ok).toEqual({ status: 'ok', value: { address: '127.0.0.1', port: 32400 }, durationMs: 1 });
    const failed = relabelResult<{ port: number }>(
      {
        status: 'failed',
        error: { phase: 'connect', code: 'ECONNREFUSED', message: '127.0.0.1:9: connection refused' },
        durationMs: 1,
      },
      [['127.0.0.1:9', '192.168.1.1:5351']],
      () => {
        throw new Error('never called for a failure');
      },
    );
    expect(failed).toEqual({
      status: 'failed',
      error: { phase: 'connect', code: 'ECONNREFUSED', message: '192.168.1.1:5351: connection refused' },
      durationMs: 1,
    });
  });
});
