import { App, Duration, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  BuilderImage,
  CatalogProduct,
  CrossAccountPullPolicy,
  DockerBuildToEcr,
  GoSampleBuild,
  PlatformCatalog,
} from '../src';

/**
 * One error format everywhere (ARCHITECTURE.md, src/private/shared/errors.ts):
 * - a construct's error: `[<path>] <Class>: <prop> <value> <problem>: <fix>`;
 * - a late check (node.addValidation): CDK reports `[<path>] <message>` under "Validation failed with
 *   the following errors", so the line of the report has the same form;
 * - a static factory, which has no construct: `<Class>.<factory>: <prop> <value> <problem>: <fix>`.
 * One error of each construct and value type of PlatformCatalog, CatalogProduct, CrossAccountPullPolicy
 * and BuilderImage, and one of GoSampleBuild and DockerBuildToEcr. RegistrySettings and its neighbours
 * are covered in their own tests.
 */

const ENV = { account: '999999999999', region: 'eu-west-1' };

function newStack(): Stack {
  return new Stack(new App(), 'Stack', { env: ENV });
}

function source(stack: Stack): codebuild.ISource {
  return codebuild.Source.s3({ bucket: s3.Bucket.fromBucketName(stack, 'Sources', 'my-sources'), path: 'app.zip' });
}

/** The message of the error `run` throws. */
function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('no error was thrown');
}

/** The one line of a "Validation failed" report that names a construct. */
function reportedLine(run: () => unknown): string {
  const lines = errorOf(run)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('['));
  expect(lines).toHaveLength(1);
  return lines[0];
}

describe('construct errors: [<path>] <Class>: <prop> <value> <problem>: <fix>', () => {
  test('PlatformCatalog (a prop of the construct)', () => {
    const stack = newStack();
    expect(errorOf(() => new PlatformCatalog(stack, 'Catalog', { portfolioName: '', providerName: 'team' }))).toMatch(
      /^\[Stack\/Catalog\] PlatformCatalog: portfolioName "" has 0 characters: use 1-100 characters$/,
    );
  });

  test('PlatformCatalog (a principal given later)', () => {
    const stack = newStack();
    const catalog = new PlatformCatalog(stack, 'Catalog', {
      portfolioName: 'p',
      providerName: 'team',
      products: [CatalogProduct.goSampleBuild()],
    });
    expect(errorOf(() => catalog.giveAccess(new iam.AccountPrincipal('222222222222')))).toMatch(
      /^\[Stack\/Catalog\] PlatformCatalog: principals "AccountPrincipal\(222222222222\)" is not an IAM role, user or group \(.*\): pass an iam\.Role, iam\.User or iam\.Group .*$/,
    );
  });

  test('CrossAccountPullPolicy (a prop, checked in the constructor)', () => {
    const stack = newStack();
    const repository = new ecr.Repository(stack, 'Repository');
    expect(errorOf(() => new CrossAccountPullPolicy(stack, 'Pull', { repository, accountIds: ['12345'] }))).toMatch(
      /^\[Stack\/Pull\] CrossAccountPullPolicy: accountIds "12345" is not an AWS account id: use the 12 digits of the account, e\.g\. "123456789012"$/,
    );
  });

  test('CrossAccountPullPolicy (an account added later)', () => {
    const stack = newStack();
    const repository = new ecr.Repository(stack, 'Repository');
    const policy = new CrossAccountPullPolicy(stack, 'Pull', { repository, accountIds: ['111111111111'] });
    expect(errorOf(() => policy.addAccountIds('1111'))).toMatch(
      /^\[Stack\/Pull\] CrossAccountPullPolicy: accountIds "1111" is not an AWS account id: use the 12 digits .*$/,
    );
  });

  test('CrossAccountPullPolicy (a late check: nothing to grant)', () => {
    const stack = newStack();
    const repository = new ecr.Repository(stack, 'Repository');
    new CrossAccountPullPolicy(stack, 'Pull', { repository, accountIds: [ENV.account] });
    expect(reportedLine(() => (stack.node.root as App).synth())).toMatch(
      /^\[Stack\/Pull\] CrossAccountPullPolicy: accountIds \["999999999999"\] holds only this stack's own account, which needs no cross-account grant .*: list the accounts of the other teams that pull, or drop this CrossAccountPullPolicy$/,
    );
  });

  test('CrossAccountPullPolicy (a late check: the policy size)', () => {
    const stack = newStack();
    const repository = new ecr.Repository(stack, 'Repository');
    const ids = Array.from({ length: 700 }, (_, i) => String(100000000000 + i));
    new CrossAccountPullPolicy(stack, 'Pull', { repository, accountIds: ids });
    expect(reportedLine(() => (stack.node.root as App).synth())).toMatch(
      /^\[Stack\/Pull\] CrossAccountPullPolicy: accountIds "700 accounts" make the policy of repository Stack\/Repository [\d,]+ characters long, more than ECR's limit of 10,240 .*: grant the accounts through their organization .*$/,
    );
  });

  test('GoSampleBuild (not changed here)', () => {
    const stack = newStack();
    expect(
      errorOf(() => new GoSampleBuild(stack, 'Go', { source: source(stack), timeout: Duration.minutes(2) })),
    ).toMatch(
      /^\[Stack\/Go\] GoSampleBuild: timeout 2 minutes is outside CodeBuild's limits: use a whole number of minutes from 5 to 2160 .*$/,
    );
  });

  test('DockerBuildToEcr (not changed here)', () => {
    const stack = newStack();
    expect(
      errorOf(() => new DockerBuildToEcr(stack, 'Image', { source: source(stack), repositoryName: 'App' })),
    ).toMatch(
      /^\[Stack\/Image\] DockerBuildToEcr: repositoryName "App" is not a valid ECR repository name: use lowercase letters and digits, .*$/,
    );
  });
});

describe('static factory errors: <Class>.<factory>: <prop> <value> <problem>: <fix>', () => {
  test('BuilderImage.curated', () => {
    expect(errorOf(() => BuilderImage.curated('1.13'))).toMatch(
      /^BuilderImage\.curated: goVersion "1\.13" is not available on any CodeBuild curated image: use one of 1\.20, .*, or a custom image with BuilderImage\.fromEcrRepository$/,
    );
  });

  test('BuilderImage.curated (an explicit image)', () => {
    const image = codebuild.LinuxBuildImage.fromCodeBuildImageId('aws/codebuild/standard:8.0');
    expect(errorOf(() => BuilderImage.curated('1.23', image))).toMatch(
      /^BuilderImage\.curated: goVersion "1\.23" is not available on Ubuntu 24\.04 standard:8\.0 \(x86_64\): use one of 1\.24, 1\.25, 1\.26 .*$/,
    );
  });

  test('BuilderImage.fromEcrRepository', () => {
    const stack = newStack();
    const repository = new ecr.Repository(stack, 'Repository');
    expect(errorOf(() => BuilderImage.fromEcrRepository(repository, 'latest!'))).toMatch(
      /^BuilderImage\.fromEcrRepository: tag "latest!" is not a valid tag: use 1-128 of \[A-Za-z0-9_.-\], not starting with \. or -$/,
    );
  });

  test('CatalogProduct.dockerBuildToEcr', () => {
    expect(errorOf(() => CatalogProduct.dockerBuildToEcr({ pullThroughCachePrefix: 'Docker Hub' }))).toMatch(
      /^CatalogProduct\.dockerBuildToEcr: pullThroughCachePrefix "Docker Hub" is not a valid repository prefix: use .*$/,
    );
  });

  test('CatalogProduct.goSampleBuild (a check of BuilderImage.curated, named after the factory called)', () => {
    expect(errorOf(() => CatalogProduct.goSampleBuild({ goVersion: '1.2' }))).toMatch(
      /^CatalogProduct\.goSampleBuild: goVersion "1\.2" is not available on any CodeBuild curated image: use one of .*$/,
    );
  });
});
