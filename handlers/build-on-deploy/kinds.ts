/**
 * What a resource starts and waits on: a build (StartBuild, BatchGetBuilds, StopBuild), or a batch
 * build of several platforms (StartBuildBatch, BatchGetBuildBatches, StopBuildBatch, whose
 * attributes come from the build of its manifest step). The request, reuse, wait and delete paths
 * are written once, over one of the two kinds here.
 */

import type { CommandClass, Deps, Run } from './deps';
import { isBatch, manifestStep, Props, startBuildBatchInput, startBuildInput } from './inputs';
import { batchLink, batchOutcome, buildOutcome, logLinks, Outcome } from './outcome';
import { findBatchWithInputs, findBuildWithInputs, Reusable } from './reuse';

/** A build or a batch build: how to start, read, judge and stop it, and how to find one to reuse. */
export interface Kind {
  readonly noun: string;
  readonly Noun: string;
  /** What the run of an unchanged Update must be (in the message when it is not). */
  readonly finished: string;
  readonly getCommand: string;
  readonly stopCommand: 'StopBuild' | 'StopBuildBatch';
  readonly start: (props: Props, requestId: string, deps: Deps) => Promise<{ id: string; link: string }>;
  readonly get: (deps: Deps, id: string) => Promise<Run | undefined>;
  readonly outcome: (run: Run, props: Props, deps: Deps) => Promise<Outcome>;
  readonly status: (run: Run) => string;
  readonly link: (run: Run) => string;
  readonly findWithInputs: (props: Props, deps: Deps) => Promise<Reusable | undefined>;
}

const SINGLE_BUILD: Kind = {
  noun: 'build',
  Noun: 'Build',
  finished: 'a finished build that exported an image digest',
  getCommand: 'BatchGetBuilds',
  stopCommand: 'StopBuild',
  start: async (props, requestId, deps) => {
    const started = await deps.codebuild.send(new deps.commands.StartBuild(startBuildInput(props, requestId)));
    const id = started.build && started.build.id;
    if (!id) {
      throw new Error(`StartBuild of project ${props.ProjectName} returned no build id`);
    }
    return { id, link: logLinks(started.build) };
  },
  get: getBuild,
  outcome: async (build) => buildOutcome(build),
  status: (build) => build.buildStatus,
  link: logLinks,
  findWithInputs: findBuildWithInputs,
};

const BATCH_BUILD: Kind = {
  noun: 'batch build',
  Noun: 'Batch build',
  finished: 'a finished batch whose manifest step exported an image digest',
  getCommand: 'BatchGetBuildBatches',
  stopCommand: 'StopBuildBatch',
  start: async (props, requestId, deps) => {
    const started = await deps.codebuild.send(
      new (deps.commands.StartBuildBatch as CommandClass)(startBuildBatchInput(props, requestId)),
    );
    const id = started.buildBatch && started.buildBatch.id;
    if (!id) {
      throw new Error(`StartBuildBatch of project ${props.ProjectName} returned no batch id`);
    }
    return { id, link: batchLink(started.buildBatch) };
  },
  get: getBatch,
  outcome: batchResult,
  status: (batch) => batch.buildBatchStatus,
  link: batchLink,
  findWithInputs: findBatchWithInputs,
};

/**
 * The kind of run a resource starts: a batch build when `Batch` is `'true'`, else a build.
 */
export function kindOf(props: Props | undefined): Kind {
  return isBatch(props || {}) ? BATCH_BUILD : SINGLE_BUILD;
}

/** The build of this id (BatchGetBuilds), if CodeBuild knows it. */
export async function getBuild(deps: Deps, buildId: string): Promise<Run | undefined> {
  const response = await deps.codebuild.send(new deps.commands.BatchGetBuilds({ ids: [buildId] }));
  return (response.builds || []).find((b: any) => b.id === buildId);
}

/** The batch build of this id (BatchGetBuildBatches), if CodeBuild knows it. */
export async function getBatch(deps: Deps, batchId: string): Promise<Run | undefined> {
  const response = await deps.codebuild.send(
    new (deps.commands.BatchGetBuildBatches as CommandClass)({ ids: [batchId] }),
  );
  return (response.buildBatches || []).find((b: any) => b.id === batchId);
}

/**
 * The result of a finished batch: on success the manifest step's exported variables (read from its
 * build) with the batch's id and ARN; on failure the batch's reason followed by what each failed
 * build reports (its failed phase and log links).
 */
async function batchResult(batch: Run, props: Props, deps: Deps): Promise<Outcome> {
  const outcome = batchOutcome(batch, manifestStep(props));
  if (!outcome.done) {
    return outcome;
  }
  if (!outcome.ok) {
    let details = '';
    if (outcome.failedBuildIds.length > 0) {
      try {
        const { builds = [] } = await deps.codebuild.send(
          new deps.commands.BatchGetBuilds({ ids: outcome.failedBuildIds }),
        );
        details = builds
          .map((b: any) => buildOutcome(b))
          .filter((o: any) => o.done && !o.ok)
          .map((o: any) => o.reason)
          .join('; ');
      } catch (error) {
        console.error('BatchGetBuilds of the failed builds failed', error);
      }
    }
    return { done: true, ok: false, reason: details ? `${outcome.reason}. ${details}` : outcome.reason };
  }
  const build = await getBuild(deps, outcome.manifestBuildId);
  if (!build) {
    return {
      done: true,
      ok: false,
      reason: `Batch build ${batch.id}: its build ${outcome.manifestBuildId} is not found${batchLink(batch)}`,
    };
  }
  const manifest = buildOutcome(build);
  if (!manifest.done) {
    // A batch reports SUCCEEDED once its builds have; read again at the next poll.
    return { done: false };
  }
  if (!manifest.ok) {
    return { done: true, ok: false, reason: `Batch build ${batch.id}: ${manifest.reason}` };
  }
  return {
    done: true,
    ok: true,
    data: { ...manifest.data, BuildBatchId: String(batch.id), BuildBatchArn: String(batch.arn || '') },
  };
}
