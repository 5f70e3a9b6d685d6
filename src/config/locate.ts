// Value paths into a parsed YAML file, turned into the line and column that messages point at.
import { keyNodeAt, nodeAt, positionOf, type YamlSource } from './yaml-source.ts';

/** A parsed YAML file with what is needed to turn a value path into a line and column. */
export interface ParsedFile {
  path: string;
  source: YamlSource;
}

export type ValuePath = readonly (string | number)[];

/** Line and column of the node at a value path; falls back to the nearest existing parent. */
export function locate(file: ParsedFile, path: ValuePath): { line: number; column: number } {
  return positionOf(file.source, nodeAt(file.source, path).offset);
}

/** Line and column of a mapping key (e.g. to point at `allowAnyAddress:` rather than its value). */
export function locateKey(file: ParsedFile, path: ValuePath, key: string): { line: number; column: number } {
  const keyNode = keyNodeAt(file.source, path, key);
  return keyNode ? positionOf(file.source, keyNode.offset) : locate(file, path);
}
