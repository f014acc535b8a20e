/**
 * What the state of a build or of a batch build means for the deployment (pure, no I/O): not done,
 * done with the image's attributes, or failed with a reason that names the failed phase and links
 * the console and the logs.
 */
import type { Run } from './deps';

/** The resource's attributes (`Data`): what the build pushed, and which build (or batch) it was. */
export interface ImageAttributes {
  readonly ImageUri: string;
  readonly ImageDigest: string;
  readonly [name: string]: string;
}

/** What a build's (or a batch's) state means for the deployment. */
export type Outcome =
  | { readonly done: false }
  | { readonly done: true; readonly ok: true; readonly data: ImageAttributes }
  | { readonly done: true; readonly ok: false; readonly reason: string };

/**
 * What a batch's state means, before its builds are read: not done; done and the manifest step's
 * build to read; or done and failed, with the builds to read for the details.
 */
export type BatchOutcome =
  | { readonly done: false }
  | { readonly done: true; readonly ok: true; readonly manifestBuildId: string }
  | { readonly done: true; readonly ok: false; readonly reason: string; readonly failedBuildIds: string[] };

/** A build id is `<project>:<uuid>`. */
export const BUILD_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{1,254}:[0-9a-f-]{36}$/;

/** The manifest digest a registry reports. */
export const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

/** Statuses after which a build changes no more. */
export const TERMINAL: readonly string[] = ['SUCCEEDED', 'FAILED', 'FAULT', 'STOPPED', 'TIMED_OUT'];

/** Statuses of a build that failed (a build the batch's fast-fail stopped is STOPPED). */
export const FAILED: readonly string[] = ['FAILED', 'FAULT', 'TIMED_OUT'];

/** The variables every DockerBuildToEcr build exports. */
export const EXPORTED = { uri: 'IMAGE_URI', tag: 'IMAGE_TAG', digest: 'IMAGE_DIGEST' };

/**
 * The build's exported variables as a map.
 */
export function exportedVariables(build: Run): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of build.exportedEnvironmentVariables || []) {
    if (v && typeof v.name === 'string') {
      out[v.name] = v.value === undefined || v.value === null ? '' : String(v.value);
    }
  }
  return out;
}

/**
 * Console address of a CodeBuild run, from its ARN (`arn:<partition>:codebuild:<region>:<account>:<type>/<id>`).
 * @param type the ARN's resource type
 * @param page the console's page for that type
 * @param id the run's id, when known (else the ARN's)
 */
function consoleUrl(
  arn: string | undefined,
  type: 'build' | 'build-batch',
  page: 'build' | 'batch',
  id?: string,
): string | undefined {
  const match = new RegExp(`^arn:([^:]+):codebuild:([^:]+):(\\d{12}):${type}/(.+)$`).exec(String(arn || ''));
  if (!match) {
    return undefined;
  }
  const [, partition, region, account, arnId] = match as unknown as [string, string, string, string, string];
  const host =
    partition === 'aws-cn'
      ? 'console.amazonaws.cn'
      : partition === 'aws-us-gov'
        ? 'console.amazonaws-us-gov.com'
        : `${region}.console.aws.amazon.com`;
  const runId = id || arnId;
  return (
    `https://${host}/codesuite/codebuild/${account}/projects/${encodeURIComponent(runId.split(':')[0] as string)}` +
    `/${page}/${encodeURIComponent(runId)}/?region=${region}`
  );
}

/**
 * Console address of a build, from its ARN (`arn:<partition>:codebuild:<region>:<account>:build/<id>`).
 */
export function buildConsoleUrl(buildArn: string | undefined, buildId: string | undefined): string | undefined {
  return consoleUrl(buildArn, 'build', 'build', buildId);
}

/**
 * Where to read a build's log: the console page and the CloudWatch Logs link CodeBuild reports.
 */
export function logLinks(build: Run): string {
  const links: string[] = [];
  const console = buildConsoleUrl(build.arn, build.id);
  if (console) {
    links.push(`console: ${console}`);
  }
  if (build.logs && build.logs.deepLink) {
    links.push(`logs: ${build.logs.deepLink}`);
  }
  return links.length > 0 ? ` (${links.join('; ')})` : '';
}

/**
 * What a build's state means for the deployment.
 */
export function buildOutcome(build: Run): Outcome {
  const status = build.buildStatus;
  if (!TERMINAL.includes(status)) {
    return { done: false };
  }
  const where = logLinks(build);
  if (status !== 'SUCCEEDED') {
    const failed = (build.phases || []).find(
      (p: any) => p.phaseStatus && p.phaseStatus !== 'SUCCEEDED' && p.phaseType !== 'COMPLETED',
    );
    const detail = failed
      ? ` in phase ${failed.phaseType}${
          failed.contexts && failed.contexts[0] && failed.contexts[0].message ? `: ${failed.contexts[0].message}` : ''
        }`
      : '';
    return { done: true, ok: false, reason: `Build ${build.id} ended with ${status}${detail}${where}` };
  }
  const vars = exportedVariables(build);
  const digest = vars[EXPORTED.digest];
  if (!digest || !DIGEST_PATTERN.test(digest)) {
    return {
      done: true,
      ok: false,
      reason:
        `Build ${build.id} succeeded but exported no image digest: ${EXPORTED.digest} is ` +
        `${digest === undefined ? 'missing' : JSON.stringify(digest)} (expected sha256:<64 hex digits>; ` +
        `exported: ${Object.keys(vars).join(', ') || 'nothing'})${where}`,
    };
  }
  return {
    done: true,
    ok: true,
    data: {
      ImageDigest: digest,
      // The hex part alone: the construct writes `sha256:` itself, so that aws-cdk-lib sees a digest.
      ImageDigestHex: digest.slice('sha256:'.length),
      ImageUri: vars[EXPORTED.uri] || '',
      ImageTag: vars[EXPORTED.tag] || '',
      BuildId: String(build.id),
      BuildArn: String(build.arn || ''),
    },
  };
}

/**
 * The build id in a build ARN (`arn:<partition>:codebuild:<region>:<account>:build/<id>`).
 */
export function buildIdOfArn(arn: string | undefined): string | undefined {
  const match = /^arn:[^:]+:codebuild:[^:]*:\d{12}:build\/(.+)$/.exec(String(arn || ''));
  return match ? match[1] : undefined;
}

/**
 * Console address of a batch build, from its ARN (`arn:<partition>:codebuild:<region>:<account>:build-batch/<id>`).
 */
export function batchConsoleUrl(batchArn: string | undefined): string | undefined {
  return consoleUrl(batchArn, 'build-batch', 'batch');
}

/**
 * ` (console: <url>)` for a batch, or nothing when its ARN is unknown.
 */
export function batchLink(batch: Run): string {
  const url = batchConsoleUrl(batch.arn);
  return url ? ` (console: ${url})` : '';
}

/**
 * What a batch's state means for the deployment, without reading its builds: not done; done and
 * the manifest step's build to read; or done and failed, with the builds to read for the details.
 * @param step the manifest step's identifier
 */
export function batchOutcome(batch: Run, step: string): BatchOutcome {
  const status = batch.buildBatchStatus;
  if (!TERMINAL.includes(status)) {
    return { done: false };
  }
  const groups = batch.buildGroups || [];
  if (status === 'SUCCEEDED') {
    const manifest = groups.find((g: any) => g && g.identifier === step);
    const manifestBuildId = manifest && manifest.currentBuildSummary && buildIdOfArn(manifest.currentBuildSummary.arn);
    if (manifestBuildId) {
      return { done: true, ok: true, manifestBuildId };
    }
    return {
      done: true,
      ok: false,
      failedBuildIds: [],
      reason:
        `Batch build ${batch.id} succeeded but has no build for its step "${step}" ` +
        `(steps: ${groups.map((g: any) => g.identifier).join(', ') || 'none'})${batchLink(batch)}`,
    };
  }
  const statusOf = (g: any): string | undefined =>
    (g && g.currentBuildSummary && g.currentBuildSummary.buildStatus) || undefined;
  let failedGroups = groups.filter((g: any) => FAILED.includes(statusOf(g) as string));
  if (failedGroups.length === 0) {
    failedGroups = groups.filter((g: any) => statusOf(g) && statusOf(g) !== 'SUCCEEDED');
  }
  const builds = failedGroups.map(
    (g: any) => `${g.identifier} (${buildIdOfArn(g.currentBuildSummary.arn) || 'no build id'}: ${statusOf(g)})`,
  );
  const failedPhase = (batch.phases || []).find(
    (p: any) => p && p.phaseStatus && p.phaseStatus !== 'SUCCEEDED' && p.phaseStatus !== 'IN_PROGRESS',
  );
  const phase = failedPhase
    ? `; batch phase ${failedPhase.phaseType} ${failedPhase.phaseStatus}${
        failedPhase.contexts && failedPhase.contexts[0] && failedPhase.contexts[0].message
          ? `: ${failedPhase.contexts[0].message}`
          : ''
      }`
    : '';
  return {
    done: true,
    ok: false,
    failedBuildIds: failedGroups
      .map((g: any) => buildIdOfArn(g.currentBuildSummary.arn))
      .filter((id: any) => id !== undefined),
    reason:
      `Batch build ${batch.id} ended with ${status}` +
      `${builds.length > 0 ? `: failed build(s) ${builds.join(', ')}` : ''}${phase}${batchLink(batch)}`,
  };
}
