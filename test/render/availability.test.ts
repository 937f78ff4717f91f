// Availability probe: on this server (set-up installs gs, sharp, fonts) pdf/image/text are available; office carries a reason when absent.
import { describe, expect, it } from 'vitest';
import { checkAvailability } from '../../src/render/availability.js';

describe('checkAvailability', () => {
  it('reports each family with a reason when unavailable', async () => {
    const a = await checkAvailability();
    expect(a.pdf.available).toBe(true);
    expect(a.image.available).toBe(true);
    expect(a.text.available).toBe(true);
    for (const fam of Object.values(a)) if (!fam.available) expect(fam.reason).toBeTruthy();
    if (!a.office.available) expect(a.office.reason).toBe('the office converter (LibreOffice) is not installed on this server');
  });
});
