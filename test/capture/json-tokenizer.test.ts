// The incremental JSON tokenizer: the same values as JSON.parse for every text JSON.parse reads, in
// chunks split anywhere, and an exact error (never a hang) for every text it does not.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { JsonSyntaxError, JsonTokenizer, type JsonHandler } from '../../src/capture/har-import/json-tokenizer.js';

/** Builds the value the tokens describe (with an explicit stack, as the HAR reader does). */
function parse(chunks: string[]): unknown {
  const stack: { value: Record<string, unknown> | unknown[]; key: string }[] = [];
  let result: unknown;
  let done = false;
  const put = (value: unknown) => {
    const top = stack.at(-1);
    if (!top) {
      result = value;
      done = true;
    } else if (Array.isArray(top.value)) top.value.push(value);
    else top.value[top.key] = value;
  };
  const handler: JsonHandler = {
    startObject: () => stack.push({ value: {}, key: '' }),
    startArray: () => stack.push({ value: [], key: '' }),
    endObject: () => put(stack.pop()!.value),
    endArray: () => put(stack.pop()!.value),
    key: (name) => (stack.at(-1)!.key = name),
    value: put,
  };
  const tokenizer = new JsonTokenizer(handler);
  for (const chunk of chunks) tokenizer.write(chunk);
  tokenizer.end();
  expect(done).toBe(true);
  return result;
}

function error(text: string): string {
  try {
    parse([text]);
  } catch (e) {
    expect(e).toBeInstanceOf(JsonSyntaxError);
    return (e as Error).message;
  }
  throw new Error(`no error for ${JSON.stringify(text)}`);
}

describe('JsonTokenizer', () => {
  it('reads what JSON.parse reads, with the same values', () => {
    fc.assert(fc.property(fc.json(), (text) => {
      expect(parse([text])).toStrictEqual(JSON.parse(text));
    }), { numRuns: 300, seed: 9 });
  });

  it('reads the same values from a text split at every position', () => {
    const text = JSON.stringify({ a: [1, -2.5e3, true, false, null], 'k\u00e9y': 'caf\u00e9 \ud83d\ude00 \\ "q" \n', e: {}, f: [] }, null, 2)
      .replace('caf', 'c\\u0061f');
    for (let i = 0; i <= text.length; i++) {
      for (let j = i; j <= text.length; j += 7) {
        expect(parse([text.slice(0, i), text.slice(i, j), text.slice(j)])).toStrictEqual(JSON.parse(text));
      }
    }
  });

  it('accepts and rejects exactly the texts JSON.parse does', () => {
    const alphabet = fc.constantFrom('{', '}', '[', ']', ':', ',', '"', '\\', 'u', '0', '1', '-', '.', 'e', 't', 'r', 'n', 'l', ' ', '\n', '\t', '\v', '\f', '\u0000', '\ufeff', 'a');
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 24 }).map((cs) => cs.join('')), (text) => {
      let expected = true;
      try {
        JSON.parse(text);
      } catch {
        expected = false;
      }
      let actual = true;
      try {
        parse([text]);
      } catch (e) {
        expect(e).toBeInstanceOf(JsonSyntaxError);
        actual = false;
      }
      expect(actual).toBe(expected);
    }), { numRuns: 5000, seed: 14 });
  });

  it('names the character and the position of each error', () => {
    expect(error('\u0000\u000b')).toBe('unexpected character U+0000 at character 0');
    expect(error('\u000b')).toBe('unexpected character U+000B at character 0');
    expect(error('{\f}')).toBe('unexpected character U+000C at character 1');
    expect(error('')).toBe('the file holds no JSON value (it is empty or only whitespace) at character 0');
    expect(error('{"a" 1}')).toBe('unexpected "1" at character 5');
    expect(error('[1,]')).toBe('unexpected "]" at character 3');
    expect(error('"a\u0001"')).toBe('unescaped character U+0001 in a string at character 2');
    expect(error('"\\x"')).toBe('bad escape "\\x" in a string at character 2');
    expect(error('{} {}')).toBe('unexpected "{" after the end of the value at character 3');
    expect(error('[tru]')).toBe('unexpected word "tru" at character 1');
    expect(error('[01]')).toBe('"01" is not a number at character 1');
    expect(error('{"a": [1, 2')).toBe('the text ends inside a value at character 11');
    expect(error('{"a": [1, 2]')).toBe('the text ends with 1 container(s) still open at character 12');
  });

  it('reads 100,000 nested arrays without recursion', () => {
    const depth = 100_000;
    let value = parse(['['.repeat(depth), ']'.repeat(depth)]);
    let levels = 0;
    while (Array.isArray(value) && value.length > 0) {
      value = value[0];
      levels += 1;
    }
    expect(levels).toBe(depth - 1);
  });
});
