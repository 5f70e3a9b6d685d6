// The narrow surface the actions use from the runner, so their logic runs against @actions/core in a workflow and
// against an in-memory recorder in unit tests.
import { Report, type ReportFormat, type Style } from '../render/report.ts';

/** File and position an annotation points at (shown on that line of the pull request diff). */
export interface AnnotationLocation {
  file?: string;
  line?: number;
  column?: number;
  title?: string;
}

export interface ActionIO {
  /** Trimmed input value; '' when not set. */
  getInput(name: string): string;
  setOutput(name: string, value: string | number | boolean): void;
  info(message: string): void;
  notice(message: string, location?: AnnotationLocation): void;
  warning(message: string, location?: AnnotationLocation): void;
  error(message: string, location?: AnnotationLocation): void;
  /** Collapsible section in the log. */
  group<T>(title: string, body: () => Promise<T>): Promise<T>;
  /** How the summary is read: Markdown on GitHub, plain text in a terminal. */
  readonly summaryFormat?: ReportFormat;
  /** Colour of a terminal summary (src/render/report.ts styleFor). */
  readonly summaryStyle?: Style;
  /** Appends to the summary, in summaryFormat (build it with newReport). */
  appendSummary(markdown: string): Promise<void>;
  /** Marks the step failed with this message (the process exits non-zero). */
  setFailed(message: string): void;
}

/** An empty report in the format the IO's summary is read in. */
export function newReport(io: ActionIO): Report {
  return new Report(io.summaryFormat ?? 'markdown', io.summaryStyle);
}

/** An ActionIO that records everything, for tests. */
export class MemoryIO implements ActionIO {
  readonly outputs: Record<string, string> = {};
  readonly log: string[] = [];
  readonly annotations: {
    level: 'notice' | 'warning' | 'error';
    message: string;
    location?: AnnotationLocation;
  }[] = [];
  summary = '';
  failed?: string;

  constructor(private readonly inputs: Record<string, string> = {}) {}

  getInput(name: string): string {
    return (this.inputs[name] ?? '').trim();
  }
  setOutput(name: string, value: string | number | boolean): void {
    this.outputs[name] = String(value);
  }
  info(message: string): void {
    this.log.push(message);
  }
  notice(message: string, location?: AnnotationLocation): void {
    this.annotations.push({ level: 'notice', message, ...(location ? { location } : {}) });
  }
  warning(message: string, location?: AnnotationLocation): void {
    this.annotations.push({ level: 'warning', message, ...(location ? { location } : {}) });
  }
  error(message: string, location?: AnnotationLocation): void {
    this.annotations.push({ level: 'error', message, ...(location ? { location } : {}) });
  }
  async group<T>(title: string, body: () => Promise<T>): Promise<T> {
    this.log.push(`[${title}]`);
    return body();
  }
  async appendSummary(markdown: string): Promise<void> {
    this.summary += markdown;
  }
  setFailed(message: string): void {
    this.failed = message;
  }
}
