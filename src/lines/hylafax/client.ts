// A small client of hfaxd's client protocol (TCP 4559, FTP-like, RFC 959 replies): login, upload, jobs, status.
import { createReadStream } from 'node:fs';
import net from 'node:net';
import { pipeline } from 'node:stream/promises';

/** Anything that went wrong talking to hfaxd. */
export class HylafaxError extends Error {
  override readonly name: string = 'HylafaxError';
}

/** hfaxd could not be reached, closed the connection, or did not answer in time. */
export class HylafaxConnectionError extends HylafaxError {
  override readonly name: string = 'HylafaxConnectionError';
}

/** hfaxd answered something that is not an RFC 959 reply (or a reply too long to be one): the session is dropped. */
export class HylafaxProtocolError extends HylafaxError {
  override readonly name: string = 'HylafaxProtocolError';
}

/** hfaxd answered with a code the command does not succeed with. */
export class HylafaxReplyError extends HylafaxError {
  override readonly name: string = 'HylafaxReplyError';
  constructor(readonly command: string, readonly code: number, readonly text: string) {
    super(`hfaxd answered ${command.split(' ')[0]} with ${code} ${text}`);
  }
}

/** hfaxd refused the user (or its password). */
export class HylafaxLoginError extends HylafaxReplyError {
  override readonly name: string = 'HylafaxLoginError';
}

/** `JOB n` for a job hfaxd has neither queued nor done. */
export class HylafaxNoSuchJobError extends HylafaxReplyError {
  override readonly name: string = 'HylafaxNoSuchJobError';
}

/** A value that cannot be sent on one command line (CR, LF, other controls, a quote): never sent. */
export class HylafaxValueError extends HylafaxError {
  override readonly name: string = 'HylafaxValueError';
}

export interface Reply {
  code: number;
  /** the text of every line, the code and separator stripped from the first and last */
  lines: string[];
  /** the first line's text */
  text: string;
}

export interface HylafaxClientOptions {
  host: string;
  port: number;
  /** per command (and for connecting); the session is dropped when it expires */
  timeoutMs?: number;
  /** aborting drops the session at once */
  signal?: AbortSignal;
}

const MAX_LINE = 8192;
const MAX_REPLY_LINES = 2000;
const MAX_LIST_BYTES = 4 * 1024 * 1024;
const REPLY_LINE = /^(\d{3})([ -])(.*)$/s;

/** A value for a command line: printable text only, so job data can never inject a command. */
export function checkValue(v: string, what: string): string {
  if (/[\x00-\x1f\x7f"]/.test(v)) throw new HylafaxValueError(`${what} holds a control character or a quote: not sent to hfaxd`);
  return v;
}

/** Parses replies line by line (RFC 959 §4.2: "ddd-" opens a multi-line reply that ends at "ddd "). */
export class ReplyParser {
  private open?: { code: string; lines: string[] };
  private partial = '';
  readonly replies: Reply[] = [];

  /** Feed received text; throws HylafaxProtocolError on anything that is not a reply. */
  push(chunk: string): void {
    this.partial += chunk;
    let nl: number;
    while ((nl = this.partial.indexOf('\n')) >= 0) {
      const line = this.partial.slice(0, nl).replace(/\r$/, '');
      this.partial = this.partial.slice(nl + 1);
      this.line(line);
    }
    if (this.partial.length > MAX_LINE) throw new HylafaxProtocolError('hfaxd sent a line longer than 8192 characters');
  }

  private line(line: string): void {
    if (line.length > MAX_LINE) throw new HylafaxProtocolError('hfaxd sent a line longer than 8192 characters');
    const m = REPLY_LINE.exec(line);
    if (this.open) {
      if (m && m[1] === this.open.code && m[2] === ' ') {
        this.open.lines.push(m[3]);
        const lines = this.open.lines;
        this.replies.push({ code: Number(this.open.code), lines, text: lines[0] });
        this.open = undefined;
        return;
      }
      if (this.open.lines.length >= MAX_REPLY_LINES) throw new HylafaxProtocolError('hfaxd sent a reply of more than 2000 lines');
      this.open.lines.push(line.replace(/^\d{3}-/, ''));
      return;
    }
    if (!m || m[1][0] === '0') throw new HylafaxProtocolError(`hfaxd sent a line that is not a reply: ${JSON.stringify(line.slice(0, 80))}`);
    if (m[2] === '-') this.open = { code: m[1], lines: [m[3]] };
    else this.replies.push({ code: Number(m[1]), lines: [m[3]], text: m[3] });
  }
}

/** One logged-in (or about to be) control connection to hfaxd. Commands run one at a time. */
export class HylafaxSession {
  private readonly parser = new ReplyParser();
  private waiter?: { resolve: (r: Reply) => void; reject: (e: Error) => void };
  private failure?: Error;
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(private readonly socket: net.Socket, readonly opts: Required<Omit<HylafaxClientOptions, 'signal'>> & { signal?: AbortSignal }) {
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      try {
        this.parser.push(d);
      } catch (e) {
        this.fail(e as Error);
        return;
      }
      this.deliver();
    });
    socket.on('error', (e) => this.fail(new HylafaxConnectionError(`hfaxd ${this.where}: ${e.message}`)));
    socket.on('close', () => this.fail(new HylafaxConnectionError(`hfaxd ${this.where} closed the connection`)));
  }

  get where(): string {
    return `${this.opts.host}:${this.opts.port}`;
  }

  /** Connect and read the greeting (220). */
  static async connect(options: HylafaxClientOptions): Promise<HylafaxSession> {
    const opts = { timeoutMs: 15_000, ...options };
    opts.signal?.throwIfAborted();
    const socket = net.connect({ host: opts.host, port: opts.port });
    const session = new HylafaxSession(socket, opts);
    const onAbort = () => session.fail(Object.assign(new Error('aborted'), { name: 'AbortError' }));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('close', () => opts.signal?.removeEventListener('abort', onAbort));
    try {
      const greeting = await session.next('(greeting)');
      if (greeting.code !== 220) throw new HylafaxReplyError('(greeting)', greeting.code, greeting.text);
    } catch (e) {
      session.destroy();
      throw e;
    }
    return session;
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    this.socket.destroy();
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(e);
  }

  private deliver(): void {
    if (this.waiter && this.parser.replies.length) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve(this.parser.replies.shift()!);
    }
  }

  /** The next reply, within the timeout (which drops the session: it is out of step after a lost reply). */
  private next(what: string): Promise<Reply> {
    if (this.parser.replies.length) return Promise.resolve(this.parser.replies.shift()!);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new HylafaxConnectionError(`hfaxd ${this.where} did not answer ${what} within ${this.opts.timeoutMs} ms`)), this.opts.timeoutMs);
      this.waiter = {
        resolve: (r) => { clearTimeout(timer); resolve(r); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      };
    });
  }

  /** Run one command (serialised with the others); resolves with any reply, rejects only on a broken session. */
  raw(line: string): Promise<Reply> {
    if (/[\x00-\x1f\x7f]/.test(line)) return Promise.reject(new HylafaxValueError('a command holds a control character: not sent to hfaxd'));
    const run = async () => {
      if (this.failure) throw this.failure;
      this.socket.write(`${line}\r\n`, 'latin1');
      return this.next(line.split(' ')[0]);
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  /** The second reply of a data transfer (226 after 150), read in turn with the commands, nothing sent. */
  private async followUp(command: string, ok: number[]): Promise<Reply> {
    const run = () => {
      if (this.failure) throw this.failure;
      return this.next(`${command} transfer`);
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    const r = await p;
    if (!ok.includes(r.code)) throw new HylafaxReplyError(command, r.code, r.text);
    return r;
  }

  /** Run a command that must answer with one of `ok`. */
  async expect(line: string, ok: number[]): Promise<Reply> {
    const r = await this.raw(line);
    if (!ok.includes(r.code)) throw new HylafaxReplyError(line, r.code, r.text);
    return r;
  }

  async login(user: string, password?: string): Promise<void> {
    const r = await this.raw(`USER ${checkValue(user, 'the user')}`);
    if (r.code === 230) return;
    if (r.code === 331 && password !== undefined) {
      const p = await this.raw(`PASS ${checkValue(password, 'the password')}`);
      if (p.code === 230 || p.code === 202) return;
      throw new HylafaxLoginError('PASS', p.code, p.text);
    }
    throw new HylafaxLoginError('USER', r.code, r.code === 331 ? `${r.text} (no password configured)` : r.text);
  }

  /** Open a passive data connection (to the control connection's host: never to an address the server names). */
  private async passive(): Promise<net.Socket> {
    const r = await this.expect('PASV', [227]);
    const m = /\((\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3})\)/.exec(r.text);
    if (!m) throw new HylafaxProtocolError(`hfaxd answered PASV without an address: ${JSON.stringify(r.text.slice(0, 80))}`);
    const port = Number(m[5]) * 256 + Number(m[6]);
    if (Number(m[5]) > 255 || Number(m[6]) > 255 || port === 0) throw new HylafaxProtocolError('hfaxd answered PASV with a bad port');
    const data = net.connect({ host: this.opts.host, port });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { data.destroy(); reject(new HylafaxConnectionError(`hfaxd ${this.where}: data connection timed out`)); }, this.opts.timeoutMs);
      data.once('connect', () => { clearTimeout(timer); resolve(); });
      data.once('error', (e) => { clearTimeout(timer); reject(new HylafaxConnectionError(`hfaxd ${this.where}: data connection: ${e.message}`)); });
    });
    return data;
  }

  /** Upload a file as a temporary document (TYPE I, FORM TIFF, STOT); resolves with its name on the server. */
  async storeTemp(file: string): Promise<string> {
    await this.expect('TYPE I', [200]);
    await this.expect('FORM TIFF', [200]);
    const data = await this.passive();
    const timer = setTimeout(() => data.destroy(new HylafaxConnectionError(`hfaxd ${this.where}: upload timed out`)), this.opts.timeoutMs * 4);
    try {
      const started = await this.expect('STOT', [150, 125]);
      await pipeline(createReadStream(file), data).catch((e: Error) => {
        throw e instanceof HylafaxError ? e : new HylafaxConnectionError(`hfaxd ${this.where}: upload: ${e.message}`);
      });
      const done = await this.followUp('STOT', [226]);
      // "226 Transfer complete (FILE: /tmp/doc3.tif)." (the name ends before the closing parenthesis and full stop)
      const FILE = /FILE: (\/?[A-Za-z0-9_][A-Za-z0-9_./-]*[A-Za-z0-9_])/;
      const name = FILE.exec(done.text)?.[1] ?? FILE.exec(started.text)?.[1];
      if (!name || !/^\/?[A-Za-z0-9_.][A-Za-z0-9_./-]{0,200}$/.test(name) || name.includes('..')) {
        throw new HylafaxProtocolError(`hfaxd did not name the uploaded file: ${JSON.stringify(done.text.slice(0, 80))}`);
      }
      return name;
    } finally {
      clearTimeout(timer);
      data.destroy();
    }
  }

  /** `LIST dir` over a passive data connection (status, sendq, doneq with JOBFMT). */
  list(dir: string): Promise<string> {
    return this.download('LIST', checkValue(dir, 'the folder'));
  }

  /** `RETR path` (binary) over a passive data connection, e.g. a job's own file doneq/qN. */
  async retrieve(file: string): Promise<string> {
    if (!/^[A-Za-z0-9_.][A-Za-z0-9_./-]{0,200}$/.test(file) || file.includes('..')) throw new HylafaxValueError('bad file name');
    await this.expect('TYPE I', [200]);
    return this.download('RETR', file);
  }

  private async download(command: 'LIST' | 'RETR', arg: string): Promise<string> {
    const data = await this.passive();
    const chunks: Buffer[] = [];
    let size = 0;
    const received = new Promise<void>((resolve, reject) => {
      data.on('data', (b: Buffer) => {
        size += b.length;
        if (size > MAX_LIST_BYTES) data.destroy(new HylafaxProtocolError('hfaxd sent more than 4 MiB of data'));
        else chunks.push(b);
      });
      data.once('end', resolve);
      data.once('error', (e) => reject(e instanceof HylafaxError ? e : new HylafaxConnectionError(`hfaxd ${this.where}: ${command}: ${e.message}`)));
    });
    received.catch(() => undefined);
    const timer = setTimeout(() => data.destroy(new HylafaxConnectionError(`hfaxd ${this.where}: ${command} timed out`)), this.opts.timeoutMs);
    try {
      await this.expect(`${command} ${arg}`, [150, 125]);
      await received;
      await this.followUp(command, [226]);
      return Buffer.concat(chunks).toString('latin1');
    } finally {
      clearTimeout(timer);
      data.destroy();
    }
  }

  /** JNEW: a new (suspended) job that becomes the current job; resolves with its id. */
  async newJob(): Promise<number> {
    const r = await this.expect('JNEW', [200]);
    const m = /jobid: (\d{1,9})\b/.exec(r.text);
    if (!m) throw new HylafaxProtocolError(`hfaxd answered JNEW without a job id: ${JSON.stringify(r.text.slice(0, 80))}`);
    return Number(m[1]);
  }

  /** JPARM key value on the current job: numbers as they are, text quoted (after checkValue). */
  async setParam(key: string, value: string | number): Promise<void> {
    if (!/^[A-Z]{2,20}$/.test(key)) throw new HylafaxValueError(`bad job parameter name ${JSON.stringify(key)}`);
    let v: string;
    if (typeof value === 'number') {
      if (!Number.isInteger(value) || value < 0) throw new HylafaxValueError(`${key} must be a whole number`);
      v = String(value);
    } else {
      v = `"${checkValue(value, key)}"`;
    }
    await this.expect(`JPARM ${key} ${v}`, [213]);
  }

  /** JPARM DOCUMENT: attach an uploaded file (its server-side name) to the current job. */
  async addDocument(name: string): Promise<void> {
    if (!/^\/?[A-Za-z0-9_.][A-Za-z0-9_./-]{0,200}$/.test(name)) throw new HylafaxValueError('bad document name');
    await this.expect(`JPARM DOCUMENT ${name}`, [200]);
  }

  /** JPARM key (read) on the current job. */
  async getParam(key: string): Promise<string> {
    if (!/^[A-Z]{2,20}$/.test(key)) throw new HylafaxValueError(`bad job parameter name ${JSON.stringify(key)}`);
    const r = await this.expect(`JPARM ${key}`, [213]);
    return r.text;
  }

  async submit(): Promise<void> {
    await this.expect('JSUBM', [200]);
  }

  /** JOB n: make it the current job; HylafaxNoSuchJobError when hfaxd has no such job. */
  async selectJob(id: number): Promise<void> {
    const line = `JOB ${Math.trunc(id)}`;
    const r = await this.raw(line);
    if (r.code === 200) return;
    if (r.code === 500 && /does not exist|not found|no such/i.test(r.text)) throw new HylafaxNoSuchJobError(line, r.code, r.text);
    throw new HylafaxReplyError(line, r.code, r.text);
  }

  /** JKILL the current job: 'killed', or 'done' when it had already ended. */
  async kill(): Promise<'killed' | 'done'> {
    const r = await this.raw('JKILL');
    if (r.code === 200) return 'killed';
    if (r.code === 504 && /already done/i.test(r.text)) return 'done';
    throw new HylafaxReplyError('JKILL', r.code, r.text);
  }

  /** JDELE the current job (suspended or done): removes it from HylaFAX. */
  async deleteJob(): Promise<void> {
    await this.expect('JDELE', [200]);
  }

  /** QUIT politely, then drop the connection whatever happens. */
  async close(): Promise<void> {
    if (!this.failure) await this.raw('QUIT').catch(() => undefined);
    this.destroy();
  }

  destroy(): void {
    this.failure ??= new HylafaxConnectionError('session closed');
    this.socket.destroy();
  }
}

/** Connect, log in, run `fn`, and always close. */
export async function withSession<T>(opts: HylafaxClientOptions & { user: string; password?: string }, fn: (s: HylafaxSession) => Promise<T>): Promise<T> {
  const s = await HylafaxSession.connect(opts);
  try {
    await s.login(opts.user, opts.password);
    return await fn(s);
  } finally {
    await s.close();
  }
}
