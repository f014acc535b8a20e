import { shellQuote } from '../shared/shell';

/**
 * A prop given as a deploy-time value (a token): the synth-time check skipped it, so the build
 * checks it before it is used, and fails with the library's message (naming the prop) instead of
 * failing later in docker with one that names none.
 */
export interface DeployTimeCheck {
  /** The prop, as the message names it. */
  readonly prop: string;
  /** The build variable that carries the value. */
  readonly variable: string;
  /** A bash extended regular expression the whole value must match. */
  readonly pattern: string;
  readonly problem: string;
  readonly fix: string;
}

/** ECR image tags (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutImage.html, imageTag). */
export const IMAGE_TAG_PATTERN = (maxLength: number): string => `^[A-Za-z0-9_][A-Za-z0-9._-]{0,${maxLength - 1}}$`;

/** ECS container names: 1-255 letters, digits, hyphens and underscores (ContainerDefinition name); the synth-time check uses it too. */
export const CONTAINER_NAME_PATTERN = '^[A-Za-z0-9_-]{1,255}$';

/** The characters the library takes in a branch name, at synth and in the build (git's rules follow, see {@link deployTimeCheckLines}). */
export const BRANCH_PATTERN = '^[A-Za-z0-9._/-]{1,255}$';

/**
 * Bash lines (the first command of pre_build, before anything uses the values) that check each
 * deploy-time value, print `[<path>] DockerBuildToEcr: <prop> "<value>" <problem>: <fix>` on stderr
 * for each bad one, and end with a non-zero status then (the phase fails). The value is
 * printed with printf '%s', never evaluated. `branchVariable` also gets git's branch-name rules
 * (git check-ref-format, as `gitBranchProblem` at synth), in bash, without git.
 */
export function deployTimeCheckLines(path: string, checks: DeployTimeCheck[], branchVariable?: string): string[] {
  if (checks.length === 0) {
    return [];
  }
  const lines = [
    '# Deploy-time values, checked as the synth checks literals (every bad one is reported).',
    'deploy_time_failed=0',
    'deploy_time_value_error() {',
    `  printf '[%s] DockerBuildToEcr: %s "%s" %s: %s\\n' ${shellQuote(path)} "$1" "$2" "$3" "$4" >&2`,
    '  deploy_time_failed=1',
    '}',
  ];
  for (const check of checks) {
    lines.push(
      `pattern=${shellQuote(check.pattern)}`,
      `if ! [[ "$${check.variable}" =~ $pattern ]]; then`,
      `  deploy_time_value_error ${shellQuote(check.prop)} "$${check.variable}" ${shellQuote(check.problem)} ${shellQuote(check.fix)}`,
      'fi',
    );
    if (check.variable === branchVariable) {
      lines.push(
        `case "$${check.variable}" in`,
        '  /* | */ | *//* | *..* | *. | -* | .* | */.* | *.lock | *.lock/*)',
        `    deploy_time_value_error ${shellQuote(check.prop)} "$${check.variable}" ` +
          `${shellQuote('is a name git refuses for a branch (git check-ref-format)')} ${shellQuote(check.fix)}`,
        '    ;;',
        'esac',
      );
    }
  }
  // The command's status: the phase fails (and nothing after it runs) when a value is bad.
  lines.push('[ "$deploy_time_failed" = 0 ]');
  return lines;
}
