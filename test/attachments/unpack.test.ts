// Every corpus winmail.dat and Outlook .msg opened at intake: each file inside (and the body) screened on its own,
// with its own verdict; a container that cannot be opened or holds nothing stays, with a specific refusal.
import { copyFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createUnpacker } from '../../src/attachments/unpack.js';
import { createDetector } from '../../src/attachments/detect.js';
import { screen } from '../../src/attachments/screen.js';
import { createTypeRegistry, type Availability } from '../../src/attachments/registry.js';
import { openDatabase } from '../../src/store/db.js';
import { tempDir, CORPUS } from '../helpers/tmp.js';

const ok = { available: true };
const AVAIL: Availability = { pdf: ok, image: ok, tiff: ok, heif: ok, avif: ok, text: ok, office: ok, html: ok };
const registry = createTypeRegistry({ db: openDatabase(tempDir()), clock: { now: () => new Date() }, availability: AVAIL });
const detector = createDetector({ limits: { maxPages: 200, maxMegapixels: 40, timeoutMs: 10_000 } });
const ctx = { policy: 'ignore' as const, hasBodyText: false, limits: { maxPages: 200, maxMegapixels: 40, maxBytes: 25 * 1024 * 1024 } };

type Row = [string, 'accept' | 'reject', [string, string | null, string][]];
// [corpus file, decision under `ignore` with no body text, [name, detected, verdict] per file in report order]
const CASES: Row[] = [
  ['tnef/bad_checksum.tnef', 'accept', [['winmail.dat/message.html', 'html', 'accepted'], ['winmail.dat/image001.png', 'png', 'accepted']]],
  ['tnef/body-html.tnef', 'accept', [['winmail.dat/message.html', 'html', 'accepted']]],
  ['tnef/data-before-name.tnef', 'accept', [['winmail.dat/message.rtf', 'rtf', 'accepted'], ['winmail.dat/AUTOEXEC.BAT', null, 'empty'], ['winmail.dat/CONFIG.SYS', null, 'empty'], ['winmail.dat/boot.ini', 'text', 'accepted']]],
  ['tnef/garbage-at-end.tnef', 'reject', [['winmail.dat', 'tnef', 'nothing-inside']]],
  ['tnef/ipm_distlist.tnef', 'accept', [['winmail.dat/message.rtf', 'rtf', 'accepted']]],
  ['tnef/mapi_attach_data_obj_pdf_doc.tnef', 'accept', [['winmail.dat/message.rtf', 'rtf', 'accepted'], ['winmail.dat/VIA_Nytt_1402.doc', 'doc', 'accepted'], ['winmail.dat/VIA_Nytt_1402.pdf', 'pdf', 'accepted'], ['winmail.dat/VIA_Nytt_14021.htm', 'html', 'accepted']]],
  ['tnef/mapi_object_embedded_msg.tnef', 'accept', [['winmail.dat/message.rtf', 'rtf', 'accepted'], ['winmail.dat/Untitled_Attachment', null, 'unknown-type']]],
  ['tnef/minimal_attachment_46b.tnef', 'reject', [['winmail.dat/file1', null, 'unknown-type']]],
  ['tnef/rtf-body.tnef', 'accept', [['winmail.dat/message.rtf', 'rtf', 'accepted']]],
  ['tnef/tnef_oob_tnefversion_17b', 'reject', [['winmail.dat', 'tnef', 'damaged']]],
  ['tnef/two-files.tnef', 'accept', [['winmail.dat/AUTHORS', 'text', 'accepted'], ['winmail.dat/README', 'text', 'accepted']]],
  ['tnef/unicode-mapi-attr-name.tnef', 'accept', [['winmail.dat/message.html', 'html', 'accepted'], ['winmail.dat/spaconsole2.cfg', 'text', 'accepted'], ['winmail.dat/image001.png', 'png', 'inline'], ['winmail.dat/image002.png', 'png', 'inline'], ['winmail.dat/image003.png', 'png', 'inline']]],
  ['tnef/winmail_tika.dat', 'accept', [['winmail.dat/message.rtf', 'rtf', 'accepted'], ['winmail.dat/quick.doc', 'doc', 'accepted'], ['winmail.dat/quick.html', 'html', 'accepted'], ['winmail.dat/quick.pdf', 'pdf', 'accepted'], ['winmail.dat/quick.txt', 'text', 'accepted'], ['winmail.dat/quick.xml', 'text', 'accepted']]],
  ['tnef/winmail_ytnef.dat', 'accept', [['winmail.dat/message.rtf', 'rtf', 'accepted'], ['winmail.dat/zappa_av1.jpg', 'jpeg', 'accepted'], ['winmail.dat/bookmark.htm', 'text', 'accepted']]],
  ['emails/outlook_appointment.msg', 'accept', [['outlook_appointment.msg/message.rtf', 'rtf', 'accepted']]],
  ['emails/outlook_chinese.msg', 'accept', [['outlook_chinese.msg/message.rtf', 'rtf', 'accepted']]],
  ['emails/outlook_msg_inside_msg.msg', 'accept', [['outlook_msg_inside_msg.msg/message.rtf', 'rtf', 'accepted'], ['outlook_msg_inside_msg.msg/Test Attachment.msg/message.rtf', 'rtf', 'accepted'], ['outlook_msg_inside_msg.msg/smbprn.00009008.KdcPjl.pdf', 'pdf', 'accepted']]],
  ['emails/outlook_with_doc_attachment.msg', 'accept', [['outlook_with_doc_attachment.msg/message.rtf', 'rtf', 'accepted'], ['outlook_with_doc_attachment.msg/test-unicode.doc', 'doc', 'accepted'], ['outlook_with_doc_attachment.msg/pj1.txt', 'text', 'accepted']]],
  ['emails/mail_outlook_newsletter.msg', 'accept', [['mail_outlook_newsletter.msg/message.html', 'html', 'accepted'], ['mail_outlook_newsletter.msg/newsletter.png', 'png', 'inline'], ['mail_outlook_newsletter.msg/spacer.gif', 'gif', 'inline'], ['mail_outlook_newsletter.msg/image004.jpg', 'jpeg', 'inline'], ['mail_outlook_newsletter.msg/image006.jpg', 'jpeg', 'inline'], ['mail_outlook_newsletter.msg/image008.jpg', 'jpeg', 'inline']]],
];

async function openAndScreen(rel: string, opts: { depth?: number; bodyIsBlank?: boolean; limits?: Parameters<typeof createUnpacker>[0] } = {}) {
  const dir = tempDir();
  const p = path.join(dir, 'part-000');
  copyFileSync(path.join(CORPUS, rel), p);
  const name = rel.startsWith('tnef/') ? 'winmail.dat' : path.basename(rel);
  const files = await createUnpacker(opts.limits).unpack([{ name, path: p, size: statSync(p).size, depth: opts.depth ?? 0 }], { bodyIsBlank: opts.bodyIsBlank ?? true });
  const facts = await Promise.all(files.map((f) => f.facts ?? detector.detect({ name: f.name, path: f.path, declaredType: f.declaredType, inline: f.inline })));
  return { dir, decision: screen(facts, registry.list(), ctx) };
}

describe('winmail.dat and .msg opened into their files', () => {
  it('the table covers every TNEF of the corpus', () => {
    expect(readdirSync(path.join(CORPUS, 'tnef')).map((f) => `tnef/${f}`).sort()).toEqual(CASES.map((c) => c[0]).filter((f) => f.startsWith('tnef/')).sort());
  });

  it.each(CASES)('%s', async (rel, outcome, files) => {
    const { dir, decision } = await openAndScreen(rel);
    expect(decision.files.map((f) => [f.name, f.detected, f.verdict])).toEqual(files);
    expect(decision.outcome).toBe(outcome);
    for (const f of decision.files) if (f.verdict !== 'accepted') expect(f.reason).toBeTruthy();
    // the container is replaced by what it held (written beside it), never left twice
    if (decision.files.some((f) => f.name.includes('/'))) expect(readdirSync(dir)).not.toContain('part-000');
  });

  it('a TNEF body is not taken when the message has text of its own (it is the same text)', async () => {
    const { decision } = await openAndScreen('tnef/winmail_ytnef.dat', { bodyIsBlank: false });
    expect(decision.files.map((f) => f.name)).toEqual(['winmail.dat/zappa_av1.jpg', 'winmail.dat/bookmark.htm']);
  });

  it('an attached .msg counts as one message deeper: at depth 3 it is not opened (the forwarded-message rule)', async () => {
    const deep = await openAndScreen('emails/outlook_with_doc_attachment.msg', { depth: 3 });
    expect(deep.decision.files).toMatchObject([{ name: 'outlook_with_doc_attachment.msg', detected: 'msg', verdict: 'unsupported-type' }]);
    expect(deep.decision.files[0].reason).toMatch(/nested more than 3/);
    // a .msg inside a .msg at depth 2: the outer one opens (depth 3), the inner one does not
    const two = await openAndScreen('emails/outlook_msg_inside_msg.msg', { depth: 2 });
    expect(two.decision.files.map((f) => [f.name, f.verdict])).toEqual([
      ['outlook_msg_inside_msg.msg/message.rtf', 'accepted'],
      ['outlook_msg_inside_msg.msg/Test Attachment.msg', 'unsupported-type'],
      ['outlook_msg_inside_msg.msg/smbprn.00009008.KdcPjl.pdf', 'accepted'],
    ]);
  });

  it('limits: too many files in a container refuse it as a whole', async () => {
    const { decision } = await openAndScreen('tnef/winmail_tika.dat', { limits: { limits: { maxFiles: 3 } } });
    expect(decision.files).toMatchObject([{ name: 'winmail.dat', detected: 'tnef', verdict: 'damaged' }]);
  });
});
