// Drive a FaxLine through one whole transmission (hand over, then track to the end), as the sender worker does.
import type { FaxLine, LineOutcome, OutgoingFax } from '../../src/lines/types.js';

export async function transmit(line: FaxLine, fax: Omit<OutgoingFax, 'attempt'> & { attempt?: number }, signal?: AbortSignal): Promise<LineOutcome> {
  const full = { attempt: 1, ...fax };
  const ref = await line.submit(full, { handedOver: () => true }, signal);
  if (!ref) throw new Error('the line refused the hand-over');
  return line.track(ref, full, signal);
}
