// Validation of the page settings (time zone, header line, sender, cover): accepted values, refusals naming the field.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, applySettingsChange, withDefaults } from '../../src/settings/validate.js';

const apply = (change: Record<string, unknown>) => applySettingsChange(structuredClone(DEFAULT_SETTINGS), change, 'standard');

describe('page settings', () => {
  it('defaults: UTC, header on with the default format, no cover, no sender id', () => {
    expect(DEFAULT_SETTINGS).toMatchObject({ timezone: 'UTC', header: { enabled: true }, cover: { enabled: false, notice: '' }, sender: { name: '', faxNumber: '', csid: '' } });
    // an account stored before these settings existed reads with them
    expect(withDefaults({ feedbackUrl: '' } as never).header.enabled).toBe(true);
  });

  it.each([
    ['timezone', 'America/New_York'], ['timezone', 'UTC'], ['timezone', 'America/Argentina/Buenos_Aires'],
    ['header.enabled', 'false'], ['header.enabled', true], ['header.format', '%d.%m.%Y %H:%M|%%s|%%P/%%T'],
    ['sender.name', 'Acme Clinic'], ['sender.faxNumber', '+15550100100'], ['sender.faxNumber', ''],
    ['sender.csid', '+1 555 010 0100'], ['sender.csid', '12345678901234567890'], ['sender.csid', ''],
    ['cover.enabled', 'true'], ['cover.notice', 'Confidential.\nFor the addressee only.'],
  ])('%s = %j is accepted', (field, value) => {
    const r = apply({ [field]: value });
    expect(r.ok).toBe(true);
  });

  it.each([
    ['timezone', 'Mars/Olympus', /not a time zone this server knows/],
    ['timezone', '+01:00', /IANA time zone name/],
    ['timezone', 'EST', /IANA time zone name/],
    ['header.enabled', 'yes', /true or false/],
    ['header.format', '%Q', /unknown codes %Q/],
    ['header.format', '', /must not be empty/],
    ['header.format', 'a\nb', /one line/],
    ['sender.name', 'x'.repeat(61), /longer than 60/],
    ['sender.faxNumber', '555-0100', /E\.164/],
    ['sender.csid', '+1 555 010 0100 00000', /longer than 20/],
    ['sender.csid', 'ACME-01', /digits, \+ and spaces/],
    ['cover.notice', 'a\u0007b', /control characters/],
    ['cover.notice', 'x'.repeat(2001), /longer than 2000/],
  ])('%s = %j is refused', (field, value, problem) => {
    const r = apply({ [field]: value });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0].field).toBe(field);
      expect(r.errors[0].message).toMatch(problem);
    }
  });

  it('nested and dotted changes; the change list names the fields', () => {
    const r = apply({ sender: { csid: '+1 555 010 0100' }, 'cover.enabled': 'true', timezone: ' Europe/Berlin ' });
    expect(r.ok && r.changed.map((c) => c.field).sort()).toEqual(['cover.enabled', 'sender.csid', 'timezone']);
    expect(r.ok && r.settings.timezone).toBe('Europe/Berlin');
  });
});
