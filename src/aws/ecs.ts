// The ECS service the Ingress stack runs: its deployments and events, task definition images, and tasks.
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  type DesiredStatus,
  type ECSClient,
  ListTasksCommand,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';

export class Fleet {
  private readonly images = new Map<string, string>();

  constructor(
    private readonly ecs: ECSClient,
    readonly cluster: string,
    readonly service: string,
    /** The proxy container is the one whose image is in this repository. */
    private readonly repositoryName: string,
  ) {}

  /** The service, or undefined when ECS reports it MISSING. */
  async describeService(): Promise<Service | undefined> {
    const { services } = await this.ecs.send(
      new DescribeServicesCommand({ cluster: this.cluster, services: [this.service] }),
    );
    return services?.[0];
  }

  /** Proxy container image of each task definition (cached: task definitions are immutable). */
  async containerImages(taskDefinitionArns: readonly string[]): Promise<Map<string, string>> {
    for (const arn of taskDefinitionArns) {
      if (this.images.has(arn)) continue;
      const { taskDefinition } = await this.ecs.send(
        new DescribeTaskDefinitionCommand({ taskDefinition: arn }),
      );
      const containers = taskDefinition?.containerDefinitions ?? [];
      const proxy =
        containers.find(
          (c) =>
            c.image?.includes(`/${this.repositoryName}:`) || c.image?.includes(`/${this.repositoryName}@`),
        ) ?? containers[0];
      if (proxy?.image) this.images.set(arn, proxy.image);
    }
    return new Map([...this.images].filter(([arn]) => taskDefinitionArns.includes(arn)));
  }

  async tasks(desiredStatus: DesiredStatus, limit = 100): Promise<Task[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.ecs.send(
        new ListTasksCommand({
          cluster: this.cluster,
          serviceName: this.service,
          desiredStatus,
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      arns.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken && arns.length < limit);
    const tasks: Task[] = [];
    // DescribeTasks takes at most 100 tasks per call.
    for (let i = 0; i < Math.min(arns.length, limit); i += 100) {
      const { tasks: batch } = await this.ecs.send(
        new DescribeTasksCommand({ cluster: this.cluster, tasks: arns.slice(i, i + 100) }),
      );
      tasks.push(...(batch ?? []));
    }
    return tasks;
  }
}
