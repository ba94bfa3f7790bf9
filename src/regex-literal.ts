// A byte prefilter for a regular expression: ASCII text that every match contains. Data without it
// cannot match, so a search or a rule can skip decoding it to a string (a byte scan is far faster).

/** Punctuation that stands for itself once escaped (`\.`, `\{`, `\/`...). */
const ESCAPED_LITERAL = /[!-/:-@[-`{-~]/;
const SPECIAL = '\\^$.|?*+()[]{}';

/**
 * The literal characters the regex starts with (after a leading ^; an escaped punctuation character
 * counts as itself), when it has no alternation and no case folding. Null when there are fewer than
 * three. A prefilter only: data that contains it is still matched by the regex itself.
 */
export function leadingLiteral(regex: RegExp): Buffer | null {
  if (regex.flags.includes('i') || regex.source.includes('|')) return null;
  const source = regex.source.startsWith('^') ? regex.source.slice(1) : regex.source;
  let literal = '';
  let at = 0;
  while (at < source.length) {
    const char = source[at]!;
    if (char === '\\' && at + 1 < source.length && ESCAPED_LITERAL.test(source[at + 1]!)) {
      literal += source[at + 1];
      at += 2;
    } else if (!SPECIAL.includes(char) && char.charCodeAt(0) < 0x80) {
      literal += char;
      at += 1;
    } else {
      break;
    }
  }
  // A quantifier after the run makes its last character optional or repeatable.
  if (at < source.length && '?*{'.includes(source[at]!)) literal = literal.slice(0, -1);
  return literal.length >= 3 ? Buffer.from(literal, 'latin1') : null;
}
