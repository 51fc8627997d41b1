/**
 * The terminal QR code, decoded back: the rendered TEXT (not the matrix) is turned into pixels the way a terminal
 * shows it (a drawn character cell = light, blank = dark, like light text on a dark background) and handed to jsqr.
 */
import jsQRModule from 'jsqr';
import { describe, expect, it } from 'vitest';
import { QUIET_ZONE, qrMatrix, renderQr, terminalIsUtf8 } from '../../src/outside/phone/index.js';

// jsqr is CommonJS with a `default` beside module.exports: the types see the namespace, vitest the function.
type Decode = (data: Uint8ClampedArray, width: number, height: number, options?: object) => { data: string } | null;
const loaded = jsQRModule as unknown as Decode & { default?: Decode };
const jsQR: Decode = loaded.default ?? loaded;

const SCALE = 4;
/** Per text cell, its [top, bottom] module lightness (unicode) or one module per two characters (ascii). */
function pixelsOf(text: string, unicode: boolean): { data: Uint8ClampedArray; width: number; height: number } {
  const lines = text.trimEnd().split('\n');
  const modules: boolean[][] = []; // true = light
  if (unicode) {
    for (const line of lines) {
      const chars = [...line];
      modules.push(chars.map((c) => c === '█' || c === '▀'));
      modules.push(chars.map((c) => c === '█' || c === '▄'));
    }
  } else {
    for (const line of lines) {
      const row: boolean[] = [];
      for (let i = 0; i < line.length; i += 2) row.push(line.slice(i, i + 2) === '##');
      modules.push(row);
    }
  }
  const width = modules[0]!.length * SCALE;
  const height = modules.length * SCALE;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const value = modules[Math.floor(y / SCALE)]![Math.floor(x / SCALE)] ? 255 : 0;
      data.set([value, value, value, 255], (y * width + x) * 4);
    }
  return { data, width, height };
}

const URL_TEXT = 'http://84.1.1.2:49152/AbCdEfGhIjKlMnOpQrStUv';

describe('terminal QR code', () => {
  it('unicode half blocks decode back to the URL', () => {
    const text = renderQr(URL_TEXT, { unicode: true });
    expect(text).toMatch(/[▀▄█]/);
    const { data, width, height } = pixelsOf(text, true);
    expect(jsQR(data, width, height, { inversionAttempts: 'dontInvert' })?.data).toBe(URL_TEXT);
  });

  it('the ASCII fallback decodes back to the URL and holds only ASCII', () => {
    const text = renderQr(URL_TEXT, { unicode: false });
    expect(text).toMatch(/^[# \n]+$/);
    const { data, width, height } = pixelsOf(text, false);
    expect(jsQR(data, width, height, { inversionAttempts: 'dontInvert' })?.data).toBe(URL_TEXT);
  });

  it('an IPv6 URL with the longest nonce decodes too', () => {
    const url = 'http://[2a00:1450:4001:82b::200e]:65535/_-_-_-_-_-_-_-_-_-_-_-';
    const { data, width, height } = pixelsOf(renderQr(url, { unicode: true }), true);
    expect(jsQR(data, width, height, { inversionAttempts: 'dontInvert' })?.data).toBe(url);
  });

  it('has a quiet zone of 4 light modules on every side', () => {
    const matrix = qrMatrix(URL_TEXT);
    const size = matrix.length;
    for (let i = 0; i < size; i++)
      for (let q = 0; q < QUIET_ZONE; q++) {
        expect(matrix[q]![i]).toBe(false);
        expect(matrix[size - 1 - q]![i]).toBe(false);
        expect(matrix[i]![q]).toBe(false);
        expect(matrix[i]![size - 1 - q]).toBe(false);
      }
    // The finder pattern starts right inside the quiet zone.
    expect(matrix[QUIET_ZONE]![QUIET_ZONE]).toBe(true);
  });

  it('a corrupted rendering does not decode (the test can fail)', () => {
    const text = renderQr(URL_TEXT, { unicode: true }).replace(/[▀▄█ ]/g, (c, i: number) => (i % 3 ? c : '█'));
    const { data, width, height } = pixelsOf(text, true);
    expect(jsQR(data, width, height, { inversionAttempts: 'dontInvert' })?.data).not.toBe(URL_TEXT);
  });

  it('colour wraps each row in our own SGR codes (one code each, as the output guard allows)', () => {
    const rows = renderQr(URL_TEXT, { unicode: true, color: true }).trimEnd().split('\n');
    for (const row of rows) expect(row).toMatch(/^\u001b\[97m\u001b\[40m[▀▄█ ]+\u001b\[0m$/);
  });

  it('UTF-8 detection reads the locale', () => {
    expect(terminalIsUtf8({ LANG: 'en_US.UTF-8' }, 'linux')).toBe(true);
    expect(terminalIsUtf8({ LC_ALL: 'C', LANG: 'en_US.UTF-8' }, 'linux')).toBe(false);
    expect(terminalIsUtf8({ LC_CTYPE: 'de_DE.utf8' }, 'linux')).toBe(true);
    expect(terminalIsUtf8({}, 'linux')).toBe(false);
    expect(terminalIsUtf8({ WT_SESSION: 'x' }, 'win32')).toBe(true);
  });
});
