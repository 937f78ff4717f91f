// Telnyx's failure_reason values (the 35 its API description names) mapped onto faxgate's typed reasons (docs/lines.md).
import type { LineReason } from '../types.js';

/**
 * Why each maps where it does: the caller's side (busy, no answer, no fax tones) is retried by faxgate; a number or an
 * account Telnyx refuses is `rejected` (dialling again cannot help); the call breaking after pages started is
 * `line-dropped`; Telnyx's own faults and a document it could not fetch or convert are `internal`. Channel limits are
 * `busy`: the line (not the number) was busy, and a later attempt usually gets a channel.
 */
export const FAILURE_REASONS: Readonly<Record<string, { reason: LineReason; text: string }>> = {
  receiver_call_dropped: { reason: 'line-dropped', text: 'the receiving side dropped the call' },
  sender_call_dropped: { reason: 'line-dropped', text: 'the call dropped on the carrier side' },
  sender_canceled: { reason: 'cancelled', text: 'cancelled' },
  carrier_lost: { reason: 'line-dropped', text: 'the fax carrier signal was lost during the call' },
  service_unavailable: { reason: 'internal', text: 'the carrier service was unavailable' },
  fax_signaling_error: { reason: 'no-carrier', text: 'fax signalling (T.30) failed' },
  receiver_communication_error: { reason: 'no-carrier', text: 'the receiving fax machine did not communicate' },
  sender_communication_error: { reason: 'internal', text: 'the carrier\'s fax engine failed' },
  receiver_decline: { reason: 'rejected', text: 'the receiver declined the call' },
  receiver_recovery_on_timer_expire: { reason: 'no-answer', text: 'the receiving network did not respond in time' },
  receiver_no_response: { reason: 'no-answer', text: 'no response from the receiver' },
  receiver_invalid_number_format: { reason: 'rejected', text: 'the number is not valid' },
  receiver_no_answer: { reason: 'no-answer', text: 'nobody answered' },
  receiver_incompatible_destination: { reason: 'not-a-fax', text: 'the number is not a fax (incompatible destination)' },
  receiver_unallocated_number: { reason: 'rejected', text: 'the number does not exist' },
  destination_unreachable: { reason: 'no-answer', text: 'the destination could not be reached' },
  user_busy: { reason: 'busy', text: 'the number was busy' },
  invalid_ecm_response_from_receiver: { reason: 'line-dropped', text: 'the receiver broke off page transfer (ECM)' },
  fax_initial_communication_timeout: { reason: 'no-carrier', text: 'no fax answer tones' },
  destination_not_in_service_plan: { reason: 'rejected', text: 'the destination is not in the account\'s service plan' },
  account_disabled: { reason: 'rejected', text: 'the Telnyx account is disabled' },
  destination_invalid: { reason: 'rejected', text: 'the destination is not valid' },
  no_outbound_profile: { reason: 'rejected', text: 'the fax application has no outbound voice profile' },
  destination_not_in_countries_whitelist: { reason: 'rejected', text: 'the destination country is not allowed for the account' },
  user_channel_limit_exceeded: { reason: 'busy', text: 'the account\'s channel limit was reached' },
  outbound_profile_channel_limit_exceeded: { reason: 'busy', text: 'the outbound profile\'s channel limit was reached' },
  connection_channel_limit_exceeded: { reason: 'busy', text: 'the fax application\'s channel limit was reached' },
  outbound_profile_daily_spend_limit_exceeded: { reason: 'rejected', text: 'the outbound profile\'s daily spend limit was reached' },
  unverified_origination_number: { reason: 'rejected', text: 'the sending number is not verified' },
  unverified_destination_not_allowed: { reason: 'rejected', text: 'unverified destinations are not allowed for the account' },
  file_format_invalid: { reason: 'internal', text: 'the carrier could not read the document' },
  file_download_failed: { reason: 'internal', text: 'the carrier could not fetch the document from faxgate' },
  file_size_limit_exceeded: { reason: 'internal', text: 'the document is over the carrier\'s size limit' },
  page_count_limit_exceeded: { reason: 'internal', text: 'the document is over the carrier\'s page limit' },
  media_processing_exception: { reason: 'internal', text: 'the carrier failed to process the document' },
};

/** A reason Telnyx adds later (the field is a free string) is the line's own fault until mapped. */
export function telnyxReason(failure: string | null | undefined): { reason: LineReason; text: string } {
  const known = failure ? FAILURE_REASONS[failure] : undefined;
  return known ?? { reason: 'internal', text: failure ? `the carrier reported ${failure}` : 'the carrier reported a failure without a reason' };
}
