// The SQLite rows of the job store's tables and how they read as the domain's job and submission.
import type { FileReport, Paper, Resolution, StoredFile, SubmissionBody, UnsupportedFilesPolicy } from '../domain/types.js';
import { TERMINAL, type JobSnapshot, type JobSource, type JobStatus } from '../domain/jobs.js';
import type { SubmissionRow } from './types.js';

export interface JobRow {
  id: string; account_id: string; submission_id: string; source: JobSource; to_number: string; sender: string;
  status: JobStatus; resolution: Resolution; paper: Paper; pages: number; pages_sent: number; attempts: number;
  status_code: number; reason: string; files: string; next_attempt_at: string | null; lease_owner: string | null;
  lease_until: string | null; created_at: string; updated_at: string; completed_at: string | null;
  line: string | null; remote_id: string | null; duration_s: number | null; line_code: string | null; line_text: string | null;
  cancel_requested_at: string | null; resent_from: string | null; client_reference: string | null; send_at: string | null;
}

export interface SubRow {
  id: string; account_id: string; source: JobSource; sender: string; dir: string; dedup_key: string | null; files: string;
  body: string | null; options: string; unsupported_files: UnsupportedFilesPolicy; render_status: string; pages: number; tiff_path: string | null; created_at: string;
}

export function toSnapshot(r: JobRow): JobSnapshot {
  return {
    id: r.id, accountId: r.account_id, submissionId: r.submission_id, source: r.source, to: r.to_number, sender: r.sender,
    status: r.status, resolution: r.resolution, paper: r.paper, pages: r.pages, pagesSent: r.pages_sent, attempts: r.attempts,
    statusCode: r.status_code, reason: r.reason, files: JSON.parse(r.files) as FileReport[], submittedAt: r.created_at,
    ...(r.completed_at ? { completedAt: r.completed_at } : {}),
    ...(r.line ? { line: r.line } : {}),
    ...(r.remote_id ? { remoteId: r.remote_id } : {}),
    ...(r.duration_s !== null && r.duration_s !== undefined ? { durationSeconds: r.duration_s } : {}),
    ...(r.line_code || r.line_text ? { lineStatus: { code: r.line_code ?? '', text: r.line_text ?? '' } } : {}),
    ...(r.client_reference ? { clientReference: r.client_reference } : {}),
    ...(r.resent_from ? { resentFrom: r.resent_from } : {}),
    ...(r.cancel_requested_at && !TERMINAL.has(r.status) ? { cancelRequested: true } : {}),
    ...(r.send_at ? { sendAt: r.send_at } : {}),
  };
}

/** Said to the customer when a fax is cancelled on request. */
export const CANCELLED_REASON = 'cancelled: cancelled on request';

export function toSubmission(r: SubRow): SubmissionRow {
  return {
    id: r.id, accountId: r.account_id, source: r.source, sender: r.sender, dir: r.dir, dedupKey: r.dedup_key,
    files: JSON.parse(r.files) as StoredFile[], body: r.body ? JSON.parse(r.body) as SubmissionBody : undefined,
    options: JSON.parse(r.options) as SubmissionRow['options'], policy: r.unsupported_files, renderStatus: r.render_status, pages: r.pages,
    tiffPath: r.tiff_path, createdAt: r.created_at,
  };
}

