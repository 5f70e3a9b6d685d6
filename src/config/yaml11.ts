// How YAML 1.1 tools (PyYAML, older editors and linters, Ruby's Psych) read an unquoted scalar. This tool reads
// YAML 1.2, where `yes` is text and 0644 is 644; pointing out the difference prevents values that mean one thing
// here and another in the next tool that touches the file.

export interface Yaml11Reading {
  value: unknown;
  description: string;
}

const BOOLEAN_11 = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const OCTAL_11 = /^[-+]?0[0-7_]+$/;
const BINARY_11 = /^[-+]?0b[01_]+$/;
const SEXAGESIMAL_11 = /^[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+$/;
const DECIMAL_WITH_UNDERSCORES_11 = /^[-+]?[1-9][0-9]*(?:_[0-9]+)+$/;
const OCTAL_12 = /^0o[0-7]+$/;

/** The value a YAML 1.1 parser gives an unquoted single-line scalar, when it is not plain text. */
export function yaml11Reading(plain: string): Yaml11Reading | undefined {
  const sign = plain.startsWith('-') ? -1 : 1;
  const digits = plain.replace(/^[-+]/, '').replace(/_/g, '');
  if (BOOLEAN_11.test(plain)) {
    const value = /^(?:y|yes|true|on)$/i.test(plain);
    return { value, description: `the boolean ${value}` };
  }
  if (OCTAL_11.test(plain)) {
    const value = sign * Number.parseInt(digits, 8);
    return { value, description: `the octal number ${value}` };
  }
  if (BINARY_11.test(plain)) {
    const value = sign * Number.parseInt(digits.slice(2), 2);
    return { value, description: `the binary number ${value}` };
  }
  if (SEXAGESIMAL_11.test(plain)) {
    const value = sign * digits.split(':').reduce((total, part) => total * 60 + Number(part), 0);
    return { value, description: `the base-60 number ${value}` };
  }
  if (DECIMAL_WITH_UNDERSCORES_11.test(plain)) {
    const value = sign * Number(digits);
    return { value, description: `the number ${value}` };
  }
  if (OCTAL_12.test(plain)) return { value: plain, description: `the text "${plain}"` };
  return undefined;
}

export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `the text "${value}"`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `the boolean ${value}`;
  if (value === null) return 'null (no value)';
  return Array.isArray(value) ? 'a list' : 'a mapping';
}
