/**
 * Text shown by a PDF's text operators (pdfkit writes hex strings inside TJ arrays when uncompressed), one line per
 * operator; with `joinLines`, pdfkit's wrapped lines are joined so a sentence reads as one.
 */
export function pdfTextOf(pdf: Buffer, opts: { joinLines?: boolean } = {}): string {
  const src = pdf.toString('latin1');
  const out: string[] = [];
  for (const m of src.matchAll(/\[([^\]]*)\]\s*TJ/g)) {
    out.push([...m[1].matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => Buffer.from(h[1], 'hex').toString('latin1')).join(''));
  }
  const text = out.join('\n');
  return opts.joinLines ? text.replace(/ *\n */g, ' ') : text;
}
