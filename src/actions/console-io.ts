// ActionIO for the command line: log lines on stdout, annotations on stderr, the summary kept for the end.
import { styleFor } from '../render/report.ts';
import type { ActionIO, AnnotationLocation } from './io.ts';

const where = (location?: AnnotationLocation) =>
  location?.file ? `${location.file}:${location.line ?? 1}:${location.column ?? 1}: ` : '';

export class ConsoleIO implements ActionIO {
  readonly summaryFormat = 'terminal';
  readonly summaryStyle = styleFor();
  summary = '';
  failed?: string;

  constructor(private readonly inputs: Record<string, string> = {}) {}

  getInput(name: string): string {
    return (this.inputs[name] ?? '').trim();
  }
  setOutput(name: string, value: string | number | boolean): void {
    console.log(`${name}=${value}`);
  }
  info(message: string): void {
    console.log(message);
  }
  notice(message: string, location?: AnnotationLocation): void {
    console.error(`${where(location)}notice: ${message}`);
  }
  warning(message: string, location?: AnnotationLocation): void {
    console.error(`${where(location)}warning: ${message}`);
  }
  error(message: string, location?: AnnotationLocation): void {
    console.error(`${where(location)}error: ${message}`);
  }
  async group<T>(title: string, body: () => Promise<T>): Promise<T> {
    console.log(`== ${title}`);
    return body();
  }
  async appendSummary(markdown: string): Promise<void> {
    this.summary += markdown;
  }
  setFailed(message: string): void {
    this.failed = message;
    console.error(`error: ${message}`);
  }
}
