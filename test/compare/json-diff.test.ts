// The pair diff: JSON compared by path (objects by key, arrays by position), other text by line.
import { describe, expect, it } from 'vitest';
import { diffTexts, MAX_JSON_ENTRIES } from '../../src/compare/json-diff.js';

describe('diffTexts', () => {
  it('says equal texts are equal', () => {
    expect(diffTexts('{"a":1}', '{"a":1}')).toEqual({ kind: 'equal' });
  });

  it('lists changed, removed and added paths of two JSON documents', () => {
    const left = '{"type":"order","qty":10,"items":[{"id":1},{"id":2}],"gone":true,"odd key":1}';
    const right = '{"type":"order","qty":99,"items":[{"id":1},{"id":3},{"id":4}],"odd key":2,"new":{"x":[1]}}';
    expect(diffTexts(left, right)).toEqual({
      kind: 'json',
      truncated: false,
      entries: [
        { path: '$.qty', kind: 'changed', left: '10', right: '99' },
        { path: '$.items[1].id', kind: 'changed', left: '2', right: '3' },
        { path: '$.items[2]', kind: 'added', right: '{"id":4}' },
        { path: '$.gone', kind: 'removed', left: 'true' },
        { path: '$["odd key"]', kind: 'changed', left: '1', right: '2' },
        { path: '$.new', kind: 'added', right: '{"x":[1]}' },
      ],
    });
  });

  it('finds no path for the same values written differently', () => {
    expect(diffTexts('{"a":1,"b":2}', '{ "b": 2, "a": 1 }')).toEqual({ kind: 'json', entries: [], truncated: false });
  });

  it('treats a value of another type as changed', () => {
    expect(diffTexts('{"a":[1]}', '{"a":{"0":1}}')).toEqual({ kind: 'json', truncated: false, entries: [{ path: '$.a', kind: 'changed', left: '[1]', right: '{"0":1}' }] });
  });

  it('diffs other text line by line', () => {
    expect(diffTexts('line one\nline two\nline three', 'line one\nline 2\nline three\nline four')).toEqual({
      kind: 'lines',
      truncated: false,
      counts: { same: 2, changed: 1, added: 1, removed: 0 },
      rows: [
        { kind: 'same', left: 'line one', right: 'line one' },
        { kind: 'changed', left: 'line two', right: 'line 2' },
        { kind: 'same', left: 'line three', right: 'line three' },
        { kind: 'added', right: 'line four' },
      ],
    });
  });

  it('stops listing past its bound and says so', () => {
    const a = JSON.stringify(Array.from({ length: 600 }, (_, i) => i));
    const b = JSON.stringify(Array.from({ length: 600 }, (_, i) => i + 1));
    const diff = diffTexts(a, b);
    expect(diff.kind).toBe('json');
    if (diff.kind !== 'json') return;
    expect(diff.truncated).toBe(true);
    expect(diff.entries.length).toBe(MAX_JSON_ENTRIES);
    expect(diff.entries[0]).toEqual({ path: "$[0]", kind: "changed", left: "0", right: "1" });
  });
});
