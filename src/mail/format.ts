// The words of the mail faxgate sends people: a receipt for what they faxed, a received fax; plain text and HTML alike.
import type { JobSnapshot } from '../domain/jobs.js';
import type { FileReport } from '../domain/types.js';

export interface Composed { subject: string; text: string; html: string }

/** +15550100200 → "+1 555 010 0200" (NANP); other numbers as given, which every reader can dial. */
export function displayNumber(n: string): string {
  const m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(n);
  return m ? `+1 ${m[1]} ${m[2]} ${m[3]}` : n;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** A job's reason as people read it: "busy after 3 attempts", "nothing to fax" (the code before a colon, in words). */
export function plainReason(j: Pick<JobSnapshot, 'reason' | 'status'>): string {
  const r = (j.reason ?? '').trim();
  const coded = /^([a-z-]+): (.*)$/s.exec(r);
  const words: Record<string, string> = {
    'unsupported-attachment': 'a file could not be faxed', 'nothing-to-fax': 'nothing to fax', internal: 'an internal error',
    'maybe-sent': 'the server stopped during the call; it may have arrived', 'line-lost': 'the fax line lost track of it; it may have arrived',
  };
  if (coded) return words[coded[1]] ?? coded[1].replace(/-/g, ' ');
  // "the line was busy after 3 attempts" reads as "busy after 3 attempts" in a subject line
  return r.replace(/^the line was /, '').slice(0, 80) || (j.status === 'sent' ? 'sent' : 'not sent');
}

const statusWord = (j: JobSnapshot) => (j.status === 'sent' ? 'sent' : j.status === 'rejected' ? 'not sent' : j.status === 'cancelled' ? 'cancelled' : 'failed');

function verdictText(f: FileReport): string {
  if (f.verdict === 'accepted') return `faxed${f.pages ? `, ${plural(f.pages, 'page')}` : ''}`;
  if (f.verdict === 'inline') return 'picture inside the message body (part of the body pages)';
  return `not faxed: ${f.reason ?? f.verdict.replace(/-/g, ' ')}`;
}

/** "Fax to +1 555 010 0200: sent, 3 pages" / "...: failed (busy after 3 attempts)" / "Fax to 3 numbers: 2 sent, 1 failed". */
export function receiptSubject(jobs: JobSnapshot[]): string {
  if (jobs.length === 1) {
    const j = jobs[0];
    const to = `Fax to ${displayNumber(j.to)}`;
    if (j.status === 'sent') return `${to}: sent, ${plural(j.pagesSent || j.pages, 'page')}`;
    return `${to}: ${statusWord(j)} (${plainReason(j)})`;
  }
  const sent = jobs.filter((j) => j.status === 'sent').length;
  const parts = [sent ? `${sent} sent` : '', jobs.length - sent ? `${jobs.length - sent} not sent` : ''].filter(Boolean);
  return `Fax to ${jobs.length} numbers: ${parts.join(', ')}`;
}

export interface ReceiptInput {
  jobs: JobSnapshot[];
  files: FileReport[];
  /** the subject of the email the person sent */
  originalSubject: string;
  submittedAt: string;
  /** what is attached, in words, or nothing */
  attachmentNote?: string;
}

const duration = (s?: number) => (s === undefined ? '' : s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`);
const when = (iso?: string) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC') : '');

function recipientRows(j: JobSnapshot): [string, string][] {
  return [
    ['Number', displayNumber(j.to)],
    ['Status', j.status === 'sent' ? 'sent' : `${statusWord(j)}: ${plainReason(j)}`],
    ['Pages sent', `${j.pagesSent} of ${j.pages}`],
    ['Attempts', String(j.attempts)],
    ...(j.durationSeconds !== undefined ? [['Time on the line', duration(j.durationSeconds)] as [string, string]] : []),
    ...(j.remoteId ? [['Receiving machine (CSID)', j.remoteId] as [string, string]] : []),
    ['Completed', when(j.completedAt)],
  ];
}

/** The receipt for one submission at its final state, quoting the person's subject. */
export function composeReceipt(r: ReceiptInput): Composed {
  const subject = receiptSubject(r.jobs);
  const orig = r.originalSubject.trim() || '(no subject)';
  const sent = r.jobs.filter((j) => j.status === 'sent').length;
  const lead = sent === r.jobs.length
    ? `Your fax was sent to ${r.jobs.length === 1 ? displayNumber(r.jobs[0].to) : `all ${r.jobs.length} numbers`}.`
    : sent === 0
      ? `Your fax could not be sent${r.jobs.length > 1 ? ' to any of the numbers' : ''}.`
      : `Your fax was sent to ${sent} of ${r.jobs.length} numbers.`;
  const text: string[] = [lead, '', `Your message: "${orig}", submitted ${when(r.submittedAt)}`, ''];
  for (const j of r.jobs) {
    for (const [k, v] of recipientRows(j)) text.push(`  ${`${k}:`.padEnd(27)}${v}`);
    text.push('');
  }
  text.push('Files:');
  for (const f of r.files) text.push(`  - ${f.name} (${f.detected ?? 'unknown type'}): ${verdictText(f)}`);
  if (r.files.length === 0) text.push('  (none; the message text was faxed)');
  text.push('');
  if (r.attachmentNote) text.push(r.attachmentNote, '');
  text.push('This is an automatic message from faxgate; replies are not read.');

  const cell = 'padding:4px 12px 4px 0;vertical-align:top;text-align:left';
  const recipients = r.jobs.map((j) => `<table role="presentation" style="border-collapse:collapse;width:100%;max-width:560px;margin:0 0 16px 0;font-size:14px;border-top:1px solid #ddd">${
    recipientRows(j).map(([k, v]) => `<tr><th style="${cell};color:#555;font-weight:normal;width:42%">${esc(k)}</th><td style="${cell}${k === 'Status' ? `;font-weight:bold;color:${j.status === 'sent' ? '#1a7f37' : '#b42318'}` : ''}">${esc(v)}</td></tr>`).join('')
  }</table>`).join('');
  const files = r.files.length
    ? `<ul style="padding-left:20px;margin:0 0 16px 0">${r.files.map((f) => `<li><b>${esc(f.name)}</b> (${esc(f.detected ?? 'unknown type')}): ${esc(verdictText(f))}</li>`).join('')}</ul>`
    : '<p>(none; the message text was faxed)</p>';
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${esc(subject)}</title></head>`
    + '<body style="font-family:Arial,Helvetica,sans-serif;color:#222;line-height:1.4;max-width:640px;margin:0;padding:16px">'
    + `<h1 style="font-size:18px;margin:0 0 12px 0">${esc(subject)}</h1><p>${esc(lead)}</p>`
    + `<p style="color:#555">Your message: &ldquo;${esc(orig)}&rdquo;, submitted ${esc(when(r.submittedAt))}</p>`
    + `${recipients}<h2 style="font-size:15px;margin:0 0 6px 0">Files</h2>${files}`
    + (r.attachmentNote ? `<p>${esc(r.attachmentNote)}</p>` : '')
    + '<p style="color:#777;font-size:12px">This is an automatic message from faxgate; replies are not read.</p></body></html>';
  return { subject, text: `${text.join('\n')}\n`, html };
}

export interface ReceivedInput {
  from: string;
  to: string;
  remoteId?: string;
  pages: number;
  receivedAt: string;
  format: 'pdf' | 'link' | 'notice';
  /** where the image is fetched over the web service (format link) */
  imageUrl: string;
}

/** The message for a received fax: the pages attached (pdf), a link to them (link), or that it came (notice). */
export function composeReceived(r: ReceivedInput): Composed {
  const from = r.from === 'anonymous' ? 'an unknown number' : displayNumber(r.from);
  const subject = `Fax from ${from}: ${plural(r.pages, 'page')}`;
  const rows: [string, string][] = [
    ['From', from], ...(r.remoteId ? [['Sending machine (TSI)', r.remoteId] as [string, string]] : []),
    ['To', displayNumber(r.to)], ['Pages', String(r.pages)], ['Received', when(r.receivedAt)],
  ];
  const how = r.format === 'pdf' ? 'The pages are attached as a PDF.'
    : r.format === 'link' ? `Fetch the pages with your API key: ${r.imageUrl} (add ?format=pdf for a PDF).`
      : 'The pages are kept on the fax server; fetch them there.';
  const text = [`A fax arrived for ${displayNumber(r.to)}.`, '', ...rows.map(([k, v]) => `  ${`${k}:`.padEnd(24)}${v}`), '', how, '',
    'This is an automatic message from faxgate; replies are not read.'].join('\n');
  const cell = 'padding:4px 12px 4px 0;vertical-align:top;text-align:left';
  const link = r.format === 'link' ? `<p>Fetch the pages with your API key: <a href="${esc(r.imageUrl)}">${esc(r.imageUrl)}</a> (add ?format=pdf for a PDF).</p>` : `<p>${esc(how)}</p>`;
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${esc(subject)}</title></head>`
    + '<body style="font-family:Arial,Helvetica,sans-serif;color:#222;line-height:1.4;max-width:640px;margin:0;padding:16px">'
    + `<h1 style="font-size:18px;margin:0 0 12px 0">${esc(subject)}</h1>`
    + `<table role="presentation" style="border-collapse:collapse;font-size:14px">${rows.map(([k, v]) => `<tr><th style="${cell};color:#555;font-weight:normal">${esc(k)}</th><td style="${cell}">${esc(v)}</td></tr>`).join('')}</table>`
    + `${link}<p style="color:#777;font-size:12px">This is an automatic message from faxgate; replies are not read.</p></body></html>`;
  return { subject, text: `${text}\n`, html };
}
