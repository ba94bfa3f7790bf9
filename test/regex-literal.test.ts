// The byte prefilter of a regex (searches and rules skip decoding data without it); its first cases are
// in test/capture/capture-store.test.ts.
import { describe, expect, it } from 'vitest';
import { leadingLiteral } from '../src/regex-literal.js';

describe('the literal every match of a regex contains', () => {
  it('is the run of plain characters it starts with, after a leading ^', () => {
    expect(leadingLiteral(/never$/)?.toString()).toBe('never');
  });

  it('takes escaped punctuation as itself', () => {
    expect(leadingLiteral(/^\{"never"/)?.toString()).toBe('{"never"');
    expect(leadingLiteral(/\/api\/v1\.2/)?.toString()).toBe('/api/v1.2');
    expect(leadingLiteral(/price\.\d/)?.toString()).toBe('price.');
    // A quantified escape is optional: it and what follows are left out.
    expect(leadingLiteral(/abc\.?d/)?.toString()).toBe('abc');
  });

  it('is none where a match need not contain one', () => {
    expect(leadingLiteral(/\d{3}-x/)).toBeNull();
    expect(leadingLiteral(/ab\bcd/)).toBeNull();
  });
});
