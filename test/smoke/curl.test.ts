import { describe, expect, it } from 'vitest';
import { renderCurl } from '../../src/smoke/curl.ts';

describe('renderCurl', () => {
  it('connects to the endpoint while the URL keeps the service domain, and signs for Lattice', () => {
    expect(
      renderCurl({
        method: 'GET',
        scheme: 'https',
        domain: 'orders.example.com',
        port: 443,
        path: '/health',
        connectTo: { host: 'ingress-0123.elb.eu-west-1.amazonaws.com', port: 443 },
        sign: { region: 'eu-west-1', sessionToken: true },
      }),
    ).toBe(
      'curl -sS -i --connect-to orders.example.com:443:ingress-0123.elb.eu-west-1.amazonaws.com:443 ' +
        '--aws-sigv4 aws:amz:eu-west-1:vpc-lattice-svcs --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" ' +
        `-H "x-amz-security-token: $AWS_SESSION_TOKEN" -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' ` +
        'https://orders.example.com/health',
    );
  });

  it('leaves out the token header for long-term credentials (curl would sign an empty one)', () => {
    const command = renderCurl({
      method: 'GET',
      scheme: 'https',
      domain: 'a.example.com',
      port: 443,
      path: '/',
      sign: { region: 'us-east-1', sessionToken: false },
    });
    expect(command).not.toContain('x-amz-security-token');
    expect(command).toContain('--aws-sigv4 aws:amz:us-east-1:vpc-lattice-svcs');
  });

  it('renders plain HTTP, local ports, a CA file, a source address, a method, data and a canonical query', () => {
    expect(
      renderCurl({
        method: 'PUT',
        scheme: 'http',
        domain: 'status.example.com',
        port: 80,
        path: '/v1/items',
        query: { limit: '5', after: 'a b', tag: ['z', 'y'] },
        connectTo: { host: '::1', port: 18080 },
        caFile: '/tmp/my ca.pem',
        sourceAddress: '127.0.0.2',
        data: `{"name":"it's"}`,
      }),
    ).toBe(
      "curl -sS -i -X PUT --connect-to 'status.example.com:80:[::1]:18080' --interface 127.0.0.2 --cacert '/tmp/my ca.pem' " +
        `--data-raw '{"name":"it'\\''s"}' 'http://status.example.com/v1/items?after=a%20b&limit=5&tag=y&tag=z'`,
    );
  });

  it('names a non-default port in the URL', () => {
    const command = renderCurl({
      method: 'GET',
      scheme: 'https',
      domain: 'a.example.com',
      port: 8443,
      path: '/',
    });
    expect(command).toBe('curl -sS -i https://a.example.com:8443/');
  });
});
