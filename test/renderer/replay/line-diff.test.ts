import { describe, expect, it } from 'vitest';
import { displayText, lineDiff } from '../../../renderer/src/views/replay/line-diff.js';

describe('the side-by-side answer diff', () => {
  it('pretty-prints JSON on both sides so a changed field is the one changed line', () => {
    expect(lineDiff('{"qty":10,"sku":"a"}', '{"qty":99,"sku":"a"}')).toEqual([
      { left: '{', right: '{', kind: 'same' },
      { left: '  "qty": 10,', right: '  "qty": 99,', kind: 'changed' },
      { left: '  "sku": "a"', right: '  "sku": "a"', kind: 'same' },
      { left: '}', right: '}', kind: 'same' },
    ]);
  });

  it('shows a missing answer as removed lines and an extra one as added lines', () => {
    expect(lineDiff('gone', undefined)).toEqual([{ left: 'gone', kind: 'removed' }]);
    expect(lineDiff(undefined, 'new')).toEqual([{ right: 'new', kind: 'added' }]);
  });

  it('keeps text that is not JSON as it is', () => {
    expect(displayText('{not json')).toBe('{not json');
    expect(lineDiff('a\nb', 'a\nc\nb')).toEqual([{ left: 'a', right: 'a', kind: 'same' }, { right: 'c', kind: 'added' }, { left: 'b', right: 'b', kind: 'same' }]);
  });
});
