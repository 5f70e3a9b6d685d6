// Names of the characters that slip into text pasted from spreadsheets, word processors and chat: invisible
// spaces, look-alike dashes and quotes. Messages name them, because "bad indentation" at an invisible character
// tells nobody what to delete.

const NAMES: Readonly<Record<string, string>> = {
  '\u0009': 'CHARACTER TABULATION',
  '\u000a': 'LINE FEED',
  '\u000d': 'CARRIAGE RETURN',
  '\u00a0': 'NO-BREAK SPACE',
  '\u00ad': 'SOFT HYPHEN',
  '\u2002': 'EN SPACE',
  '\u2003': 'EM SPACE',
  '\u2007': 'FIGURE SPACE',
  '\u2009': 'THIN SPACE',
  '\u200b': 'ZERO WIDTH SPACE',
  '\u200c': 'ZERO WIDTH NON-JOINER',
  '\u200d': 'ZERO WIDTH JOINER',
  '\u2010': 'HYPHEN',
  '\u2011': 'NON-BREAKING HYPHEN',
  '\u2012': 'FIGURE DASH',
  '\u2013': 'EN DASH',
  '\u2014': 'EM DASH',
  '\u2018': 'LEFT SINGLE QUOTATION MARK',
  '\u2019': 'RIGHT SINGLE QUOTATION MARK',
  '\u201c': 'LEFT DOUBLE QUOTATION MARK',
  '\u201d': 'RIGHT DOUBLE QUOTATION MARK',
  '\u2028': 'LINE SEPARATOR',
  '\u2029': 'PARAGRAPH SEPARATOR',
  '\u202f': 'NARROW NO-BREAK SPACE',
  '\u2060': 'WORD JOINER',
  '\u2212': 'MINUS SIGN',
  '\u3000': 'IDEOGRAPHIC SPACE',
  '\ufeff': 'ZERO WIDTH NO-BREAK SPACE (byte order mark)',
};

/** The ASCII character each look-alike stands for, where there is one. */
export const ASCII_LOOKALIKE: Readonly<Record<string, string>> = {
  '\u00a0': ' ',
  '\u2002': ' ',
  '\u2003': ' ',
  '\u2007': ' ',
  '\u2009': ' ',
  '\u202f': ' ',
  '\u3000': ' ',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2013': '-',
  '\u2014': '-',
  '\u2212': '-',
  '\u2018': "'",
  '\u2019': "'",
  '\u201c': '"',
  '\u201d': '"',
};

/** Characters that are invisible or that make a value look like another: never intended in a config value. */
export const SUSPICIOUS =
  /[\u00a0\u00ad\u2000-\u200d\u2010-\u2015\u2018-\u201f\u2028-\u202f\u2060\u2212\u3000\ufeff]/u;

/** Characters that look like a space, or like nothing, and that YAML does not take as a space. */
export const INVISIBLE_SPACE = /[\u00a0\u2000-\u200b\u202f\u205f\u2060\u3000\ufeff]/u;

/** "U+00A0 NO-BREAK SPACE": the code point and, for the usual suspects, the Unicode name. */
export function characterName(character: string): string {
  const codePoint = character.codePointAt(0) ?? 0;
  const code = `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
  const name = NAMES[character];
  if (name) return `${code} ${name}`;
  return /\p{Extended_Pictographic}/u.test(character) ? `${code} (an emoji)` : code;
}

/** The first invisible, look-alike or emoji character of a value, named: "U+2013 EN DASH at character 5". */
export function oddCharacter(value: string): string | undefined {
  const found = SUSPICIOUS.exec(value) ?? /\p{Extended_Pictographic}/u.exec(value);
  return found ? `${characterName(found[0])} at character ${found.index + 1}` : undefined;
}
