import { Lazy } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { shellQuote } from '../shared/shell';

/**
 * The secret's ARN as the value of a SECRETS_MANAGER environment variable, behind a token. The
 * construct grants read on exactly the secret (`secret.grantRead`); aws-cdk-lib's Project grants again
 * from each value it can parse, and for a literal ARN it grants `secret:<name-with-suffix>*` (every
 * secret whose name starts with this one's) and, for another account, `kms:Decrypt` on `key/*` of that
 * account: wildcards the library would add without a need. A value that is a token it cannot parse
 * is granted as it is (the ARN itself), so the project's grant adds nothing wider than the secret.
 */
export function secretArnForEnvironment(secret: secretsmanager.ISecret): string {
  return Lazy.string({ produce: () => secret.secretArn });
}

/** Secret ids BuildKit accepts in `--secret id=...` and `RUN --mount=type=secret,id=...`. */
export const SECRET_ID = /^[A-Za-z0-9_.-]{1,64}$/;

/** Environment variables (SECRETS_MANAGER) that carry Docker Hub's username and password. */
export const DOCKERHUB_ENV = { username: 'DOCKERHUB_USERNAME', password: 'DOCKERHUB_PASSWORD' } as const;

/** Prefix of the environment variables that carry the build secrets. */
export const BUILD_SECRET_ENV_PREFIX = 'BUILD_SECRET_';

/** A build secret: its BuildKit id and the ARN (or name) of its Secrets Manager secret. */
export interface BuildSecretInput {
  readonly id: string;
  readonly secretArn: string;
}

/** What the buildspec needs for build secrets. */
export interface SecretsFragment {
  /** `--secret id=<id>,env=<VAR>` flags (shell words) for every `docker build`. */
  readonly buildFlags: string[];
  /**
   * Project environment variables, type SECRETS_MANAGER: CodeBuild fetches the values when the build
   * starts and masks them in the log; they never appear in the template or the buildspec.
   */
  readonly environmentVariables: Record<string, codebuild.BuildEnvironmentVariable>;
}

/**
 * BuildKit secrets from Secrets Manager: each secret becomes a SECRETS_MANAGER environment variable
 * `BUILD_SECRET_<n>` and a `--secret id=<id>,env=BUILD_SECRET_<n>` flag, so that only a
 * `RUN --mount=type=secret,id=<id>` step sees the value (as a file under /run/secrets), never a
 * layer, the image history or the build log.
 */
export function buildSecretsFragment(secrets: BuildSecretInput[]): SecretsFragment {
  const buildFlags: string[] = [];
  const environmentVariables: Record<string, codebuild.BuildEnvironmentVariable> = {};
  secrets.forEach((secret, i) => {
    const env = `${BUILD_SECRET_ENV_PREFIX}${i + 1}`;
    buildFlags.push(`--secret ${shellQuote(`id=${secret.id},env=${env}`)}`);
    environmentVariables[env] = {
      type: codebuild.BuildEnvironmentVariableType.SECRETS_MANAGER,
      value: secret.secretArn,
    };
  });
  return { buildFlags, environmentVariables };
}

/**
 * Docker Hub login from a secret whose JSON holds `username` and `password`: two SECRETS_MANAGER
 * variables (`<secret>:username`, `<secret>:password`), and a `docker login` that reads the password
 * from stdin (never from the command line). Runs before the build pulls any base image.
 */
export function dockerHubLoginFragment(secretArn: string): {
  readonly command: string;
  readonly environmentVariables: Record<string, codebuild.BuildEnvironmentVariable>;
} {
  const type = codebuild.BuildEnvironmentVariableType.SECRETS_MANAGER;
  return {
    command: [
      'echo "Logging in to Docker Hub"',
      `printf '%s' "$${DOCKERHUB_ENV.password}" | docker login --username "$${DOCKERHUB_ENV.username}" --password-stdin`,
    ].join('\n'),
    environmentVariables: {
      [DOCKERHUB_ENV.username]: { type, value: `${secretArn}:username` },
      [DOCKERHUB_ENV.password]: { type, value: `${secretArn}:password` },
    },
  };
}
