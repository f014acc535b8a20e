import { Template } from 'aws-cdk-lib/assertions';

/** What a synthesized CodeBuild project runs: its buildspec and its environment variables. */
export interface ProjectBuild {
  readonly logicalId: string;
  /** `Source.BuildSpec`, parsed. */
  readonly buildSpec: any;
  /** `Environment.EnvironmentVariables`, in template order. */
  readonly environmentVariables: Array<{ name: string; type: string; value: unknown }>;
  /** `Environment.Image` as synthesized (a string or an intrinsic). */
  readonly image: unknown;
}

/**
 * The CodeBuild project of `template` whose logical id starts with `logicalIdPrefix` (or the only
 * one): its buildspec (a JSON string in the template) and environment variables.
 */
export function projectBuild(template: Template, logicalIdPrefix = ''): ProjectBuild {
  const projects = Object.entries(template.findResources('AWS::CodeBuild::Project')).filter(([id]) =>
    id.startsWith(logicalIdPrefix),
  );
  if (projects.length !== 1) {
    throw new Error(
      `expected one AWS::CodeBuild::Project starting with "${logicalIdPrefix}", found: ${projects.map(([id]) => id).join(', ') || 'none'}`,
    );
  }
  const [logicalId, resource] = projects[0];
  const source = resource.Properties?.Source ?? {};
  if (typeof source.BuildSpec !== 'string') {
    throw new Error(`${logicalId}: Source.BuildSpec is not an inline JSON string: ${JSON.stringify(source.BuildSpec)}`);
  }
  const environment = resource.Properties?.Environment ?? {};
  return {
    logicalId,
    buildSpec: JSON.parse(source.BuildSpec),
    environmentVariables: (environment.EnvironmentVariables ?? []).map((v: any) => ({
      name: String(v.Name),
      type: String(v.Type ?? 'PLAINTEXT'),
      value: v.Value,
    })),
    image: environment.Image,
  };
}

/**
 * The environment a build of the project gets, the way CodeBuild would set it after deploy:
 * literal values are kept as synthesized; every value that is a CloudFormation intrinsic (known
 * only after deploy) must be given in `deployTimeValues`. Throws on a missing value, on a value
 * given for a literal variable (it would change what CodeBuild runs with), on an unused value, and
 * on a variable that is not PLAINTEXT.
 */
export function resolveBuildEnvironment(
  variables: ProjectBuild['environmentVariables'],
  deployTimeValues: Record<string, string>,
  secretValues: Record<string, string> = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  const unused = new Set(Object.keys(deployTimeValues));
  const unusedSecrets = new Set(Object.keys(secretValues));
  for (const { name, type, value } of variables) {
    if (type === 'SECRETS_MANAGER') {
      // What CodeBuild fetches from Secrets Manager when the build starts: the test gives the value.
      if (!(name in secretValues)) {
        throw new Error(`environment variable ${name} is a SECRETS_MANAGER reference: give its value in secretValues`);
      }
      env[name] = secretValues[name];
      unusedSecrets.delete(name);
      continue;
    }
    if (type !== 'PLAINTEXT') {
      throw new Error(
        `environment variable ${name} is ${type}: only PLAINTEXT and SECRETS_MANAGER variables can be emulated`,
      );
    }
    if (typeof value === 'string') {
      if (name in deployTimeValues) {
        throw new Error(
          `environment variable ${name} is the literal ${JSON.stringify(value)} in the template: keep it`,
        );
      }
      env[name] = value;
      continue;
    }
    if (!(name in deployTimeValues)) {
      throw new Error(
        `environment variable ${name} is known at deploy time only (${JSON.stringify(value)}): give its value`,
      );
    }
    env[name] = deployTimeValues[name];
    unused.delete(name);
  }
  if (unused.size > 0 || unusedSecrets.size > 0) {
    throw new Error(
      `values given for variables the project does not have: ${[...unused, ...unusedSecrets].join(', ')}`,
    );
  }
  return env;
}
