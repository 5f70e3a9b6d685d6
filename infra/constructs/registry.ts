// The ECR repository holding one environment's proxy images: immutable tags, scanned on push, rollback-safe lifecycle.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';

/**
 * How many `git-` tagged images are kept: every deployed build carries one, so this is the rollback window. At a few
 * deployments a day it is months of history; the images are tens of megabytes.
 */
export const KEEP_DEPLOYED_IMAGES = 200;
/** Builds tagged `cfg-` only (built, never deployed) beyond this many are removed. */
export const KEEP_UNDEPLOYED_IMAGES = 20;

export interface RegistryProps {
  repositoryName: string;
}

export class Registry extends Construct {
  readonly repository: ecr.Repository;

  constructor(scope: Construct, id: string, props: RegistryProps) {
    super(scope, id);
    this.repository = new ecr.Repository(this, 'Repository', {
      repositoryName: props.repositoryName,
      // A tag names exactly one image forever: git-<sha> and cfg-<hash> are traceable and cannot be overwritten.
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      imageScanOnPush: true,
      // KMS with the AWS managed key (aws/ecr): every decryption is in CloudTrail, and there is no key to manage.
      encryption: ecr.RepositoryEncryption.KMS,
      // Deleting the stack must not delete the images a rollback may need; a failed first create must not leave the
      // fixed name taken, or the retry fails (RetainExceptOnCreate).
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      emptyOnDelete: false,
      // ECR applies a lower rulePriority first, and an image matched by one rule is never expired by a later one:
      // a deployed image (git- tag) is therefore only ever expired by falling out of the newest KEEP_DEPLOYED_IMAGES.
      lifecycleRules: [
        {
          rulePriority: 1,
          description: 'Drop untagged layers of superseded builds after a day',
          tagStatus: ecr.TagStatus.UNTAGGED,
          maxImageAge: Duration.days(1),
        },
        {
          rulePriority: 2,
          description: `Keep the ${KEEP_DEPLOYED_IMAGES} newest deployed images (git-<sha>), the rollback window`,
          tagStatus: ecr.TagStatus.TAGGED,
          tagPrefixList: ['git-'],
          maxImageCount: KEEP_DEPLOYED_IMAGES,
        },
        {
          rulePriority: 3,
          description: `Keep the ${KEEP_UNDEPLOYED_IMAGES} newest builds that were never deployed (cfg-<hash> only)`,
          tagStatus: ecr.TagStatus.TAGGED,
          tagPrefixList: ['cfg-'],
          maxImageCount: KEEP_UNDEPLOYED_IMAGES,
        },
      ],
    });
  }
}
