/**
 * Builds that need not run: an Update that changed no input answers with what the last build (or
 * batch) pushed; an Update back to earlier inputs answers with the newest finished build started
 * with them whose image is still in the repository.
 */
import { reusableBatches, reusableBuilds, succeededBatches } from './decisions';
import type { CommandClass, Deps } from './deps';
import { inputsKey, manifestStep, Props } from './inputs';
import type { Kind } from './kinds';
import { BUILD_ID_PATTERN, ImageAttributes } from './outcome';
import type { CfnRequest } from '../shared/cfn-response';

/** A finished build (or batch) whose image an Update may answer with. */
export interface Reusable {
  readonly id: string;
  readonly data: ImageAttributes;
}

/** How many of the project's newest builds an Update looks through for one with the same inputs. */
export const REUSE_WINDOW = 100;

/**
 * An Update that changed nothing the build reads: answers with what the last build (or batch) pushed.
 */
export async function reuse(kind: Kind, request: CfnRequest, deps: Deps): Promise<'answered'> {
  const id = request.PhysicalResourceId as string;
  const run = BUILD_ID_PATTERN.test(String(id)) ? await kind.get(deps, id) : undefined;
  const outcome = run ? await kind.outcome(run, request.ResourceProperties || {}, deps) : undefined;
  if (!outcome || !outcome.done || !outcome.ok) {
    throw new Error(
      `the build inputs did not change, but the previous ${kind.noun} ${id} is not ${kind.finished} ` +
        '(was it deleted?): change a build input, e.g. the source, to build again',
    );
  }
  console.log(`Build inputs unchanged: no build; keeping the image of ${kind.noun} ${id}`);
  await deps.respond(request, { Status: 'SUCCESS', PhysicalResourceId: id, Data: outcome.data });
  return 'answered';
}

/**
 * The newest finished build of the project started with the same inputs, whose image is still in
 * the repository (lifecycle rules may have expired it), with its resource attributes.
 */
export async function findBuildWithInputs(props: Props, deps: Deps): Promise<Reusable | undefined> {
  const key = inputsKey(props);
  const listed = await deps.codebuild.send(
    new deps.commands.ListBuildsForProject({ projectName: String(props.ProjectName), sortOrder: 'DESCENDING' }),
  );
  const ids = (listed.ids || []).slice(0, REUSE_WINDOW);
  if (ids.length === 0) {
    return undefined;
  }
  const { builds = [] } = await deps.codebuild.send(new deps.commands.BatchGetBuilds({ ids }));
  for (const data of reusableBuilds(ids, builds, key)) {
    if (await deps.imageExists(data)) {
      return { id: data.BuildId as string, data };
    }
  }
  return undefined;
}

/**
 * The newest finished batch of the project started with the same inputs (the batch or its manifest
 * build carries them), whose manifest list is still in the repository, as resource attributes.
 */
export async function findBatchWithInputs(props: Props, deps: Deps): Promise<Reusable | undefined> {
  const key = inputsKey(props);
  const listed = await deps.codebuild.send(
    new (deps.commands.ListBuildBatchesForProject as CommandClass)({
      projectName: String(props.ProjectName),
      sortOrder: 'DESCENDING',
      maxResults: REUSE_WINDOW,
    }),
  );
  const ids = (listed.ids || []).slice(0, REUSE_WINDOW);
  if (ids.length === 0) {
    return undefined;
  }
  const { buildBatches = [] } = await deps.codebuild.send(
    new (deps.commands.BatchGetBuildBatches as CommandClass)({ ids }),
  );
  const step = manifestStep(props);
  const candidates = succeededBatches(ids, buildBatches, step);
  if (candidates.length === 0) {
    return undefined;
  }
  const { builds = [] } = await deps.codebuild.send(
    new deps.commands.BatchGetBuilds({ ids: candidates.map((c) => c.manifestBuildId) }),
  );
  for (const found of reusableBatches(candidates, builds, key)) {
    if (await deps.imageExists(found.data)) {
      return found;
    }
  }
  return undefined;
}
