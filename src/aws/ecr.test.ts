import {
  BatchGetImageCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  PutImageCommand,
} from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsStubError } from '../../test/support/aws-stub.ts';
import { Registry } from './ecr.ts';

const ecr = mockClient(ECRClient);
const registry = () => new Registry(new ECRClient({ region: 'eu-west-1' }), 'lattice-ingress-staging');
const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
afterEach(() => ecr.reset());

function manifest(digest: string) {
  ecr.on(BatchGetImageCommand).resolves({
    images: [
      {
        imageId: { imageTag: 'cfg-x', imageDigest: digest },
        imageManifest: '{}',
        imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
      },
    ],
  });
}

describe('Registry', () => {
  it('findImage: undefined for a missing tag, a clear message for a missing repository', async () => {
    ecr.on(DescribeImagesCommand).rejectsOnce(new AwsStubError('ImageNotFoundException', 'not found'));
    expect(await registry().findImage('git-x')).toBeUndefined();
    ecr.on(DescribeImagesCommand).rejects(new AwsStubError('RepositoryNotFoundException', 'nope'));
    await expect(registry().findImage('git-x')).rejects.toThrow(
      'ECR repository lattice-ingress-staging does not exist; deploy the Registry stack first',
    );
    ecr.on(DescribeRepositoriesCommand).rejects(new AwsStubError('RepositoryNotFoundException', 'nope'));
    await expect(registry().repositoryUri()).rejects.toThrow(/deploy the Registry stack first/);
  });

  it('listTags: every page, newest push first', async () => {
    ecr
      .on(DescribeImagesCommand)
      .resolvesOnce({ imageDetails: [{ imageTags: ['old'], imagePushedAt: new Date(1) }], nextToken: 't' })
      .resolvesOnce({ imageDetails: [{ imageTags: ['new', 'new-cfg'], imagePushedAt: new Date(2) }] });
    expect(await registry().listTags()).toEqual(['new', 'new-cfg', 'old']);
    expect(ecr.commandCalls(DescribeImagesCommand)[1]?.args[0].input).toMatchObject({ nextToken: 't' });
  });

  it('addTag: PutImage of the same manifest and media type under the new tag', async () => {
    manifest(D1);
    ecr.on(PutImageCommand).resolves({});
    expect(await registry().addTag('cfg-x', 'git-y')).toBe(D1);
    expect(ecr.commandCalls(PutImageCommand)[0]?.args[0].input).toEqual({
      repositoryName: 'lattice-ingress-staging',
      imageManifest: '{}',
      imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
      imageTag: 'git-y',
      imageDigest: D1,
    });
  });

  it('addTag: ImageAlreadyExists is fine for the same image and an error for another one', async () => {
    manifest(D1);
    ecr.on(PutImageCommand).rejects(new AwsStubError('ImageAlreadyExistsException', 'exists'));
    ecr.on(DescribeImagesCommand).resolvesOnce({ imageDetails: [{ imageDigest: D1 }] });
    expect(await registry().addTag('cfg-x', 'git-y')).toBe(D1);
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: D2 }] });
    await expect(registry().addTag('cfg-x', 'git-y')).rejects.toThrow(
      `tag git-y already exists in lattice-ingress-staging for another image (${D2}, not ${D1}); tags are immutable`,
    );
  });

  it('addTag: a missing source image is reported with ECR’s reason', async () => {
    ecr
      .on(BatchGetImageCommand)
      .resolves({ images: [], failures: [{ failureReason: 'Requested image not found' }] });
    await expect(registry().addTag('cfg-x', 'git-y')).rejects.toThrow(
      'cannot read the manifest of lattice-ingress-staging:cfg-x: Requested image not found',
    );
  });

  it('login: decodes the AWS:password token and strips the scheme from the endpoint', async () => {
    ecr.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [
        {
          authorizationToken: Buffer.from('AWS:pa:ss').toString('base64'),
          proxyEndpoint: 'https://1.dkr.ecr.x.amazonaws.com',
        },
      ],
    });
    expect(await registry().login()).toEqual({
      server: '1.dkr.ecr.x.amazonaws.com',
      username: 'AWS',
      password: 'pa:ss',
    });
  });
});
