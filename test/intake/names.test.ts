// cleanFileName: the one cleaning of sender-chosen file names, used by submit() for every ingress (issue #12.10).
import { describe, expect, it } from 'vitest';
import { cleanFileName } from '../../src/intake/names.js';

describe('cleanFileName', () => {
  it.each([
    ['../../../../etc/passwd', 'passwd'],
    ['..\\..\\windows\\win.ini', 'win.ini'],
    ['C:\\Users\\a\\scan.pdf', 'scan.pdf'],
    ['ev\u0000il\r\n.exe', 'evil.exe'],
    ['tab\tand\u007fdel\u0085nel.txt', 'tabanddelnel.txt'],
    ['line\u2028sep\u2029.txt', 'linesep.txt'],
    ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['\u2066isolated\u2069.pdf', 'isolated.pdf'],
    ['  spaced.pdf  ', 'spaced.pdf'],
    ['Überweisung für Müller.pdf', 'Überweisung für Müller.pdf'],
    ['خطاب.pdf', 'خطاب.pdf'],
  ])('%j → %j', (raw, want) => expect(cleanFileName(raw, 0)).toBe(want));

  it.each([undefined, '', '   ', '..', '.', '../', 'a/..', '\r\n', '\u202e'])('%j → a numbered name', (raw) => {
    expect(cleanFileName(raw, 2)).toBe('file3');
  });

  it('keeps at most 255 characters and never splits a character in two', () => {
    expect(cleanFileName('a'.repeat(300), 0)).toHaveLength(255);
    const emoji = cleanFileName(`${'a'.repeat(254)}😀😀`, 0);
    expect(Array.from(emoji)).toHaveLength(255);
    expect(emoji.endsWith('😀')).toBe(true);
  });
});
