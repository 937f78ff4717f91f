// The HTML escaping helper: every interpolated value is escaped; only SafeHtml passes through.
import { describe, expect, it } from 'vitest';
import { escapeHtml, html, raw, SafeHtml } from '../../src/web/html.js';

describe('escapeHtml', () => {
  const cases: [unknown, string][] = [
    ['plain', 'plain'],
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['a & b', 'a &amp; b'],
    ['"quoted" \'single\'', '&quot;quoted&quot; &#39;single&#39;'],
    ['&amp;', '&amp;amp;'],
    ['" onmouseover="x', '&quot; onmouseover=&quot;x'],
    [42, '42'],
    [null, ''],
    [undefined, ''],
  ];
  it.each(cases)('escapes %j', (input, expected) => {
    expect(escapeHtml(input)).toBe(expected);
  });
});

describe('html template', () => {
  it('escapes interpolations but keeps the literal markup', () => {
    const name = '<b>Bob</b>';
    expect(html`<p title="${name}">${name}</p>`.value).toBe('<p title="&lt;b&gt;Bob&lt;/b&gt;">&lt;b&gt;Bob&lt;/b&gt;</p>');
  });

  it('passes nested fragments through once, without double escaping', () => {
    const inner = html`<em>${'a<b'}</em>`;
    expect(inner).toBeInstanceOf(SafeHtml);
    expect(html`<p>${inner}</p>`.value).toBe('<p><em>a&lt;b</em></p>');
  });

  it('joins arrays and escapes each element', () => {
    expect(html`<ul>${['<x>', html`<li>ok</li>`]}</ul>`.value).toBe('<ul>&lt;x&gt;<li>ok</li></ul>');
  });

  it('renders false, null and undefined as nothing but keeps 0 and true', () => {
    expect(html`[${false}${null}${undefined}${0}${true}]`.value).toBe('[0true]');
  });

  it('raw() is the only way to insert unescaped text', () => {
    expect(html`${raw('<br>')}${'<br>'}`.value).toBe('<br>&lt;br&gt;');
  });
});
