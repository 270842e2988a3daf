import { describe, expect, it } from '@jest/globals';
import { escapeHtml, html, query, raw } from './html.js';

describe(html.name, () => {
  it('should escape every interpolated value unless it is already safe markup', () => {
    const name = '<script>alert("x")</script>';
    expect(html`<p title="${name}">${name}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>',
    );
    expect(html`<div>${raw('<b>ok</b>')}</div>`.value).toBe('<div><b>ok</b></div>');
    // (an alias keeps prettier from re-flowing the markup under test)
    const h = html;
    expect(h`<ul>${['<a>', h`<li>${'&'}</li>`]}</ul>`.value).toBe('<ul>&lt;a&gt;<li>&amp;</li></ul>');
    expect(html`${null}${undefined}${false}${0}`.value).toBe('0');
    expect(escapeHtml("'`")).toBe('&#39;&#96;');
  });

  it('should build query strings from defined values only', () => {
    expect(query({ a: 'x y', b: undefined, c: '', d: 2 })).toBe('?a=x%20y&d=2');
    expect(query({})).toBe('');
  });
});
