// The settings page's error mapping: every validation problem lands on the control to fix, named by its visible label.
import { describe, expect, it } from 'vitest';
import { applySettingsChange, DEFAULT_SETTINGS } from '../../src/settings/validate.js';
import { CONTROLS, controlsFor, messageLabel, pageErrors } from '../../src/web/settings-page.js';

const API_NAMES = CONTROLS.map((c) => c.field);

describe('pageErrors', () => {
  // [case, account kind, change, ids of the controls marked, in order]
  const cases: [string, 'standard' | 'developer', Record<string, unknown>, string[]][] = [
    ['bad URL', 'standard', { feedbackUrl: 'hooks.example/fax' }, ['feedback-url']],
    ['URL with credentials', 'standard', { feedbackUrl: 'https://u:p@hooks.example/' }, ['feedback-url']],
    ['incoming method without a URL', 'standard', { 'incoming.feedbackMethod': 'xml', feedbackUrl: '' }, ['feedback-url']],
    ['outgoing feedback without a URL', 'standard', { 'outgoing.feedbackWhen': 'always', feedbackUrl: '' }, ['feedback-url']],
    ['crafted option', 'standard', { 'outgoing.unsupportedFiles': 'drop' }, ['outgoing-unsupported-files']],
    ['bad designated number', 'developer', { designatedFaxNumber: '555' }, ['designated-fax-number']],
    ['developer without a designated number', 'developer', { designatedFaxNumber: '' }, ['designated-fax-number']],
    ['two at once', 'standard', { feedbackUrl: 'nope', 'outgoing.feedbackWhen': 'sometimes' }, ['outgoing-feedback-when', 'feedback-url']],
  ];
  it.each(cases)('%s: marks the control to fix and names its label', (_name, kind, change, ids) => {
    const current = kind === 'developer' ? { ...DEFAULT_SETTINGS, designatedFaxNumber: '+15551230000' } : DEFAULT_SETTINGS;
    const result = applySettingsChange(current, change, kind);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const controls = controlsFor(kind);
    const shown = pageErrors(result.errors, controls);
    expect(shown.map((e) => e.control?.id)).toEqual(ids);
    for (const e of shown) {
      expect(e.text.startsWith(`${messageLabel(e.control!, controls)} `)).toBe(true);
      for (const name of API_NAMES) expect(e.text).not.toContain(name);
    }
  });

  it('keeps the message of a problem no control shows, unlinked', () => {
    expect(pageErrors([{ field: '', message: 'something else' }], controlsFor('standard'))).toEqual([{ text: 'something else' }]);
  });

  it('tells the two "Web feedback method" controls apart by their fieldset', () => {
    const labels = controlsFor('standard').map((c) => messageLabel(c));
    expect(labels).toContain('Web feedback method (incoming fax)');
    expect(labels).toContain('Web feedback method (outgoing fax)');
    expect(new Set(labels).size).toBe(labels.length);
  });

  it('leaves the API its own messages, naming API fields', () => {
    const r = applySettingsChange(DEFAULT_SETTINGS, { 'incoming.feedbackMethod': 'xml', feedbackUrl: '' }, 'standard');
    expect(r.ok ? [] : r.errors.map((e) => [e.field, e.fix])).toEqual([['incoming.feedbackMethod', 'feedbackUrl']]);
    expect(r.ok ? '' : r.errors[0].message).toContain('feedbackUrl');
  });
});
