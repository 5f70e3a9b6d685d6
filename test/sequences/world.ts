// A simulated repository, GitHub and AWS in which the delivery runs over time: merges to main, Deploy runs with their
// stages, the deploy-<env> concurrency groups, verifications, rollbacks, revocations and the daily expiry run. What is
// GitHub's or AWS's is modelled here (a group keeps one running and one pending job and cancels the pending one when
// another queues; a stack, an image, a network ACL); every DECISION is the project's own function: the deploy-order
// guard, rollback target resolution, the rollback access check, expiry, revocation and lifting. The invariants of
// docs/operations.md are checked after every event; a violation is recorded with the event that caused it.
import { runningRenders } from '../../.github/scripts/running-renders.ts';
import { addDays, dailyRedeploy, expiredOn, runningFleetAdmitsExpired } from '../../src/access/expiry.ts';
import { type DenyRule, liftableDenies, planRevocation } from '../../src/access/revocation.ts';
import { type AccessSide, accessWidening, widens } from '../../src/access/rollback-access.ts';
import { type Allowlist, AllowlistSchema, type Services } from '../../src/config/model.ts';
import { configTag, gitTag, renderTag } from '../../src/contract/image-tags.ts';
import { deploymentPayload } from '../../src/operations/roll-out.ts';
import { deployOrder, type Relation } from '../../src/rollout/deploy-order.ts';
import {
  type DeploymentRecord,
  type Resolution,
  resolveRollbackTarget,
  runningRender,
  targetRender,
} from '../../src/rollout/rollback-target.ts';

/** How the delivery behaves: FIXED is this repository's; each `false` is how it behaved before. */
export interface Behaviour {
  /** Stages chained by needs (true), or a matrix whose legs start in any order. */
  stagesByNeeds: boolean;
  /** The deploy job's order guard refuses a commit older than one the environment has had. */
  orderGuard: boolean;
  /** Revocations are lifted once the environment is verified, not right after the rollout. */
  liftAfterVerify: boolean;
  /** Every deploy renders its own image; before, a build found `git-<sha>` and reused the image of an earlier day. */
  renderEveryDeploy: boolean;
  /** A stage cancelled in its group dispatches Deploy on main again. */
  converge: boolean;
  /**
   * The daily run judges what the running images were rendered with (their entries and day); before, it judged
   * main's allowlist against the day of the oldest environment's last successful deployment record.
   */
  dailyJudgesImages: boolean;
  /** A hung rollout meets the deploy's own deadline, which cancels the stack update and reports; before, the job hit
   * its 75-minute limit: no report, the stack left UPDATE_IN_PROGRESS. */
  deployDeadline: boolean;
  /** The rollback access check. Always on; off only to show that the harness catches what it prevents (I6). */
  rollbackAccessCheck: boolean;
}

export const FIXED: Behaviour = {
  stagesByNeeds: true,
  orderGuard: true,
  liftAfterVerify: true,
  renderEveryDeploy: true,
  converge: true,
  dailyJudgesImages: true,
  deployDeadline: true,
  rollbackAccessCheck: true,
};

/** The client ranges of the allowlists, disjoint, so "admitted" is a question of one entry. */
export const RANGES = ['198.51.100.0/24', '203.0.113.16/28', '192.0.2.0/28', '203.0.113.64/27'] as const;
export const SERVICES = ['orders', 'inventory'] as const;
const VPC_CIDR = '10.20.0.0/16';
const FIRST_DAY = '2026-03-01';

export type Change =
  | { kind: 'admit'; range: number; expiresInDays?: number }
  | { kind: 'remove'; range: number }
  | { kind: 'serve'; service: number; on: boolean }
  | { kind: 'code' };

export type Outcome = 'ok' | 'fail' | 'hang';

interface Commit {
  index: number;
  sha: string;
  allowlist: Allowlist;
  services: Services;
}

/**
 * An image in the registry. `access` is what it really admits and serves (its configuration as rendered on its build
 * day), which the invariants judge; the project's decisions only see what the registry shows: its tags.
 */
export interface Image {
  /** The tag deployed (cfg-<content hash>; git-<sha> before images were named by content). */
  tag: string;
  tags: string[];
  digest: string;
  sha: string;
  access: AccessSide;
}

interface Run {
  id: number;
  sha: string;
  state: 'testing' | 'between' | 'staged' | 'done';
  /** Environments not deployed yet, in order (a matrix picks any of them). */
  remaining: number[];
}

type Leg =
  | {
      kind: 'deploy';
      run: Run;
      env: number;
      /** `guard`: the deploy job's first step, the order guard; `deploy`: the rest of that job. */
      phase: 'pending' | 'guard' | 'deploy' | 'verify';
      lifted: string[];
    }
  | { kind: 'rollback'; env: number; allowWider: boolean; phase: 'pending' | 'rollback' };

interface Environment {
  name: string;
  smokeRunner: boolean;
  image: Image;
  stack: 'UPDATE_COMPLETE' | 'UPDATE_ROLLBACK_COMPLETE' | 'UPDATE_IN_PROGRESS';
  denies: DenyRule[];
  history: DeploymentRecord[];
  verified: Set<string>;
  running?: Leg;
  pending?: Leg;
  /** Revoked ranges (I4), and those whose deny a verified deployment lifted. */
  revoked: Set<string>;
  liftedVerified: Set<string>;
}

export interface Report {
  env: string;
  sha?: string;
  what: string;
}

/** Commits of main are numbered in order; a sha is the number in 40 hex digits. */
const sha = (index: number) => index.toString(16).padStart(40, '0');
const indexOf = (commit: string) => Number.parseInt(commit, 16);

export class World {
  readonly commits: Commit[] = [];
  readonly envs: Environment[];
  readonly runs: Run[] = [];
  readonly reports: Report[] = [];
  readonly violations: string[] = [];
  readonly events: string[] = [];
  private readonly images = new Map<string, Image>();
  private day = FIRST_DAY;
  private lastDaily?: string;
  private clock = 0;
  private nextId = 1;
  /** Environments where a failure or a rollback happened since main's head was merged (I1 lets them differ). */
  private disturbed = new Set<number>();
  private explicitSinceDaily = new Set<number>();
  /** Jobs that ended failed, timed out or cancelled, and how many of them left a report (I5). */
  private endings = 0;
  private reported = 0;
  private failedSinceDaily = new Set<number>();

  constructor(
    readonly behaviour: Behaviour,
    smokeRunners: readonly boolean[] = [false, true, true],
  ) {
    const names = ['dev', 'staging', 'production'];
    const initial = this.commit(
      [
        { cidr: RANGES[0], description: 'Head office' },
        { cidr: RANGES[1], description: 'Partner', expires: addDays(FIRST_DAY, 2) },
        { cidr: RANGES[2], description: 'VPN' },
      ],
      [...SERVICES],
    );
    const image = this.build(initial);
    this.envs = smokeRunners.map((smokeRunner, i) => ({
      name: names[i] ?? `env${i}`,
      smokeRunner,
      image,
      stack: 'UPDATE_COMPLETE',
      denies: [],
      history: [this.record(initial.sha, image, 'success')],
      verified: new Set([initial.sha]),
      revoked: new Set(),
      liftedVerified: new Set(),
    }));
  }

  get head(): Commit {
    return this.commits.at(-1) as Commit;
  }

  /** Something can still happen without a new event: a run testing, between stages, or a leg in a group. */
  get busy(): boolean {
    return this.runs.some((r) => r.state !== 'done') || this.envs.some((e) => e.running);
  }

  // ---- events --------------------------------------------------------------------------------------------------

  merge(change: Change): void {
    const { allowlist, services } = this.head;
    let entries = [...allowlist.entries];
    let names = services.services.map((s) => s.name);
    if (change.kind === 'admit') {
      const cidr = RANGES[change.range] as string;
      const expires =
        change.expiresInDays === undefined ? undefined : addDays(this.day, change.expiresInDays);
      entries = [
        ...entries.filter((e) => e.cidr !== cidr),
        { cidr, description: `Client ${change.range}`, ...(expires ? { expires } : {}) },
      ];
      // A merged change that admits a range again is the explicit re-admission I4 allows.
      for (const env of this.envs) env.revoked.delete(cidr);
    } else if (change.kind === 'remove') {
      entries = entries.filter((e) => e.cidr !== RANGES[change.range]);
    } else if (change.kind === 'serve') {
      const name = SERVICES[change.service] as string;
      names = change.on ? [...new Set([...names, name])] : names.filter((n) => n !== name);
    }
    const commit = this.commit(entries, names);
    this.disturbed = new Set();
    this.log(`merge ${commit.index} (${change.kind})`);
    this.startRun(commit.sha);
  }

  /** Advances one thing that can move: a run's test job, a run choosing its next leg, or a leg holding a group. */
  advance(pick: number, outcome: Outcome): void {
    const movable = [
      ...this.runs.filter((r) => r.state === 'testing' || r.state === 'between'),
      ...this.envs.flatMap((e) => (e.running ? [e.running] : [])),
    ];
    const next = movable[pick % Math.max(movable.length, 1)];
    if (!next) return;
    if ('remaining' in next) this.nextLeg(next, pick);
    else this.step(next, outcome);
    this.check();
  }

  /** Runs until nothing moves, every job succeeding, then checks what must hold once runs stop. */
  drain(): void {
    for (let guard = 0; this.busy; guard++) {
      if (guard > 500) throw new Error(`did not settle: ${this.events.slice(-10).join('; ')}`);
      this.advance(0, 'ok');
    }
    this.checkSettled();
  }

  /** The daily expiry workflow: redeploy main when the running fleet may still admit an expired entry. */
  nextDay(): void {
    this.day = addDays(this.day, 1);
    this.lastDaily = this.day;
    this.explicitSinceDaily = new Set();
    this.failedSinceDaily = new Set();
    const redeploy = this.behaviour.dailyJudgesImages
      ? dailyRedeploy(
          runningRenders(this.envs.map((e) => e.history)).map(
            (render) =>
              render && this.render(this.commitOf(render.commit), render.renderedOn).allowlist.entries,
          ),
          this.day,
        )
      : this.recordsSayExpiredAdmitted();
    this.log(`day ${this.day}${redeploy ? ': expiry dispatches Deploy' : ''}`);
    if (redeploy) this.startRun(this.head.sha);
    this.check();
  }

  /** expiry.yml before: main's allowlist against the oldest environment's last successful deployment day. */
  private recordsSayExpiredAdmitted(): boolean {
    const days = this.envs.map((e) => e.history.find((d) => d.state === 'success')?.createdAt.slice(0, 10));
    if (days.some((day) => day === undefined)) return false;
    const lastDeployed = (days as string[]).sort()[0] as string;
    return runningFleetAdmitsExpired(this.head.allowlist.entries, lastDeployed, this.day);
  }

  revoke(envIndex: number, range: number): void {
    const env = this.env(envIndex);
    const cidr = RANGES[range] as string;
    const plan = planRevocation({ cidr, vpcCidr: VPC_CIDR, existing: env.denies });
    if (plan.kind === 'refused') throw new Error(`revocation refused: ${plan.reason}`);
    if (plan.kind === 'create') env.denies.push({ ruleNumber: plan.ruleNumber, cidr: plan.cidr });
    env.revoked.add(cidr);
    env.liftedVerified.delete(cidr);
    this.log(`revoke ${cidr} in ${env.name}`);
    this.check();
  }

  /** rollback.yml: target `previous`, queued in the environment's deploy group like a deploy. */
  manualRollback(envIndex: number, allowWider: boolean): void {
    this.log(`manual rollback of ${this.env(envIndex).name}${allowWider ? ' (allow-wider-access)' : ''}`);
    this.arrive({ kind: 'rollback', env: envIndex, allowWider, phase: 'pending' });
    this.check();
  }

  // ---- GitHub: runs, stages and concurrency groups ---------------------------------------------------------------

  private startRun(commit: string): void {
    this.runs.push({
      id: this.nextId++,
      sha: commit,
      state: 'testing',
      remaining: this.envs.map((_, i) => i),
    });
  }

  /** The run's next stage: the next environment in order, or, for a matrix, any environment not deployed yet. */
  private nextLeg(run: Run, pick: number): void {
    if (run.remaining.length === 0) {
      run.state = 'done';
      return;
    }
    const at = this.behaviour.stagesByNeeds ? 0 : pick % run.remaining.length;
    const [env] = run.remaining.splice(at, 1) as [number];
    run.state = 'staged';
    this.arrive({ kind: 'deploy', run, env, phase: 'pending', lifted: [] });
  }

  /** GitHub's concurrency: one running and one pending job per group; a newcomer replaces the pending one. */
  private arrive(leg: Leg): void {
    const env = this.env(leg.env);
    if (!env.running) {
      env.running = this.start(leg);
      return;
    }
    if (env.pending) this.cancel(env.pending);
    env.pending = leg;
  }

  private start(leg: Leg): Leg {
    if (leg.kind === 'deploy') leg.phase = 'guard';
    else leg.phase = 'rollback';
    return leg;
  }

  private release(envIndex: number): void {
    const env = this.env(envIndex);
    env.running = env.pending ? this.start(env.pending) : undefined;
    env.pending = undefined;
  }

  private cancel(leg: Leg): void {
    const env = this.env(leg.env);
    if (leg.kind === 'rollback') {
      this.report(env, undefined, 'rollback cancelled while waiting');
      return;
    }
    leg.run.state = 'done';
    this.report(env, leg.run.sha, 'stage cancelled while waiting');
    if (!this.behaviour.converge) return;
    const going = this.runs.some((r) => r.state !== 'done' && r.sha === this.head.sha);
    if (!going) {
      this.log(`converge: dispatch Deploy of ${indexOf(this.head.sha)}`);
      this.startRun(this.head.sha);
    }
  }

  /** The leg ends: the run goes on to its next stage only after a verified deployment of its commit. */
  private finish(leg: Leg & { kind: 'deploy' }, verified: boolean): void {
    this.release(leg.env);
    const stop = !verified || leg.run.remaining.length === 0;
    leg.run.state = stop ? 'done' : 'between';
  }

  // ---- one environment's jobs -------------------------------------------------------------------------------------

  private step(leg: Leg, outcome: Outcome): void {
    const env = this.env(leg.env);
    if (leg.kind === 'rollback') {
      this.rollback(leg.env, leg.allowWider, 'manual');
      this.release(leg.env);
      return;
    }
    const commit = this.commitOf(leg.run.sha);
    if (leg.phase === 'guard') {
      const recorded = [...new Set(env.history.map((d) => d.sha))].map((s) => ({
        sha: s,
        relation: this.relation(commit.sha, s),
      }));
      const decision = deployOrder({ environment: env.name, sha: commit.sha, recorded });
      if (this.behaviour.orderGuard && !decision.deploy) {
        this.log(`${env.name}: order guard skips ${commit.index}`);
        this.finish(leg, false);
        return;
      }
      leg.phase = 'deploy';
      return;
    }
    if (leg.phase === 'deploy') {
      this.deploy(leg, commit, outcome);
      return;
    }
    // verify
    if (outcome === 'ok') {
      this.verified(leg, commit);
      return;
    }
    this.failed(leg, `verification of ${commit.index} failed (${outcome})`);
  }

  private deploy(leg: Leg & { kind: 'deploy' }, commit: Commit, outcome: Outcome): void {
    const env = this.env(leg.env);
    this.checkMove(leg.env, commit);
    if (env.stack === 'UPDATE_IN_PROGRESS') {
      this.failed(leg, `${env.name}'s stack is still UPDATE_IN_PROGRESS`);
      return;
    }
    const image = this.build(commit);
    const record = this.record(commit.sha, image, 'in_progress');
    env.history.unshift(record);
    if (outcome === 'hang' && !this.behaviour.deployDeadline) {
      // Killed at the job's time limit: no later step runs.
      env.stack = 'UPDATE_IN_PROGRESS';
      this.endings += 1;
      this.disturb(leg.env);
      this.finish(leg, false);
      return;
    }
    if (outcome !== 'ok') {
      // The rollout failed, or hung until its deadline cancelled the update: CloudFormation put the previous image
      // back, and the stack can be updated again.
      record.state = 'failure';
      env.stack = 'UPDATE_ROLLBACK_COMPLETE';
      this.failed(leg, `rollout of ${commit.index} failed (${outcome})`);
      return;
    }
    env.image = image;
    env.stack = 'UPDATE_COMPLETE';
    record.state = 'success';
    this.log(`${env.name} runs ${commit.index} (${image.tag})`);
    if (!this.behaviour.liftAfterVerify) this.lift(leg, commit);
    if (env.smokeRunner) leg.phase = 'verify';
    else this.verified(leg, commit);
  }

  private verified(leg: Leg & { kind: 'deploy' }, commit: Commit): void {
    const env = this.env(leg.env);
    if (this.behaviour.liftAfterVerify) this.lift(leg, commit);
    env.verified.add(commit.sha);
    for (const cidr of leg.lifted) env.liftedVerified.add(cidr);
    this.finish(leg, true);
  }

  /** `revoke --lift` with the checked-out configuration of the run's commit. */
  private lift(leg: Leg & { kind: 'deploy' }, commit: Commit): void {
    const env = this.env(leg.env);
    const lifted = liftableDenies(env.denies, commit.allowlist.entries);
    env.denies = env.denies.filter((d) => !lifted.includes(d));
    leg.lifted.push(...lifted.map((d) => d.cidr));
  }

  /** A failed deploy or verification: the automatic rollback, then the failure report. */
  private failed(leg: Leg & { kind: 'deploy' }, what: string): void {
    const env = this.env(leg.env);
    this.disturb(leg.env);
    this.failedSinceDaily.add(leg.env);
    const rolledBack = this.rollback(leg.env, false, 'automatic');
    this.report(env, leg.run.sha, `${what}; rollback ${rolledBack}`);
    this.finish(leg, false);
  }

  /** The rollback action: `previous` from the history, the access check, the rollout, the records. */
  private rollback(envIndex: number, allowWider: boolean, how: 'automatic' | 'manual'): string {
    const env = this.env(envIndex);
    this.disturb(envIndex);
    const resolved = resolveRollbackTarget({ kind: 'previous' }, { history: env.history, registryTags: [] });
    if (!resolved.ok) return `refused (${resolved.message})`;
    const target = this.images.get(resolved.resolution.imageTag) as Image;
    const widening = accessWidening(...this.checkedAccess(env, resolved.resolution, target), this.day);
    if (this.behaviour.rollbackAccessCheck && widens(widening) && !allowWider) {
      if (how === 'manual') this.report(env, undefined, 'rollback refused: it would widen access');
      return 'refused: it would widen access';
    }
    const before = this.exposure(env);
    const current = env.history[0];
    const from = env.image.tag;
    env.history.unshift(this.record(target.sha, target, 'success'));
    if (current && current.imageTag === from && from !== target.tag && current.state === 'success') {
      current.state = 'failure';
    }
    env.image = target;
    const after = this.exposure(env);
    const gained = [...after].filter((x) => !before.has(x));
    if (allowWider) this.explicitSinceDaily.add(envIndex);
    if (gained.length > 0 && !allowWider) {
      this.violate('I6', `${how} rollback of ${env.name} re-admits ${gained.join(', ')} without a decision`);
    }
    for (const cidr of env.revoked) {
      if (this.admits(env, cidr) && !env.liftedVerified.has(cidr)) {
        this.violate('I4', `${how} rollback of ${env.name} re-admits revoked ${cidr} with no deny in place`);
      }
    }
    this.log(`${env.name} rolled back (${how}) to ${indexOf(target.sha)}`);
    return `to ${target.tag}`;
  }

  // ---- AWS: images, stacks, the network ACL ------------------------------------------------------------------------

  /**
   * build-push: renders the commit's configuration as of today (expired entries left out) into a new image, tagged
   * cfg-<content>, git-rendered-<day>-<sha> and, for the commit's first image, git-<sha>. Before, a build found
   * git-<sha> and reused that image, which had no other tag.
   */
  private build(commit: Commit): Image {
    const first = ![...this.images.values()].some((i) => i.sha === commit.sha);
    if (!this.behaviour.renderEveryDeploy) {
      const existing = this.images.get(gitTag(commit.sha));
      if (existing) return existing;
    }
    const n = this.images.size + 1;
    const content = configTag(n.toString(16).padStart(64, '0'));
    const image: Image = {
      tag: this.behaviour.renderEveryDeploy ? content : gitTag(commit.sha),
      tags: this.behaviour.renderEveryDeploy
        ? [content, renderTag(commit.sha, this.day), ...(first ? [gitTag(commit.sha)] : [])]
        : [gitTag(commit.sha)],
      digest: `sha256:${n.toString(16).padStart(64, '0')}`,
      sha: commit.sha,
      access: this.render(commit, this.day),
    };
    this.images.set(image.tag, image);
    return image;
  }

  /** The commit's configuration rendered on `day`: the entries expired by then left out. */
  private render(commit: Commit, day: string): AccessSide {
    return {
      allowlist: { ...commit.allowlist, entries: commit.allowlist.entries.filter((e) => !expiredOn(e, day)) },
      services: commit.services,
    };
  }

  /**
   * What the rollback's access check compares (src/operations/roll-back.ts): what runs now as its deployment record
   * says it was rendered, and the target as its tags say (each a commit's configuration rendered on a day).
   */
  private checkedAccess(env: Environment, resolution: Resolution, target: Image): [AccessSide, AccessSide] {
    const running = env.history.find((d) => d.imageTag === env.image.tag && d.state === 'success');
    const then = targetRender(resolution, target.tags, new Date(`${this.day}T12:00:00Z`));
    const day = (at: Date) => at.toISOString().slice(0, 10);
    return [
      running ? this.render(this.commitOf(running.sha), day(runningRender(running))) : env.image.access,
      this.render(this.commitOf(then.sha ?? target.sha), day(then.at)),
    ];
  }

  /** A range gets through when the running image admits it and no deny in the network ACL drops it. */
  private admits(env: Environment, cidr: string): boolean {
    const denied = env.denies.some((d) => d.cidr === cidr);
    return !denied && env.image.access.allowlist.entries.some((e) => e.cidr === cidr);
  }

  private exposure(env: Environment): Set<string> {
    const services = env.image.access.services.services.map((s) => `service ${s.name}`);
    return new Set([...RANGES.filter((r) => this.admits(env, r)), ...services]);
  }

  // ---- invariants ---------------------------------------------------------------------------------------------------

  /** I1 (no step back by a deploy) and I2 (a later environment only runs what the one before verified). */
  private checkMove(envIndex: number, commit: Commit): void {
    const env = this.env(envIndex);
    if (indexOf(env.image.sha) > commit.index) {
      this.violate('I1', `${env.name} deploys ${commit.index} over ${indexOf(env.image.sha)}`);
    }
    const before = this.envs[envIndex - 1];
    if (before && !before.verified.has(commit.sha)) {
      this.violate('I2', `${env.name} deploys ${commit.index}, which ${before.name} has not verified`);
    }
  }

  /** After every event: I4 (revoked ranges stay out) and I5 (failures reported, stacks updatable). */
  private check(): void {
    if (this.reported < this.endings) {
      this.violate('I5', `${this.endings - this.reported} failed or cancelled job(s) left no report`);
      this.reported = this.endings;
    }
    for (const env of this.envs) {
      if (!env.running && env.stack === 'UPDATE_IN_PROGRESS') {
        this.violate('I5', `${env.name}'s stack was left UPDATE_IN_PROGRESS for the next deploy`);
      }
    }
    for (const env of this.envs) {
      for (const cidr of env.revoked) {
        if (this.admits(env, cidr) && !env.liftedVerified.has(cidr)) {
          this.violate('I4', `${env.name} admits revoked ${cidr}`);
        }
      }
    }
  }

  /** Once runs stop: I1 (every environment on main's head) and I3 (no expired entry admitted after a daily run). */
  private checkSettled(): void {
    this.envs.forEach((env, i) => {
      const exempt = [...this.disturbed].some((d) => d <= i);
      if (!exempt && env.image.sha !== this.head.sha) {
        this.violate('I1', `${env.name} settled on ${indexOf(env.image.sha)}, not main's ${this.head.index}`);
      }
      // A failure (reported) stops the run there: the environments after it keep what they ran.
      const failedUpTo = [...this.failedSinceDaily].some((d) => d <= i);
      if (this.lastDaily === undefined || failedUpTo || this.explicitSinceDaily.has(i)) return;
      // An entry main has since renewed (same range, later expires) admits the client legitimately.
      const daily = this.lastDaily;
      const renewed = (cidr: string) =>
        this.head.allowlist.entries.some(
          (e) => e.cidr === cidr && (e.expires === undefined || e.expires >= daily),
        );
      const lapsed = env.image.access.allowlist.entries.filter(
        (e) => e.expires !== undefined && e.expires < daily && !renewed(e.cidr),
      );
      for (const entry of lapsed) {
        if (this.admits(env, entry.cidr)) {
          this.violate(
            'I3',
            `${env.name} admits ${entry.cidr}, expired ${entry.expires}, after ${this.lastDaily}`,
          );
        }
      }
    });
    for (const env of this.envs) {
      if (env.stack !== 'UPDATE_COMPLETE' && env.stack !== 'UPDATE_ROLLBACK_COMPLETE') {
        this.violate('I5', `${env.name} left its stack ${env.stack}`);
      }
    }
  }

  // ---- plumbing -----------------------------------------------------------------------------------------------------

  private commit(entries: Allowlist['entries'], names: readonly string[]): Commit {
    const index = this.commits.length;
    const commit = {
      index,
      sha: sha(index),
      allowlist: AllowlistSchema.parse({ entries }),
      services: { services: names.map((name) => ({ name }) as Services['services'][number]) },
    };
    this.commits.push(commit);
    return commit;
  }

  private commitOf(commit: string): Commit {
    return this.commits[indexOf(commit)] as Commit;
  }

  /** git merge-base on main, where every commit contains the ones before it. */
  private relation(candidate: string, recorded: string): Relation {
    const a = indexOf(candidate);
    const b = indexOf(recorded);
    return a === b ? 'same' : a > b ? 'newer' : 'older';
  }

  /** The GitHub deployment the rollout records, with the payload it records (the image's render day). */
  private record(commit: string, image: Image, state: string): DeploymentRecord {
    this.clock += 1;
    const createdAt = new Date(Date.parse(`${this.day}T00:00:00Z`) + this.clock * 1000).toISOString();
    const { imageTag, renderedFrom, renderedOn } = deploymentPayload(image.tag, image);
    const render = renderedFrom && renderedOn ? { renderedFrom, renderedOn } : {};
    return { id: this.clock, sha: commit, imageTag, createdAt, state, ...render };
  }

  private env(index: number): Environment {
    return this.envs[index] as Environment;
  }

  private disturb(envIndex: number): void {
    this.disturbed.add(envIndex);
  }

  private report(env: Environment, commit: string | undefined, what: string): void {
    this.endings += 1;
    this.reported += 1;
    this.reports.push({ env: env.name, ...(commit ? { sha: commit } : {}), what });
    this.log(`report ${env.name}: ${what}`);
  }

  private violate(invariant: string, what: string): void {
    this.violations.push(`${invariant}: ${what} (after: ${this.events.slice(-6).join('; ')})`);
  }

  private log(event: string): void {
    this.events.push(event);
  }
}
