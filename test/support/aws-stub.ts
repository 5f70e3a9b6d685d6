// A loopback HTTP server that answers AWS API calls from a table the test gives, for running bundled actions
// (see run-action.ts) against AWS_ENDPOINT_URL. It speaks the two wire protocols the actions use:
//   - awsJson1_1 (ECS, ECR): POST / with X-Amz-Target "<prefix>.<Operation>", JSON in and out;
//   - awsQuery (CloudFormation, STS): POST / with a form body "Action=<Operation>&...", XML out.
// The service is read from the SigV4 credential scope, so one stub serves every client at once.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A recorded request: `key` is "<service>:<Operation>", e.g. "ecs:DescribeServices". */
export interface AwsStubRequest {
  key: string;
  service: string;
  operation: string;
  params: Record<string, unknown>;
  /** 1-based count of calls to this key so far, including this one. */
  call: number;
}

/** Returned or thrown by a handler to answer with an AWS error (e.g. ThrottlingException, ValidationError). */
export class AwsStubError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    // Named like the SDK's exceptions, so the same error also works thrown from an aws-sdk-client-mock fake.
    this.name = code;
  }
}

/** A fixed response body, or a function of the request (its params and how many times it was called). */
export type AwsStubHandler =
  | object
  | ((request: AwsStubRequest) => object | undefined | Promise<object | undefined>);
export type AwsStubTable = Record<string, AwsStubHandler>;

export interface AwsStub {
  /** Value for AWS_ENDPOINT_URL. */
  url: string;
  requests: AwsStubRequest[];
  /** Requests for one "<service>:<Operation>" key. */
  calls(key: string): AwsStubRequest[];
  /** Keys that were called but had no handler (each answered with an error so the action fails visibly). */
  unhandled: string[];
  /** Requests the caller's policy does not allow, answered with AWS's access-denied error: "<key>: <message>". */
  denied: string[];
  /** Adds or replaces handlers. */
  set(table: AwsStubTable): void;
  close(): Promise<void>;
}

const JSON_TARGET_SERVICES: Record<string, string> = {
  AmazonEC2ContainerServiceV20141113: 'ecs',
  AmazonEC2ContainerRegistry_V20150921: 'ecr',
};

const QUERY_NAMESPACES: Record<string, string> = {
  cloudformation: 'http://cloudformation.amazonaws.com/doc/2010-05-15/',
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
};

export interface AwsStubOptions {
  /**
   * Decides, as IAM would, whether the caller may make a request (see aws-authorization.ts); a returned error is the
   * answer and the handler is not called. Without it every request is allowed.
   */
  authorize?: (request: AwsStubRequest) => Promise<AwsStubError | undefined>;
}

export async function startAwsStub(table: AwsStubTable = {}, options: AwsStubOptions = {}): Promise<AwsStub> {
  const handlers: AwsStubTable = { ...table };
  const requests: AwsStubRequest[] = [];
  const unhandled: string[] = [];
  const denied: string[] = [];

  const server = createServer((req, res) => {
    void respond(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });

  async function respond(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const target = req.headers['x-amz-target'];
    const isJson = typeof target === 'string';
    let service = signingService(req.headers.authorization);
    let operation: string;
    let params: Record<string, unknown>;
    if (isJson) {
      const [prefix = '', op = ''] = target.split('.');
      service ??= JSON_TARGET_SERVICES[prefix] ?? prefix;
      operation = op;
      params = body ? (JSON.parse(body) as Record<string, unknown>) : {};
    } else {
      const form = new URLSearchParams(body);
      operation = form.get('Action') ?? '';
      form.delete('Action');
      form.delete('Version');
      params = decodeQueryParams(form);
    }
    service ??= 'unknown';
    const key = `${service}:${operation}`;
    const call = requests.filter((r) => r.key === key).length + 1;
    const request: AwsStubRequest = { key, service, operation, params, call };
    requests.push(request);

    let result: unknown = await options.authorize?.(request);
    if (result instanceof AwsStubError) {
      denied.push(`${key}: ${result.message}`);
    } else if (!(key in handlers)) {
      unhandled.push(key);
      result = new AwsStubError('UnknownOperationException', `aws-stub has no handler for ${key}`);
    } else {
      const handler = handlers[key];
      try {
        result = typeof handler === 'function' ? await handler(request) : handler;
      } catch (error) {
        if (!(error instanceof AwsStubError)) throw error;
        result = error;
      }
    }
    const requestId = randomUUID();
    if (isJson) {
      if (result instanceof AwsStubError) {
        send(
          res,
          result.status,
          'application/x-amz-json-1.1',
          JSON.stringify({ __type: result.code, message: result.message }),
          {
            'x-amzn-errortype': result.code,
            'x-amzn-requestid': requestId,
          },
        );
      } else {
        send(res, 200, 'application/x-amz-json-1.1', JSON.stringify(result ?? {}, jsonDates), {
          'x-amzn-requestid': requestId,
        });
      }
      return;
    }
    const xmlns = QUERY_NAMESPACES[service] ?? '';
    if (result instanceof AwsStubError) {
      const type = result.status >= 500 ? 'Receiver' : 'Sender';
      send(
        res,
        result.status,
        'text/xml',
        `<ErrorResponse xmlns="${xmlns}"><Error><Type>${type}</Type><Code>${escapeXml(result.code)}</Code><Message>${escapeXml(result.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      );
      return;
    }
    send(
      res,
      200,
      'text/xml',
      `<${operation}Response xmlns="${xmlns}"><${operation}Result>${toXml(result ?? {})}</${operation}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`,
    );
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  process.once('exit', () => server.close());

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    calls: (key) => requests.filter((r) => r.key === key),
    unhandled,
    denied,
    set: (more) => Object.assign(handlers, more),
    close,
  };
}

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** "AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/ecs/aws4_request, ..." -> "ecs". */
function signingService(authorization: string | undefined): string | undefined {
  return /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(authorization ?? '')?.[1];
}

/** awsJson timestamps are epoch seconds; tests may write Date objects. */
function jsonDates(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  return raw instanceof Date ? raw.getTime() / 1000 : value;
}

/** Query-protocol form fields ("Parameters.member.1.ParameterKey") into nested objects and arrays. */
export function decodeQueryParams(form: URLSearchParams): Record<string, unknown> {
  const tree: Record<string, unknown> = {};
  for (const [name, value] of form) {
    const parts = name.split('.');
    let node = tree;
    parts.forEach((part, index) => {
      if (index === parts.length - 1) {
        node[part] = value;
        return;
      }
      node[part] ??= {};
      node = node[part] as Record<string, unknown>;
    });
  }
  return unwrapMembers(tree) as Record<string, unknown>;
}

function unwrapMembers(node: unknown): unknown {
  if (typeof node !== 'object' || node === null) return node;
  const entries = Object.entries(node as Record<string, unknown>);
  if (entries.length === 1 && entries[0]?.[0] === 'member') {
    const members = entries[0][1] as Record<string, unknown>;
    return Object.keys(members)
      .sort((a, b) => Number(a) - Number(b))
      .map((index) => unwrapMembers(members[index]));
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, unwrapMembers(v)]));
}

/** Query-protocol XML body: nested elements, lists as <member> items, timestamps in ISO 8601. */
function toXml(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => `<member>${toXml(item)}</member>`).join('');
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<${k}>${toXml(v)}</${k}>`)
      .join('');
  }
  return escapeXml(String(value));
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
