/**
 * What a build-on-deploy request asks for (pure, no I/O): the resource properties read and
 * checked, whether an Update changed an input of the build, the hash of those inputs that every
 * build started here carries, and the StartBuild / StartBuildBatch inputs.
 */
import * as crypto from 'crypto';

/** The resource properties (CloudFormation passes every value as a string; `DeployTimeInputs` is JSON). */
export type Props = Record<string, any>;

/** Minutes the waiter gives CodeBuild beyond the build's timeouts (provisioning, finalizing). */
export const DEADLINE_SLACK_MINUTES = 3;

/** The build environment variable that records the inputs of a build started here. */
export const INPUTS_VARIABLE = 'CDK_ECR_CODEBUILD_BUILD_INPUTS';

/** The build-graph identifier of the manifest step when the resource names none (src/private/docker/platforms.ts). */
export const DEFAULT_MANIFEST_STEP = 'manifest';

/**
 * Reads a whole number property, with a default and bounds.
 */
export function intProperty(props: Props, name: string, fallback: number, min: number, max: number): number {
  const raw = props[name];
  if (raw === undefined || raw === '') {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} "${raw}" is not a whole number from ${min} to ${max}`);
  }
  return value;
}

/**
 * True when a property that feeds the build differs between two sets of resource properties.
 * Timeouts and the poll interval do not feed the build.
 */
export function inputsChanged(props: Props, oldProps: Props | undefined): boolean {
  if (!oldProps) {
    return true;
  }
  for (const name of ['ProjectName', 'BuildInputs', 'SourceVersion']) {
    if ((props[name] ?? '') !== (oldProps[name] ?? '')) {
      return true;
    }
  }
  return stableJson(props.DeployTimeInputs) !== stableJson(oldProps.DeployTimeInputs);
}

/**
 * JSON with sorted keys, so that two equal objects compare equal.
 */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(stableJson).join(',')}]`;
  }
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as any)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * A hash of the properties that feed a build (the ones `inputsChanged` compares).
 */
export function inputsKey(props: Props): string {
  const inputs = {
    ProjectName: props.ProjectName ?? '',
    BuildInputs: props.BuildInputs ?? '',
    SourceVersion: props.SourceVersion ?? '',
    DeployTimeInputs: props.DeployTimeInputs ?? null,
  };
  return crypto.createHash('sha256').update(stableJson(inputs)).digest('hex');
}

/**
 * True when the build was started with the inputs of `key`.
 */
export function builtWith(build: Record<string, any>, key: string): boolean {
  const variables = (build.environment && build.environment.environmentVariables) || [];
  return variables.some((v: any) => v && v.name === INPUTS_VARIABLE && v.value === key);
}

/**
 * The registry id and repository name of an ECR image URI (`<account>.dkr.ecr.<region>.<domain>/<name>:<tag>`).
 */
export function parseImageUri(uri: string | undefined): { registryId: string; repositoryName: string } | undefined {
  const match = /^(\d{12})\.dkr\.ecr\.[^/]+\/([^:@]+)(?::[^@]*)?(?:@.*)?$/.exec(String(uri || ''));
  return match ? { registryId: match[1] as string, repositoryName: match[2] as string } : undefined;
}

/**
 * True when the resource builds a batch project (`Batch: 'true'`).
 */
export function isBatch(props: Props | undefined): boolean {
  return String((props || {}).Batch) === 'true';
}

/**
 * The build-graph identifier of the step whose exported variables are the resource's attributes.
 */
export function manifestStep(props: Props): string {
  return String(props.ManifestStep || DEFAULT_MANIFEST_STEP);
}

/**
 * The StartBuild input for a request: the project, the source version when one is given, the
 * timeouts of a deploy-time build and an idempotency token, so that a request delivered twice
 * starts one build.
 */
export function startBuildInput(props: Props, requestId: string) {
  if (!props.ProjectName) {
    throw new Error('ProjectName is missing from the resource properties');
  }
  return {
    projectName: String(props.ProjectName),
    ...(props.SourceVersion ? { sourceVersion: String(props.SourceVersion) } : {}),
    timeoutInMinutesOverride: intProperty(props, 'TimeoutMinutes', 50, 5, 2160),
    queuedTimeoutInMinutesOverride: intProperty(props, 'QueuedTimeoutMinutes', 5, 5, 480),
    idempotencyToken: `cfn-${requestId}`.slice(0, 64),
    environmentVariablesOverride: [{ name: INPUTS_VARIABLE, value: inputsKey(props), type: 'PLAINTEXT' }],
  };
}

/**
 * The StartBuildBatch input for a request: the StartBuild input, with the build timeout under the
 * name the batch API gives it (it applies to each build of the batch).
 */
export function startBuildBatchInput(props: Props, requestId: string) {
  const { timeoutInMinutesOverride, ...common } = startBuildInput(props, requestId);
  return { ...common, buildTimeoutInMinutesOverride: timeoutInMinutesOverride };
}

/**
 * When the waiter gives up on a build started at `startedAt` (ms): after its queued and build
 * timeouts and a little slack, CodeBuild has ended it itself.
 */
export function waitDeadline(props: Props, startedAt: number): number {
  const minutes =
    intProperty(props, 'TimeoutMinutes', 50, 5, 2160) +
    intProperty(props, 'QueuedTimeoutMinutes', 5, 5, 480) +
    DEADLINE_SLACK_MINUTES;
  return startedAt + minutes * 60_000;
}
