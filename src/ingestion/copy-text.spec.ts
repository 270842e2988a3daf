import { describe, expect, it } from '@jest/globals';
import { copyField, copyLine } from './copy-text.js';

describe('copyLine', () => {
  it('should write NULL as \\N and escape the characters that end a field or a row', () => {
    expect(copyLine(['a\tb', null, 42, 'line\nbreak\r', 'back\\slash'])).toBe('a\\tb\t\\N\t42\tline\\nbreak\\r\tback\\\\slash\n');
  });

  it('should pass plain text through untouched', () => {
    expect(copyField('NIP/GTB/ADA OBI/rent ₦')).toBe('NIP/GTB/ADA OBI/rent ₦');
  });
});
