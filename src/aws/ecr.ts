// The environment's ECR repository: find images by tag, list tags, add a tag to an existing manifest, log in.
import {
  BatchGetImageCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  type ECRClient,
  GetAuthorizationTokenCommand,
  type ImageDetail,
  PutImageCommand,
} from '@aws-sdk/client-ecr';
import type { RegistryImage, RegistryLogin } from '../operations/build-push.ts';
import { errorName } from '../rollout/aws-answers.ts';

export class Registry {
  constructor(
    private readonly ecr: ECRClient,
    readonly repositoryName: string,
  ) {}

  async repositoryUri(): Promise<string> {
    try {
      const { repositories } = await this.ecr.send(
        new DescribeRepositoriesCommand({ repositoryNames: [this.repositoryName] }),
      );
      const uri = repositories?.[0]?.repositoryUri;
      if (!uri) throw new Error(`DescribeRepositories returned no URI for ${this.repositoryName}`);
      return uri;
    } catch (error) {
      throw this.explain(error);
    }
  }

  /** The image with this tag, or undefined when there is none. */
  async findImage(tag: string): Promise<RegistryImage | undefined> {
    try {
      const { imageDetails } = await this.ecr.send(
        new DescribeImagesCommand({ repositoryName: this.repositoryName, imageIds: [{ imageTag: tag }] }),
      );
      const detail = imageDetails?.[0];
      return detail ? toImage(detail) : undefined;
    } catch (error) {
      if (errorName(error) === 'ImageNotFoundException') return undefined;
      throw this.explain(error);
    }
  }

  /** Tags in the repository, newest push first (at most `limit` images are read). */
  async listTags(limit = 1000): Promise<string[]> {
    const details: ImageDetail[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const page = await this.ecr.send(
          new DescribeImagesCommand({
            repositoryName: this.repositoryName,
            filter: { tagStatus: 'TAGGED' },
            maxResults: 1000,
            ...(nextToken ? { nextToken } : {}),
          }),
        );
        details.push(...(page.imageDetails ?? []));
        nextToken = page.nextToken;
      } while (nextToken && details.length < limit);
    } catch (error) {
      throw this.explain(error);
    }
    return details
      .sort((a, b) => (b.imagePushedAt?.getTime() ?? 0) - (a.imagePushedAt?.getTime() ?? 0))
      .flatMap((d) => d.imageTags ?? []);
  }

  /**
   * Adds `newTag` to the manifest tagged `existingTag` (no pull or push: ECR stores the same manifest under a
   * second tag). With tag immutability on, a tag that already exists is only accepted if it names the same image.
   */
  async addTag(existingTag: string, newTag: string): Promise<string> {
    const { images, failures } = await this.ecr.send(
      new BatchGetImageCommand({
        repositoryName: this.repositoryName,
        imageIds: [{ imageTag: existingTag }],
        acceptedMediaTypes: [
          'application/vnd.oci.image.index.v1+json',
          'application/vnd.docker.distribution.manifest.list.v2+json',
          'application/vnd.oci.image.manifest.v1+json',
          'application/vnd.docker.distribution.manifest.v2+json',
        ],
      }),
    );
    const image = images?.[0];
    if (!image?.imageManifest || !image.imageId?.imageDigest) {
      const reason = failures?.[0]?.failureReason ?? 'not found';
      throw new Error(`cannot read the manifest of ${this.repositoryName}:${existingTag}: ${reason}`);
    }
    const digest = image.imageId.imageDigest;
    try {
      await this.ecr.send(
        new PutImageCommand({
          repositoryName: this.repositoryName,
          imageManifest: image.imageManifest,
          ...(image.imageManifestMediaType ? { imageManifestMediaType: image.imageManifestMediaType } : {}),
          imageTag: newTag,
          imageDigest: digest,
        }),
      );
    } catch (error) {
      const name = errorName(error);
      if (name !== 'ImageAlreadyExistsException' && name !== 'ImageTagAlreadyExistsException') throw error;
      const existing = await this.findImage(newTag);
      if (existing?.digest !== digest) {
        throw new Error(
          `tag ${newTag} already exists in ${this.repositoryName} for another image (${existing?.digest ?? 'unknown'}, not ${digest}); tags are immutable`,
        );
      }
    }
    return digest;
  }

  async login(): Promise<RegistryLogin> {
    const { authorizationData } = await this.ecr.send(new GetAuthorizationTokenCommand({}));
    const data = authorizationData?.[0];
    if (!data?.authorizationToken || !data.proxyEndpoint)
      throw new Error('ECR returned no authorization token');
    // "AWS:<password>"; only the first colon separates them.
    const token = Buffer.from(data.authorizationToken, 'base64').toString('utf8');
    const colon = token.indexOf(':');
    return {
      server: data.proxyEndpoint.replace(/^https?:\/\//, ''),
      username: token.slice(0, colon),
      password: token.slice(colon + 1),
    };
  }

  private explain(error: unknown): Error {
    if (errorName(error) === 'RepositoryNotFoundException') {
      return new Error(
        `ECR repository ${this.repositoryName} does not exist; deploy the Registry stack first (deploy-infra with stacks: registry)`,
      );
    }
    return error instanceof Error ? error : new Error(String(error));
  }
}

function toImage(detail: ImageDetail): RegistryImage {
  return {
    digest: detail.imageDigest ?? '',
    tags: detail.imageTags ?? [],
    ...(detail.imagePushedAt ? { pushedAt: detail.imagePushedAt } : {}),
  };
}
