/**
 * The URL as a QR code in the terminal. Light modules are drawn (a full or half block in UTF-8, `##` in ASCII) and
 * dark ones left blank: on the usual light-text-on-dark terminal this prints dark-on-light, the way a scanner reads it
 * (qrencode's UTF8 mode does the same). With colour allowed, each row sets black on white explicitly so a light
 * terminal theme prints it right too. A 4-module quiet zone surrounds it (ISO/IEC 18004 asks for 4).
 */
import qrcode from 'qrcode-generator';

export const QUIET_ZONE = 4;

/** The code's modules, quiet zone included: true = dark. */
export function qrMatrix(text: string): boolean[][] {
  const code = qrcode(0, 'M');
  code.addData(text, 'Byte');
  code.make();
  const count = code.getModuleCount();
  const size = count + 2 * QUIET_ZONE;
  return Array.from({ length: size }, (_, row) =>
    Array.from({ length: size }, (_, col) => {
      const r = row - QUIET_ZONE;
      const c = col - QUIET_ZONE;
      return r >= 0 && c >= 0 && r < count && c < count && code.isDark(r, c);
    }),
  );
}

export interface RenderQrOptions {
  /** Half blocks (▀▄█) when true; `##` per light module when false. */
  unicode: boolean;
  /** Wrap each row in black-on-white ANSI colour. @default false */
  color?: boolean;
}

const HALF = [' ', '▄', '▀', '█'] as const;
const COLOR_ON = '\u001b[97m\u001b[40m';
const COLOR_OFF = '\u001b[0m';

/** The rows of the rendered code, each ending in a newline. */
export function renderQr(text: string, options: RenderQrOptions): string {
  const matrix = qrMatrix(text);
  const light = (row: number, col: number): boolean => row < matrix.length && !matrix[row]![col]!;
  const rows: string[] = [];
  if (options.unicode) {
    // Two module rows per text row; the odd final row is padded with a light row (quiet zone anyway).
    for (let row = 0; row < matrix.length; row += 2) {
      let line = '';
      for (let col = 0; col < matrix.length; col++)
        line += HALF[(light(row, col) ? 2 : 0) + (row + 1 >= matrix.length || light(row + 1, col) ? 1 : 0)];
      rows.push(line);
    }
  } else {
    for (let row = 0; row < matrix.length; row++) rows.push(matrix[row]!.map((dark) => (dark ? '  ' : '##')).join(''));
  }
  return rows.map((line) => (options.color ? `${COLOR_ON}${line}${COLOR_OFF}` : line) + '\n').join('');
}

/** Whether the terminal can show the half blocks: a UTF-8 locale (LC_ALL, LC_CTYPE, LANG) or Windows Terminal. */
export function terminalIsUtf8(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): boolean {
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  if (/utf-?8/i.test(locale)) return true;
  return platform === 'win32' && env.WT_SESSION !== undefined;
}
