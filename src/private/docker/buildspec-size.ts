import { DockerBuildSpecInput, dockerBuildSpec } from './buildspec';

/**
 * How many characters of DockerBuildToEcr's buildspec each prop accounts for: the rendered length
 * minus the length with that prop at its smallest (as BuildSpec.fromObject renders it, JSON with an
 * indent of 2). Only computed when the buildspec is over CodeBuild's limit, to name the prop.
 */
export function dockerBuildSpecContributions(input: DockerBuildSpecInput): Record<string, number> {
  const length = (i: DockerBuildSpecInput) => JSON.stringify(dockerBuildSpec(i).buildSpec, undefined, 2).length;
  const full = length(input);
  return {
    buildArgs: full - length({ ...input, buildArgs: {} }),
    additionalTags: full - length({ ...input, additionalTags: [] }),
    dockerfile: full - length({ ...input, dockerfile: 'Dockerfile' }),
    buildContext: full - length({ ...input, buildContext: '.' }),
    target: full - length({ ...input, target: undefined }),
  };
}
