// File names as people sent them are display text only, never paths: one cleaning for every ingress (issue #12.10).

/**
 * Control characters (C0, DEL, C1), line and paragraph separators, and the bidirectional embedding, override and
 * isolate controls (which make `evil\u202Efdp.exe` read as `evilexe.pdf`).
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * A safe display name: the last path segment (`/` and `\` both separate), none of the characters above, at most 255
 * characters (whole code points), and never empty, `.` or `..` (then `file<index + 1>`).
 */
export function cleanFileName(raw: string | undefined, index: number): string {
  const base = (raw ?? '').split(/[\\/]/).pop() ?? '';
  const cleaned = Array.from(base.replace(UNSAFE, '').trim()).slice(0, 255).join('').trim();
  return cleaned && cleaned !== '.' && cleaned !== '..' ? cleaned : `file${index + 1}`;
}
