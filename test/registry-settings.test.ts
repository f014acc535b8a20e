import { App, Aspects, CfnParameter, Duration, Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  BasicScanningOptions,
  BuilderImage,
  DockerBuildToEcr,
  EnhancedScanningOptions,
  GoSampleBuild,
  PullThroughCacheRule,
  RegistryScanning,
  RegistrySettings,
  RepositoryCreationTemplate,
  RepositoryCreationTrigger,
  Upstream,
} from '../src';

const ACCOUNT = '111111111111';
const REGION = 'us-east-1';

function envStack(app = new App(), id = 'Registry', account = ACCOUNT, region = REGION): Stack {
  return new Stack(app, id, { env: { account, region } });
}

function dockerHubSecret(stack: Stack, name = 'ecr-pullthroughcache/docker-hub'): secretsmanager.ISecret {
  return secretsmanager.Secret.fromSecretNameV2(stack, 'DockerHubToken', name);
}

function source(stack: Stack): codebuild.ISource {
  return codebuild.Source.s3({
    bucket: s3.Bucket.fromBucketName(stack, 'SourceBucket', 'source-bucket'),
    path: 'src.zip',
  });
}

describe('RegistrySettings', () => {
  test('creates nothing without props', () => {
    // GIVEN / WHEN
    const stack = envStack();
    new RegistrySettings(stack, 'Registry');
    // THEN
    expect(Object.keys(Template.fromStack(stack).toJSON().Resources ?? {})).toEqual([]);
  });

  describe('replication', () => {
    test('renders rules with destinations (own account by default) and prefix filters', () => {
      // GIVEN
      const stack = envStack();
      // WHEN
      const registry = new RegistrySettings(stack, 'Registry', {
        replicationRules: [
          {
            destinations: [{ region: 'eu-west-1' }, { region: 'us-east-1', accountId: '222222222222' }],
            repositoryPrefixes: ['prod/', 'shared'],
          },
          { destinations: [{ region: 'us-west-2' }] },
        ],
      });
      // THEN
      expect(registry.replicationConfiguration).toBeDefined();
      Template.fromStack(stack).hasResourceProperties('AWS::ECR::ReplicationConfiguration', {
        ReplicationConfiguration: {
          Rules: [
            {
              Destinations: [
                { Region: 'eu-west-1', RegistryId: ACCOUNT },
                { Region: 'us-east-1', RegistryId: '222222222222' },
              ],
              RepositoryFilters: [
                { Filter: 'prod/', FilterType: 'PREFIX_MATCH' },
                { Filter: 'shared', FilterType: 'PREFIX_MATCH' },
              ],
            },
            { Destinations: [{ Region: 'us-west-2', RegistryId: ACCOUNT }], RepositoryFilters: Match.absent() },
          ],
        },
      });
    });

    test('in an environment-agnostic stack the own account is AWS::AccountId', () => {
      const stack = new Stack(new App(), 'Agnostic');
      new RegistrySettings(stack, 'Registry', { replicationRules: [{ destinations: [{ region: 'eu-west-1' }] }] });
      Template.fromStack(stack).hasResourceProperties('AWS::ECR::ReplicationConfiguration', {
        ReplicationConfiguration: {
          Rules: [{ Destinations: [{ Region: 'eu-west-1', RegistryId: { Ref: 'AWS::AccountId' } }] }],
        },
      });
    });

    test('fails when a destination is the registry itself', () => {
      const stack = envStack();
      expect(
        () => new RegistrySettings(stack, 'Registry', { replicationRules: [{ destinations: [{ region: REGION }] }] }),
      ).toThrow(/destinations "us-east-1" is the registry itself .*replicate to another region or another account/);
    });

    test('fails when a rule has no destination', () => {
      const stack = envStack();
      expect(() => new RegistrySettings(stack, 'Registry', { replicationRules: [{ destinations: [] }] })).toThrow(
        /destinations \[\] leaves a replication rule without a destination: give each rule at least one destination/,
      );
    });

    // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ReplicationDestination.html
    // region: [0-9a-z-]{2,25}; registryId: 12 digits.
    test('fails when a region is malformed', () => {
      const stack = envStack();
      expect(
        () => new RegistrySettings(stack, 'Registry', { replicationRules: [{ destinations: [{ region: 'Europe' }] }] }),
      ).toThrow(/destinations.region "Europe" is not an AWS region name/);
    });

    test('fails when an account id is malformed', () => {
      const stack = envStack();
      expect(
        () =>
          new RegistrySettings(stack, 'Registry', {
            replicationRules: [{ destinations: [{ region: 'eu-west-1', accountId: '1234' }] }],
          }),
      ).toThrow(/destinations.accountId "1234" is not an AWS account id/);
    });

    // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_RepositoryFilter.html
    // filterType PREFIX_MATCH only; the filter pattern has no "*" (test/private/registry/validation.test.ts
    // has the 2/256 boundaries).
    test('fails when a repository prefix has a wildcard', () => {
      const stack = envStack();
      expect(
        () =>
          new RegistrySettings(stack, 'Registry', {
            replicationRules: [{ destinations: [{ region: 'eu-west-1' }], repositoryPrefixes: ['prod-*'] }],
          }),
      ).toThrow(/repositoryPrefixes "prod-\*" is not a replication repository filter: .*wildcards are not allowed/);
    });

    // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ReplicationConfiguration.html
    // rules: at most 10.
    test('fails with more than 10 rules', () => {
      const stack = envStack();
      const rules = Array.from({ length: 11 }, (_, i) => ({
        destinations: [{ region: 'eu-west-1' }],
        repositoryPrefixes: [`p${i}`],
      }));
      expect(() => new RegistrySettings(stack, 'Registry', { replicationRules: rules })).toThrow(
        /replicationRules "11 rules" are more than ECR allows in a replication configuration \(10\)/,
      );
    });

    test('accepts 10 rules', () => {
      const stack = envStack();
      const rules = Array.from({ length: 10 }, (_, i) => ({
        destinations: [{ region: 'eu-west-1' }],
        repositoryPrefixes: [`p${i}`],
      }));
      new RegistrySettings(stack, 'Registry', { replicationRules: rules });
      expect(
        Template.fromStack(stack).toJSON().Resources.RegistryReplicationD9FDE45D.Properties.ReplicationConfiguration
          .Rules,
      ).toHaveLength(10);
    });

    // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ReplicationRule.html
    // destinations: at most 100 per rule (the AWS::ECR::ReplicationConfiguration schema: 1-100), and no
    // limit over all rules. The library counted 25 distinct destinations over all rules (an older
    // reference's per-rule maximum), so it refused configurations ECR takes.
    test('fails with more than 100 destinations in a rule', () => {
      const stack = envStack();
      const destinations = Array.from({ length: 101 }, (_, i) => ({
        region: 'eu-west-1',
        accountId: String(200000000000 + i),
      }));
      expect(() => new RegistrySettings(stack, 'Registry', { replicationRules: [{ destinations }] })).toThrow(
        /^\[Registry\/Registry\] RegistrySettings: destinations "101 destinations" are more than ECR allows in one replication rule \(100\): split the destinations over several rules$/,
      );
    });

    test('accepts 100 destinations in a rule, and more than 25 over all rules', () => {
      const stack = envStack();
      const destinations = (from: number, n: number) =>
        Array.from({ length: n }, (_, i) => ({ region: 'eu-west-1', accountId: String(200000000000 + from + i) }));
      new RegistrySettings(stack, 'Registry', {
        replicationRules: [{ destinations: destinations(0, 100) }, { destinations: destinations(100, 30) }],
      });
      const rules =
        Template.fromStack(stack).toJSON().Resources.RegistryReplicationD9FDE45D.Properties.ReplicationConfiguration
          .Rules;
      expect(rules.map((r: { Destinations: unknown[] }) => r.Destinations.length)).toEqual([100, 30]);
      expect(RegistrySettings.MAX_REPLICATION_DESTINATIONS).toBe(100);
    });

    // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ReplicationRule.html
    // repositoryFilters: 1-100 items when given ("Specifying a repository filter for a replication rule
    // provides a method for controlling which repositories in a private registry are replicated").
    test('fails with more than 100 prefixes in a rule', () => {
      const stack = envStack();
      const repositoryPrefixes = Array.from({ length: 101 }, (_, i) => `team${i}`);
      expect(
        () =>
          new RegistrySettings(stack, 'Registry', {
            replicationRules: [{ destinations: [{ region: 'eu-west-1' }], repositoryPrefixes }],
          }),
      ).toThrow(/"101 prefixes" are more than ECR allows in one replication rule \(100\)/);
    });

    test('accepts 100 prefixes in a rule', () => {
      const stack = envStack();
      const repositoryPrefixes = Array.from({ length: 100 }, (_, i) => `team${i}`);
      new RegistrySettings(stack, 'Registry', {
        replicationRules: [{ destinations: [{ region: 'eu-west-1' }], repositoryPrefixes }],
      });
      const [rule] =
        Template.fromStack(stack).toJSON().Resources.RegistryReplicationD9FDE45D.Properties.ReplicationConfiguration
          .Rules;
      expect(rule.RepositoryFilters).toHaveLength(100);
    });

    // Same page: repositoryFilters has at least 1 item. An empty list was sent as no filter, which
    // replicates every repository: the opposite of what it reads as.
    test('fails for an empty repositoryPrefixes list', () => {
      const stack = envStack();
      expect(
        () =>
          new RegistrySettings(stack, 'Registry', {
            replicationRules: [{ destinations: [{ region: 'eu-west-1' }], repositoryPrefixes: [] }],
          }),
      ).toThrow(
        /^\[Registry\/Registry\] RegistrySettings: repositoryPrefixes \[\] is empty, and a rule without filters replicates every repository: leave repositoryPrefixes out to replicate every repository, or list the prefixes to replicate$/,
      );
    });

    test('replicates every repository without repositoryPrefixes', () => {
      const stack = envStack();
      new RegistrySettings(stack, 'Registry', { replicationRules: [{ destinations: [{ region: 'eu-west-1' }] }] });
      Template.fromStack(stack).hasResourceProperties('AWS::ECR::ReplicationConfiguration', {
        ReplicationConfiguration: { Rules: [{ RepositoryFilters: Match.absent() }] },
      });
    });

    test('fails for a prefix given twice in a rule', () => {
      const stack = envStack();
      expect(
        () =>
          new RegistrySettings(stack, 'Registry', {
            replicationRules: [{ destinations: [{ region: 'eu-west-1' }], repositoryPrefixes: ['prod/', 'prod/'] }],
          }),
      ).toThrow(/repositoryPrefixes "prod\/" is given as prefix more than once: give each prefix once$/);
    });

    // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ReplicationDestination.html
    // A destination is a region and a registry (account); a rule that names one twice is refused.
    test.each<[string, Array<{ region: string; accountId?: string }>, string]>([
      [
        'the own account, given and defaulted',
        [{ region: 'eu-west-1' }, { region: 'eu-west-1', accountId: ACCOUNT }],
        'eu-west-1/111111111111',
      ],
      [
        'another account twice',
        [
          { region: 'eu-west-1', accountId: '222222222222' },
          { region: 'us-west-2' },
          { region: 'eu-west-1', accountId: '222222222222' },
        ],
        'eu-west-1/222222222222',
      ],
    ])('fails for a destination given twice in a rule: %s', (_, destinations, shown) => {
      const stack = envStack();
      expect(() => new RegistrySettings(stack, 'Registry', { replicationRules: [{ destinations }] })).toThrow(
        new RegExp(
          `destinations "${shown.replace('/', '\\/')}" is given twice in one replication rule \\(same region and account\\): give each destination of a rule once$`,
        ),
      );
    });

    test('accepts one region for two accounts, one account in two regions, and one destination in two rules', () => {
      const stack = envStack();
      new RegistrySettings(stack, 'Registry', {
        replicationRules: [
          {
            destinations: [
              { region: 'eu-west-1' },
              { region: 'eu-west-1', accountId: '222222222222' },
              { region: 'us-west-2' },
            ],
            repositoryPrefixes: ['prod/'],
          },
          { destinations: [{ region: 'eu-west-1' }], repositoryPrefixes: ['shared/'] },
        ],
      });
      Template.fromStack(stack).resourceCountIs('AWS::ECR::ReplicationConfiguration', 1);
    });
  });

  describe('registry policy', () => {
    test('lets the source accounts replicate into the registry', () => {
      const stack = envStack();
      const registry = new RegistrySettings(stack, 'Registry', { replicationSourceAccountIds: ['222222222222'] });
      expect(registry.registryPolicy).toBeDefined();
      Template.fromStack(stack).hasResourceProperties('AWS::ECR::RegistryPolicy', {
        PolicyText: {
          Statement: [
            {
              Action: ['ecr:CreateRepository', 'ecr:ReplicateImage'],
              Effect: 'Allow',
              Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:root']] } },
              Resource: {
                'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ecr:${REGION}:${ACCOUNT}:repository/*`]],
              },
            },
          ],
        },
      });
    });

    test('fails when empty', () => {
      expect(() => new RegistrySettings(envStack(), 'Registry', { replicationSourceAccountIds: [] })).toThrow(
        /replicationSourceAccountIds \[\] is empty/,
      );
    });

    test('fails when an account is given twice', () => {
      expect(
        () =>
          new RegistrySettings(envStack(), 'Registry', {
            replicationSourceAccountIds: ['222222222222', '222222222222'],
          }),
      ).toThrow(/"222222222222" is given as account more than once/);
    });

    test('fails when an account id is malformed', () => {
      expect(() => new RegistrySettings(envStack(), 'Registry', { replicationSourceAccountIds: ['abc'] })).toThrow(
        /replicationSourceAccountIds "abc" is not an AWS account id/,
      );
    });

    test('fails for the registry account itself', () => {
      expect(() => new RegistrySettings(envStack(), 'Registry', { replicationSourceAccountIds: [ACCOUNT] })).toThrow(
        /"111111111111" is the account of the registry/,
      );
    });
  });

  describe('scanning', () => {
    test('basic scans every repository on push by default', () => {
      const stack = envStack();
      const registry = new RegistrySettings(stack, 'Registry', { scanning: RegistryScanning.basic() });
      expect(registry.scanningConfiguration?.cfnResourceType).toBe('AWS::ECR::RegistryScanningConfiguration');
      Template.fromStack(stack).hasResourceProperties('AWS::ECR::RegistryScanningConfiguration', {
        ScanType: 'BASIC',
        Rules: [{ ScanFrequency: 'SCAN_ON_PUSH', RepositoryFilters: [{ Filter: '*', FilterType: 'WILDCARD' }] }],
      });
    });

    test('basic with filters', () => {
      const scanning = RegistryScanning.basic({ scanOnPushFilters: ['prod-*', 'team/app'] });
      expect(scanning.rules).toEqual([{ scanFrequency: 'SCAN_ON_PUSH', filters: ['prod-*', 'team/app'] }]);
    });

    test('enhanced is continuous on every repository by default', () => {
      const scanning = RegistryScanning.enhanced();
      expect(scanning.scanType).toBe('ENHANCED');
      expect(scanning.rules).toEqual([{ scanFrequency: 'CONTINUOUS_SCAN', filters: ['*'] }]);
    });

    test('enhanced with scan-on-push only has no continuous rule', () => {
      expect(RegistryScanning.enhanced({ scanOnPushFilters: ['*'] }).rules).toEqual([
        { scanFrequency: 'SCAN_ON_PUSH', filters: ['*'] },
      ]);
    });

    test('enhanced with both', () => {
      const stack = envStack();
      new RegistrySettings(stack, 'Registry', {
        scanning: RegistryScanning.enhanced({ continuousScanFilters: ['prod-*'], scanOnPushFilters: ['*'] }),
      });
      Template.fromStack(stack).hasResourceProperties('AWS::ECR::RegistryScanningConfiguration', {
        ScanType: 'ENHANCED',
        Rules: [
          { ScanFrequency: 'SCAN_ON_PUSH', RepositoryFilters: [{ Filter: '*', FilterType: 'WILDCARD' }] },
          { ScanFrequency: 'CONTINUOUS_SCAN', RepositoryFilters: [{ Filter: 'prod-*', FilterType: 'WILDCARD' }] },
        ],
      });
    });

    test('fails when a filter is malformed', () => {
      expect(() => RegistryScanning.basic({ scanOnPushFilters: ['Prod_*'] })).toThrow(
        /scanOnPushFilters "Prod_\*" is not a registry scanning filter/,
      );
      expect(() => RegistryScanning.enhanced({ continuousScanFilters: ['-x'] })).toThrow(
        /continuousScanFilters "-x" is not a registry scanning filter/,
      );
    });

    // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_RegistryScanningRule.html
    // repositoryFilters: at most 100 per rule.
    test('fails with more than 100 filters', () => {
      const filters = Array.from({ length: 101 }, (_, i) => `team${i}-*`);
      expect(() => RegistryScanning.basic({ scanOnPushFilters: filters })).toThrow(
        /"101 filters" are more than ECR allows/,
      );
      expect(() =>
        RegistryScanning.enhanced({ scanOnPushFilters: ['*'], continuousScanFilters: [...filters, 'x'] }),
      ).toThrow(
        /^RegistryScanning\.enhanced: continuousScanFilters "102 filters" are more than ECR allows in one scanning rule \(100\): /,
      );
    });

    // Same page: 100 filters is the most, and is accepted in each rule.
    test('accepts 100 filters in each rule', () => {
      const filters = Array.from({ length: 100 }, (_, i) => `team${i}-*`);
      const scanning = RegistryScanning.enhanced({ scanOnPushFilters: filters, continuousScanFilters: filters });
      expect(scanning.rules.map((r) => r.filters.length)).toEqual([100, 100]);
    });

    // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_RegistryScanningRule.html
    // scanFrequency: "When the ENHANCED scan type is specified, the supported scan frequencies are
    // CONTINUOUS_SCAN and SCAN_ON_PUSH. When the BASIC scan type is specified, the SCAN_ON_PUSH scan
    // frequency is supported." Continuous filters given to basic() were dropped without a word.
    test('fails when basic scanning is given continuous-scan filters', () => {
      const options: EnhancedScanningOptions = { scanOnPushFilters: ['*'], continuousScanFilters: ['prod-*'] };
      // EnhancedScanningOptions are assignable to BasicScanningOptions: the compiler does not catch it.
      expect(() => RegistryScanning.basic(options)).toThrow(
        /^RegistryScanning\.basic: continuousScanFilters \["prod-\*"\] is not an option of basic scanning, which ECR runs on push only \(CONTINUOUS_SCAN is for enhanced scanning\): use RegistryScanning\.enhanced\(\{ continuousScanFilters, scanOnPushFilters \}\) for continuous scans \(Amazon Inspector\), or give basic\(\) scanOnPushFilters only$/,
      );
      // An empty list asks for no continuous scan either: still not an option of basic scanning.
      expect(() => RegistryScanning.basic({ continuousScanFilters: [] } as BasicScanningOptions)).toThrow(
        /continuousScanFilters \[\] is not an option of basic scanning/,
      );
    });

    // Same page: the neighbours that are right — basic on push, enhanced on push and continuously.
    test('accepts scan on push for basic, and both frequencies for enhanced', () => {
      expect(RegistryScanning.basic({ scanOnPushFilters: ['prod-*'] }).rules.map((r) => r.scanFrequency)).toEqual([
        'SCAN_ON_PUSH',
      ]);
      expect(
        RegistryScanning.enhanced({ scanOnPushFilters: ['*'], continuousScanFilters: ['prod-*'] }).rules.map(
          (r) => r.scanFrequency,
        ),
      ).toEqual(['SCAN_ON_PUSH', 'CONTINUOUS_SCAN']);
    });
  });

  describe('pull-through cache rules', () => {
    test('renders each upstream', () => {
      // GIVEN
      const stack = envStack();
      const gh = secretsmanager.Secret.fromSecretNameV2(stack, 'Gh', 'ecr-pullthroughcache/ghcr');
      const gl = secretsmanager.Secret.fromSecretNameV2(stack, 'Gl', 'ecr-pullthroughcache/gitlab');
      const rules = [
        new PullThroughCacheRule({ ecrRepositoryPrefix: 'ecr-public', upstream: Upstream.ecrPublic() }),
        new PullThroughCacheRule({ ecrRepositoryPrefix: 'quay', upstream: Upstream.quay() }),
        new PullThroughCacheRule({ ecrRepositoryPrefix: 'k8s', upstream: Upstream.kubernetes() }),
        new PullThroughCacheRule({
          ecrRepositoryPrefix: 'docker-hub',
          upstream: Upstream.dockerHub(dockerHubSecret(stack)),
        }),
        new PullThroughCacheRule({ ecrRepositoryPrefix: 'ghcr', upstream: Upstream.githubContainerRegistry(gh) }),
        new PullThroughCacheRule({ ecrRepositoryPrefix: 'gitlab', upstream: Upstream.gitlab(gl) }),
      ];
      // WHEN
      const registry = new RegistrySettings(stack, 'Registry', { pullThroughCacheRules: rules });
      // THEN
      expect(registry.pullThroughCacheRules).toEqual(rules);
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::ECR::PullThroughCacheRule', 6);
      const expected: Array<[string, string, string, boolean]> = [
        ['ecr-public', 'ecr-public', 'public.ecr.aws', false],
        ['quay', 'quay', 'quay.io', false],
        ['k8s', 'k8s', 'registry.k8s.io', false],
        ['docker-hub', 'docker-hub', 'registry-1.docker.io', true],
        ['ghcr', 'github-container-registry', 'ghcr.io', true],
        ['gitlab', 'gitlab-container-registry', 'registry.gitlab.com', true],
      ];
      for (const [prefix, type, url, secret] of expected) {
        template.hasResourceProperties('AWS::ECR::PullThroughCacheRule', {
          EcrRepositoryPrefix: prefix,
          UpstreamRegistry: type,
          UpstreamRegistryUrl: url,
          CredentialArn: secret ? Match.anyValue() : Match.absent(),
        });
      }
    });

    test('addPullThroughCacheRule adds a rule once', () => {
      const stack = envStack();
      const registry = new RegistrySettings(stack, 'Registry');
      const rule = new PullThroughCacheRule({ ecrRepositoryPrefix: 'quay', upstream: Upstream.quay() });
      registry.addPullThroughCacheRule(rule);
      registry.addPullThroughCacheRule(rule);
      Template.fromStack(stack).resourceCountIs('AWS::ECR::PullThroughCacheRule', 1);
    });

    test('a created secret with a literal ecr-pullthroughcache/ name is accepted and referenced', () => {
      const stack = envStack();
      const secret = new secretsmanager.Secret(stack, 'Token', { secretName: 'ecr-pullthroughcache/docker-hub' });
      new RegistrySettings(stack, 'Registry', {
        pullThroughCacheRules: [
          new PullThroughCacheRule({ ecrRepositoryPrefix: 'docker-hub', upstream: Upstream.dockerHub(secret) }),
        ],
      });
      Template.fromStack(stack).hasResourceProperties('AWS::ECR::PullThroughCacheRule', {
        CredentialArn: { Ref: Match.stringLikeRegexp('^Token') },
      });
    });

    test('a secret imported by a literal ARN is checked by the name in the ARN', () => {
      const stack = envStack();
      const good = secretsmanager.Secret.fromSecretCompleteArn(
        stack,
        'Good',
        `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:ecr-pullthroughcache/hub-AbCdEf`,
      );
      const bad = secretsmanager.Secret.fromSecretCompleteArn(
        stack,
        'Bad',
        `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:hub-AbCdEf`,
      );
      const registry = new RegistrySettings(stack, 'Registry', {
        pullThroughCacheRules: [
          new PullThroughCacheRule({ ecrRepositoryPrefix: 'docker-hub', upstream: Upstream.dockerHub(good) }),
        ],
      });
      expect(() =>
        registry.addPullThroughCacheRule(
          new PullThroughCacheRule({ ecrRepositoryPrefix: 'ghcr', upstream: Upstream.githubContainerRegistry(bad) }),
        ),
      ).toThrow(/upstream credentials "hub" .* does not start with "ecr-pullthroughcache\/"/);
    });

    test('fails when a created secret has no name', () => {
      const stack = envStack();
      const secret = new secretsmanager.Secret(stack, 'Token');
      expect(
        () =>
          new RegistrySettings(stack, 'Registry', {
            pullThroughCacheRules: [
              new PullThroughCacheRule({ ecrRepositoryPrefix: 'docker-hub', upstream: Upstream.dockerHub(secret) }),
            ],
          }),
      ).toThrow(/has no secretName, so CloudFormation generates one.*secretName: "ecr-pullthroughcache\/docker-hub"/);
    });

    // https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-creating-rule.html
    // "The name of the secret begins with ecr-pullthroughcache/."
    test('fails when the secret name lacks the prefix', () => {
      const stack = envStack();
      expect(
        () =>
          new RegistrySettings(stack, 'Registry', {
            pullThroughCacheRules: [
              new PullThroughCacheRule({
                ecrRepositoryPrefix: 'docker-hub',
                upstream: Upstream.dockerHub(dockerHubSecret(stack, 'docker-hub-token')),
              }),
            ],
          }),
      ).toThrow(/upstream credentials "docker-hub-token" .*does not start with "ecr-pullthroughcache\/"/);
    });

    test('warns when the secret name is a token', () => {
      const stack = envStack();
      const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'Token', deployTimeString(stack));
      new RegistrySettings(stack, 'Registry', {
        pullThroughCacheRules: [
          new PullThroughCacheRule({ ecrRepositoryPrefix: 'docker-hub', upstream: Upstream.dockerHub(secret) }),
        ],
      });
      Annotations.fromStack(stack).hasWarning(
        '/Registry/Registry',
        Match.stringLikeRegexp(
          'only known at deploy time: ECR rejects the rule unless the name starts with "ecr-pullthroughcache/"',
        ),
      );
    });

    // Same page: "The account and Region that the secret is in must match the account and Region
    // that the pull through cache rule is in."
    test('fails when the secret is in another account or region', () => {
      const stack = envStack();
      const otherAccount = secretsmanager.Secret.fromSecretCompleteArn(
        stack,
        'OtherAccount',
        `arn:aws:secretsmanager:${REGION}:999999999999:secret:ecr-pullthroughcache/hub-AbCdEf`,
      );
      const otherRegion = secretsmanager.Secret.fromSecretCompleteArn(
        stack,
        'OtherRegion',
        `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:ecr-pullthroughcache/hub-AbCdEf`,
      );
      const registry = new RegistrySettings(stack, 'Registry');
      expect(() =>
        registry.addPullThroughCacheRule(
          new PullThroughCacheRule({ ecrRepositoryPrefix: 'a1', upstream: Upstream.dockerHub(otherAccount) }),
        ),
      ).toThrow(/is in account 999999999999, not in the registry's account 111111111111/);
      expect(() =>
        registry.addPullThroughCacheRule(
          new PullThroughCacheRule({ ecrRepositoryPrefix: 'a2', upstream: Upstream.dockerHub(otherRegion) }),
        ),
      ).toThrow(/is in region eu-west-1, not in the registry's region us-east-1/);
    });

    test('fails when two rules share a prefix', () => {
      const stack = envStack();
      expect(
        () =>
          new RegistrySettings(stack, 'Registry', {
            pullThroughCacheRules: [
              new PullThroughCacheRule({ ecrRepositoryPrefix: 'cache', upstream: Upstream.quay() }),
              new PullThroughCacheRule({ ecrRepositoryPrefix: 'cache', upstream: Upstream.ecrPublic() }),
            ],
          }),
      ).toThrow(/pullThroughCacheRules "cache" is the prefix of two rules/);
    });

    test('fails with more than 50 rules', () => {
      const stack = envStack();
      const rules = Array.from(
        { length: 51 },
        (_, i) => new PullThroughCacheRule({ ecrRepositoryPrefix: `quay${i}`, upstream: Upstream.quay() }),
      );
      expect(() => new RegistrySettings(stack, 'Registry', { pullThroughCacheRules: rules })).toThrow(
        /"51 rules" are more than ECR allows in one registry \(50\)/,
      );
    });

    test('fails when one rule is added to two registries', () => {
      const app = new App();
      const rule = new PullThroughCacheRule({ ecrRepositoryPrefix: 'quay', upstream: Upstream.quay() });
      new RegistrySettings(envStack(app, 'A'), 'Registry', { pullThroughCacheRules: [rule] });
      expect(
        () =>
          new RegistrySettings(envStack(app, 'B', ACCOUNT, 'eu-west-1'), 'Registry', { pullThroughCacheRules: [rule] }),
      ).toThrow(/pullThroughCacheRules "quay" is already a rule of A\/Registry/);
    });

    // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreatePullThroughCacheRule.html
    // ecrRepositoryPrefix: 2-30 characters of the repository prefix pattern (separators ".", "_", "__",
    // "-+" inside a component, single "/" between components); test/private/registry/validation.test.ts
    // has every neighbour.
    test.each([
      ['x', /has 1 character: use 2-30 characters/],
      ['a'.repeat(31), /has 31 characters/],
      ['Docker', /is not a valid repository prefix/],
      ['cache/', /is not a valid repository prefix/],
      ['ROOT', /is not a valid repository prefix/],
      ['cache//quay', /is not a valid repository prefix/],
      ['docker___hub', /is not a valid repository prefix/],
      ['docker..hub', /is not a valid repository prefix/],
    ])('fails when ecrRepositoryPrefix is %s', (prefix, error) => {
      expect(() => new PullThroughCacheRule({ ecrRepositoryPrefix: prefix, upstream: Upstream.quay() })).toThrow(error);
    });

    // Same page: the runs of separators the pattern takes, and the boundaries.
    test.each(['ab', 'a'.repeat(30), 'docker--hub', 'docker__hub', 'cache/quay.io'])(
      'accepts ecrRepositoryPrefix %s and renders it',
      (prefix) => {
        const stack = envStack();
        new RegistrySettings(stack, 'Registry', {
          pullThroughCacheRules: [new PullThroughCacheRule({ ecrRepositoryPrefix: prefix, upstream: Upstream.quay() })],
        });
        Template.fromStack(stack).hasResourceProperties('AWS::ECR::PullThroughCacheRule', {
          EcrRepositoryPrefix: prefix,
        });
      },
    );

    // https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache.html
    // Docker Hub, GitHub Container Registry and GitLab Container Registry need a Secrets Manager
    // secret; ECR Public, Quay and the Kubernetes registry don't.
    test.each<[string, (secret: secretsmanager.ISecret) => Upstream, string]>([
      ['dockerHub', Upstream.dockerHub, 'Docker Hub'],
      ['githubContainerRegistry', Upstream.githubContainerRegistry, 'GitHub Container Registry'],
      ['gitlab', Upstream.gitlab, 'GitLab Container Registry'],
    ])('fails when Upstream.%s is given no credentials', (method, factory, name) => {
      expect(() => factory(undefined as unknown as secretsmanager.ISecret)).toThrow(
        new RegExp(
          `^Upstream\\.${method}: credentials \\(undefined\\) leaves ${name} without credentials, and ECR pulls from ${name} only with a Secrets Manager secret: ` +
            'give a secret named "ecr-pullthroughcache/…" in the account and region of the registry, holding \\{"username": …, "accessToken": …\\}$',
        ),
      );
    });

    test('accepts the upstreams without credentials', () => {
      for (const upstream of [Upstream.ecrPublic(), Upstream.quay(), Upstream.kubernetes()]) {
        expect(upstream.credentials).toBeUndefined();
      }
    });

    // https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html
    // A secret name has ASCII letters, numbers and /_+=.@- only, 1-512 characters
    // (test/private/registry/secrets.test.ts has every neighbour).
    test('fails when the secret name has a character Secrets Manager does not take', () => {
      const stack = envStack();
      expect(
        () =>
          new RegistrySettings(stack, 'Registry', {
            pullThroughCacheRules: [
              new PullThroughCacheRule({
                ecrRepositoryPrefix: 'docker-hub',
                upstream: Upstream.dockerHub(dockerHubSecret(stack, 'ecr-pullthroughcache/docker hub')),
              }),
            ],
          }),
      ).toThrow(
        /^\[Registry\/Registry\] RegistrySettings: upstream credentials "ecr-pullthroughcache\/docker hub" \(secret Registry\/DockerHubToken, rule "docker-hub"\) has " ", which Secrets Manager does not take in a secret name/,
      );
    });
  });

  test('fails when a prefix is a token', () => {
    const stack = envStack();
    const token = deployTimeString(stack);
    expect(() => new PullThroughCacheRule({ ecrRepositoryPrefix: token, upstream: Upstream.quay() })).toThrow(
      /ecrRepositoryPrefix ".*" is a token: give the prefix as a literal/,
    );
    expect(
      () =>
        new RegistrySettings(stack, 'Registry', {
          repositoryCreationTemplates: [{ prefix: token, appliedFor: [RepositoryCreationTrigger.REPLICATION] }],
        }),
    ).toThrow(/prefix ".*" is a token: give the prefix as a literal/);
  });

  test('skips deploy-time values in filters, regions and secret names', () => {
    // GIVEN values only known at deploy time
    const stack = envStack();
    const region = deployTimeString(stack);
    const prefix = deployTimeString(stack);
    const filter = deployTimeString(stack);
    const secret = new secretsmanager.Secret(stack, 'Named', { secretName: deployTimeString(stack) });
    // WHEN
    new RegistrySettings(stack, 'Registry', {
      replicationRules: [{ destinations: [{ region }], repositoryPrefixes: [prefix] }],
      scanning: RegistryScanning.basic({ scanOnPushFilters: [filter] }),
      pullThroughCacheRules: [
        new PullThroughCacheRule({ ecrRepositoryPrefix: 'docker-hub', upstream: Upstream.dockerHub(secret) }),
      ],
    });
    // THEN they are rendered as references, and the unknown secret name is a warning
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECR::ReplicationConfiguration', {
      ReplicationConfiguration: {
        Rules: [
          {
            Destinations: [{ Region: { Ref: Match.anyValue() } }],
            RepositoryFilters: [{ Filter: { Ref: Match.anyValue() } }],
          },
        ],
      },
    });
    template.hasResourceProperties('AWS::ECR::RegistryScanningConfiguration', {
      Rules: [{ RepositoryFilters: [{ Filter: { Ref: Match.anyValue() }, FilterType: 'WILDCARD' }] }],
    });
    Annotations.fromStack(stack).hasWarning('/Registry/Registry', Match.stringLikeRegexp('only known at deploy time'));
  });

  describe('image helpers', () => {
    test('Docker Hub official images get library/', () => {
      const stack = envStack();
      const rule = new PullThroughCacheRule({
        ecrRepositoryPrefix: 'docker-hub',
        upstream: Upstream.dockerHub(dockerHubSecret(stack)),
      });
      new RegistrySettings(stack, 'Registry', { pullThroughCacheRules: [rule] });
      const uri = (image: string) => stack.resolve(rule.imageUri(image));
      const host = {
        'Fn::Join': ['', [`${ACCOUNT}.dkr.ecr.${REGION}.`, { Ref: 'AWS::URLSuffix' }, '/docker-hub/library/node:20']],
      };
      expect(uri('node:20')).toEqual(host);
      expect(uri('docker.io/library/node:20')).toEqual(host);
      expect(uri('registry-1.docker.io/node:20')).toEqual(host);
      expect(rule.repositoryName('bitnami/redis:7')).toBe('docker-hub/bitnami/redis');
      expect(rule.repositoryName('node')).toBe('docker-hub/library/node');
      expect(JSON.stringify(uri('node'))).toContain('/docker-hub/library/node:latest');
      const digest = 'sha256:' + 'a'.repeat(64);
      expect(JSON.stringify(uri(`node@${digest}`))).toContain(`/docker-hub/library/node@${digest}`);
      expect(JSON.stringify(stack.resolve(rule.registryPrefix))).toContain(`${ACCOUNT}.dkr.ecr.${REGION}.`);
    });

    test('other upstreams keep the name as it is', () => {
      const rule = new PullThroughCacheRule({ ecrRepositoryPrefix: 'ecr-public', upstream: Upstream.ecrPublic() });
      expect(rule.repositoryName('nginx')).toBe('ecr-public/nginx');
      expect(rule.repositoryName('public.ecr.aws/docker/library/node:20')).toBe('ecr-public/docker/library/node');
    });

    test('an unbound rule names the registry of the consuming stack', () => {
      const stack = new Stack(new App(), 'Agnostic');
      const rule = new PullThroughCacheRule({ ecrRepositoryPrefix: 'quay', upstream: Upstream.quay() });
      expect(stack.resolve(rule.imageUri('prometheus/node-exporter:v1'))).toEqual({
        'Fn::Join': [
          '',
          [
            { Ref: 'AWS::AccountId' },
            '.dkr.ecr.',
            { Ref: 'AWS::Region' },
            '.',
            { Ref: 'AWS::URLSuffix' },
            '/quay/prometheus/node-exporter:v1',
          ],
        ],
      });
    });

    test('importRepository names the cache repository in the registry', () => {
      const stack = envStack();
      const rule = new PullThroughCacheRule({
        ecrRepositoryPrefix: 'docker-hub',
        upstream: Upstream.dockerHub(dockerHubSecret(stack)),
      });
      new RegistrySettings(stack, 'Registry', { pullThroughCacheRules: [rule] });
      const repo = rule.importRepository(stack, 'Golang', 'golang:1.24');
      expect(repo.repositoryName).toBe('docker-hub/library/golang');
      expect(repo.env.account).toBe(ACCOUNT);
    });

    test.each([
      ['ghcr.io/x/y:1', /names registry ghcr.io, not the upstream of the rule \(registry-1.docker.io\)/],
      ['Node:20', /is not an image reference/],
      ['node:-x', /is not a valid tag/],
      ['node@sha256:abc', /has a malformed digest/],
      [`node:20@sha256:${'a'.repeat(64)}`, /has both a tag and a digest/],
    ])('fails for image %s', (image, error) => {
      const stack = envStack();
      const rule = new PullThroughCacheRule({
        ecrRepositoryPrefix: 'docker-hub',
        upstream: Upstream.dockerHub(dockerHubSecret(stack)),
      });
      expect(() => rule.imageUri(image)).toThrow(error);
    });

    test('fails for a token image', () => {
      const stack = envStack();
      const rule = new PullThroughCacheRule({ ecrRepositoryPrefix: 'quay', upstream: Upstream.quay() });
      expect(() => rule.imageUri(deployTimeString(stack))).toThrow(/image "\$\{Token.*" is a token/);
    });
  });

  describe('grantPullThroughCache', () => {
    test('grants import, create and pull on the cache prefix to a DockerBuildToEcr, with the prefix as build arg', () => {
      // GIVEN
      const stack = envStack();
      const rule = new PullThroughCacheRule({
        ecrRepositoryPrefix: 'docker-hub',
        upstream: Upstream.dockerHub(dockerHubSecret(stack)),
      });
      const registry = new RegistrySettings(stack, 'Registry', { pullThroughCacheRules: [rule] });
      // WHEN
      const image = new DockerBuildToEcr(stack, 'Image', {
        source: source(stack),
        buildArgs: { BASE_REGISTRY: rule.registryPrefix },
      });
      const grant = registry.grantPullThroughCache(image, 'docker-hub');
      // THEN
      expect(grant.success).toBe(true);
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp('^ImageRole') }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Action: [
                'ecr:BatchGetImage',
                'ecr:GetDownloadUrlForLayer',
                'ecr:BatchCheckLayerAvailability',
                'ecr:BatchImportUpstreamImage',
                'ecr:CreateRepository',
              ],
              Effect: 'Allow',
              Resource: {
                'Fn::Join': [
                  '',
                  ['arn:', { Ref: 'AWS::Partition' }, `:ecr:${REGION}:${ACCOUNT}:repository/docker-hub/*`],
                ],
              },
            },
          ]),
        },
      });
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp('^ImageRole') }],
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Action: 'ecr:GetAuthorizationToken', Resource: '*' })]),
        },
      });
      // the registry prefix reaches the build through an environment variable, never spliced into the buildspec
      const project = Object.values<any>(template.findResources('AWS::CodeBuild::Project'))[0];
      const buildSpec = JSON.parse(project.Properties.Source.BuildSpec);
      expect(buildSpec.phases.build.commands.join('\n')).toContain(
        `--build-arg 'BASE_REGISTRY='"$DOCKER_BUILD_ARG_BASE_REGISTRY"`,
      );
      expect(project.Properties.Environment.EnvironmentVariables).toEqual(
        expect.arrayContaining([
          {
            Name: 'DOCKER_BUILD_ARG_BASE_REGISTRY',
            Type: 'PLAINTEXT',
            Value: { 'Fn::Join': ['', [`${ACCOUNT}.dkr.ecr.${REGION}.`, { Ref: 'AWS::URLSuffix' }, '/docker-hub']] },
          },
        ]),
      );
      // the grant is a policy of its own on the build role, and only that policy carries the cdk-nag
      // suppression of the wildcards (with a reason); the role's default policy carries none of it
      const policies = template.findResources('AWS::IAM::Policy');
      const [cacheId] = Object.keys(policies).filter((id) => /^ImageRolePullThroughCachedockerhub/.test(id));
      expect(cacheId).toBeDefined();
      expect(policies[cacheId].Properties.Roles).toEqual([{ Ref: expect.stringMatching(/^ImageRole/) }]);
      expect(JSON.stringify(policies[cacheId].Metadata.cdk_nag.rules_to_suppress)).toContain(
        'repository\\\\/docker-hub\\\\/\\\\*',
      );
      // the construct's own policy does not hold it either
      const [ownId] = Object.keys(policies).filter((id) => /^ImageRoleBuildPolicy/.test(id));
      expect(ownId).toBeDefined();
      expect(JSON.stringify(policies[ownId])).not.toContain('docker-hub');
      expect(Object.keys(policies).filter((id) => /^ImageRoleDefaultPolicy/.test(id))).toEqual([]);
    });

    test('a wildcard a user adds to the role of a build that pulls through the cache is still reported by cdk-nag', () => {
      // GIVEN a DockerBuildToEcr granted the cache, and a user statement on "*" added to its role
      const stack = envStack();
      const rule = new PullThroughCacheRule({ ecrRepositoryPrefix: 'ecr-public', upstream: Upstream.ecrPublic() });
      const registry = new RegistrySettings(stack, 'Registry', { pullThroughCacheRules: [rule] });
      const image = new DockerBuildToEcr(stack, 'Image', {
        source: codebuild.Source.s3({ bucket: new s3.Bucket(stack, 'Sources'), path: 'app.zip' }),
      });
      registry.grantPullThroughCache(image, 'ecr-public');
      image.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: ['*'] }),
      );
      // WHEN cdk-nag checks the stack
      Aspects.of(stack).add(new AwsSolutionsChecks());
      // THEN the user's wildcard is an error
      const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-IAM5'));
      expect(errors.map((e) => e.id)).toEqual([expect.stringMatching(/Image\/Role\/DefaultPolicy/)]);
    });

    test('GoSampleBuild pulls its builder image through the cache', () => {
      // GIVEN
      const stack = envStack();
      const rule = new PullThroughCacheRule({
        ecrRepositoryPrefix: 'docker-hub',
        upstream: Upstream.dockerHub(dockerHubSecret(stack)),
      });
      const registry = new RegistrySettings(stack, 'Registry', { pullThroughCacheRules: [rule] });
      // WHEN
      const build = new GoSampleBuild(stack, 'Go', {
        source: source(stack),
        builderImage: BuilderImage.fromEcrRepository(rule.importRepository(stack, 'Golang', 'golang'), '1.24'),
      });
      registry.grantPullThroughCache(build, 'docker-hub');
      // THEN the project runs the cached image with the service role's credentials
      expect(build.imagePullCredentials).toBe(codebuild.ImagePullPrincipalType.SERVICE_ROLE);
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::CodeBuild::Project', {
        Environment: Match.objectLike({
          Image: {
            'Fn::Join': [
              '',
              [`${ACCOUNT}.dkr.ecr.${REGION}.`, { Ref: 'AWS::URLSuffix' }, '/docker-hub/library/golang:1.24'],
            ],
          },
          ImagePullCredentialsType: 'SERVICE_ROLE',
        }),
      });
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: Match.arrayWith(['ecr:BatchImportUpstreamImage', 'ecr:CreateRepository']),
              Resource: {
                'Fn::Join': [
                  '',
                  ['arn:', { Ref: 'AWS::Partition' }, `:ecr:${REGION}:${ACCOUNT}:repository/docker-hub/*`],
                ],
              },
            }),
          ]),
        },
      });
    });

    test('works on a role in another stack of the same environment', () => {
      const app = new App();
      const registryStack = envStack(app, 'RegistryStack');
      const buildStack = envStack(app, 'BuildStack');
      const registry = new RegistrySettings(registryStack, 'Registry', {
        pullThroughCacheRules: [
          new PullThroughCacheRule({ ecrRepositoryPrefix: 'ecr-public', upstream: Upstream.ecrPublic() }),
        ],
      });
      const role = new iam.Role(buildStack, 'Role', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
      registry.grantPullThroughCache(role, 'ecr-public');
      Template.fromStack(buildStack).hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Action: Match.arrayWith(['ecr:BatchImportUpstreamImage']), Resource: Match.anyValue() }),
          ]),
        },
      });
      Template.fromStack(registryStack).resourceCountIs('AWS::IAM::Policy', 0);
    });

    test('grants to a user (no cdk-nag suppression on policies this library does not know)', () => {
      const stack = envStack();
      const registry = new RegistrySettings(stack, 'Registry', {
        pullThroughCacheRules: [new PullThroughCacheRule({ ecrRepositoryPrefix: 'quay', upstream: Upstream.quay() })],
      });
      const user = new iam.User(stack, 'User');
      registry.grantPullThroughCache(user, 'quay');
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::IAM::Policy', {
        Users: [{ Ref: Match.stringLikeRegexp('^User') }],
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['ecr:BatchImportUpstreamImage']) })]),
        },
      });
      const policy = Object.values<any>(template.findResources('AWS::IAM::Policy'))[0];
      expect(policy.Metadata).toBeUndefined();
    });

    test('warns when the prefix is not a rule of the registry', () => {
      const stack = envStack();
      const registry = new RegistrySettings(stack, 'Registry');
      const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
      registry.grantPullThroughCache(role, 'elsewhere');
      Annotations.fromStack(stack).hasWarning(
        '/Registry/Registry',
        Match.stringLikeRegexp('ecrRepositoryPrefix "elsewhere" is not the prefix of a rule'),
      );
    });

    test('fails when the prefix is malformed', () => {
      const stack = envStack();
      const registry = new RegistrySettings(stack, 'Registry');
      const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
      expect(() => registry.grantPullThroughCache(role, 'Bad Prefix')).toThrow(
        /ecrRepositoryPrefix "Bad Prefix" is not a valid repository prefix/,
      );
    });
  });

  describe('repository creation templates', () => {
    test('renders every option', () => {
      // GIVEN
      const stack = envStack();
      const key = new kms.Key(stack, 'Key');
      const role = new iam.Role(stack, 'TemplateRole', { assumedBy: new iam.ServicePrincipal('ecr.amazonaws.com') });
      // WHEN
      new RegistrySettings(stack, 'Registry', {
        repositoryCreationTemplates: [
          {
            prefix: 'docker-hub',
            appliedFor: [RepositoryCreationTrigger.PULL_THROUGH_CACHE],
            description: 'cache of Docker Hub',
            imageTagMutability: ecr.TagMutability.MUTABLE,
            encryptionKey: key,
            customRole: role,
            resourceTags: { team: 'platform' },
            lifecycleRules: [
              { tagPrefixList: ['v'], maxImageCount: 10, description: 'keep 10 releases' },
              { tagStatus: ecr.TagStatus.TAGGED, tagPatternList: ['*'], maxImageAge: Duration.days(180) },
            ],
            repositoryPolicy: new iam.PolicyDocument({
              statements: [
                new iam.PolicyStatement({
                  actions: ['ecr:BatchGetImage'],
                  principals: [new iam.AccountPrincipal('222222222222')],
                }),
              ],
            }),
          },
          {
            prefix: 'ROOT',
            appliedFor: [RepositoryCreationTrigger.REPLICATION],
            lifecycleRules: [{ tagStatus: ecr.TagStatus.UNTAGGED, maxImageAge: Duration.days(7) }],
          },
        ],
      });
      // THEN
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::ECR::RepositoryCreationTemplate', {
        Prefix: 'docker-hub',
        AppliedFor: ['PULL_THROUGH_CACHE'],
        Description: 'cache of Docker Hub',
        ImageTagMutability: 'MUTABLE',
        EncryptionConfiguration: {
          EncryptionType: 'KMS',
          KmsKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
        },
        CustomRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TemplateRole'), 'Arn'] },
        ResourceTags: [{ Key: 'team', Value: 'platform' }],
        LifecyclePolicy: JSON.stringify({
          rules: [
            {
              rulePriority: 1,
              description: 'keep 10 releases',
              selection: {
                tagStatus: 'tagged',
                tagPrefixList: ['v'],
                countType: 'imageCountMoreThan',
                countNumber: 10,
              },
              action: { type: 'expire' },
            },
            {
              rulePriority: 2,
              selection: {
                tagStatus: 'tagged',
                tagPatternList: ['*'],
                countType: 'sinceImagePushed',
                countUnit: 'days',
                countNumber: 180,
              },
              action: { type: 'expire' },
            },
          ],
        }),
      });
      const docker = Object.values<any>(template.findResources('AWS::ECR::RepositoryCreationTemplate')).find(
        (r) => r.Properties.Prefix === 'docker-hub',
      );
      expect(JSON.stringify(docker.Properties.RepositoryPolicy)).toMatch(/ecr:BatchGetImage.*222222222222:root/);
      template.hasResourceProperties('AWS::ECR::RepositoryCreationTemplate', {
        Prefix: 'ROOT',
        AppliedFor: ['REPLICATION'],
        LifecyclePolicy: Match.stringLikeRegexp('"tagStatus":"untagged"'),
        EncryptionConfiguration: Match.absent(),
      });
    });

    test.each([
      ['UNTAGGED', { tagStatus: ecr.TagStatus.UNTAGGED, maxImageAge: Duration.days(1) }],
      ['ANY', { tagStatus: ecr.TagStatus.ANY, maxImageCount: 100 }],
      ['unset (any)', { maxImageCount: 100 }],
    ])('fails when a template for cache repositories expires untagged images (%s)', (_name, rule) => {
      const stack = envStack();
      expect(
        () =>
          new RegistrySettings(stack, 'Registry', {
            repositoryCreationTemplates: [
              {
                prefix: 'docker-hub',
                appliedFor: [RepositoryCreationTrigger.PULL_THROUGH_CACHE, RepositoryCreationTrigger.REPLICATION],
                lifecycleRules: [rule],
              },
            ],
          }),
      ).toThrow(
        /lifecycleRules .* expires untagged images in pull-through cache repositories.*use rules on tagged images only/,
      );
    });

    test('warns when KMS or tags come without customRole', () => {
      const stack = envStack();
      new RegistrySettings(stack, 'Registry', {
        repositoryCreationTemplates: [
          { prefix: 'quay', appliedFor: [RepositoryCreationTrigger.PULL_THROUGH_CACHE], resourceTags: { a: 'b' } },
        ],
      });
      Annotations.fromStack(stack).hasWarning(
        '/Registry/Registry',
        Match.stringLikeRegexp('sets resourceTags without customRole'),
      );
    });

    test.each([
      [
        { prefix: 'Bad', appliedFor: [RepositoryCreationTrigger.REPLICATION] },
        /prefix "Bad" is not a valid repository creation template prefix/,
      ],
      [{ prefix: 'quay', appliedFor: [] }, /appliedFor \[\] is empty/],
      [
        { prefix: 'quay', appliedFor: [RepositoryCreationTrigger.REPLICATION, RepositoryCreationTrigger.REPLICATION] },
        /appliedFor "REPLICATION" is given as trigger more than once/,
      ],
      [
        { prefix: 'quay', appliedFor: [RepositoryCreationTrigger.REPLICATION], description: 'x'.repeat(257) },
        /description "257 characters" are more than ECR allows in the description of a repository creation template \(256\)/,
      ],
      [
        {
          prefix: 'quay',
          appliedFor: [RepositoryCreationTrigger.REPLICATION],
          lifecycleRules: [{ maxImageCount: 1, maxImageAge: Duration.days(1) }],
        },
        /needs exactly one of maxImageCount and maxImageAge/,
      ],
      [
        {
          prefix: 'quay',
          appliedFor: [RepositoryCreationTrigger.REPLICATION],
          lifecycleRules: [{ tagStatus: ecr.TagStatus.TAGGED, maxImageCount: 1 }],
        },
        /needs tagPrefixList or tagPatternList/,
      ],
      [
        {
          prefix: 'quay',
          appliedFor: [RepositoryCreationTrigger.REPLICATION],
          lifecycleRules: [{ tagStatus: ecr.TagStatus.UNTAGGED, tagPrefixList: ['v'], maxImageCount: 1 }],
        },
        /cannot take tagPrefixList or tagPatternList/,
      ],
      [
        { prefix: 'quay', appliedFor: [RepositoryCreationTrigger.REPLICATION], lifecycleRules: [{ maxImageCount: 0 }] },
        /lifecycleRules 0 is not a valid maxImageCount/,
      ],
      [
        {
          prefix: 'quay',
          appliedFor: [RepositoryCreationTrigger.REPLICATION],
          lifecycleRules: [{ maxImageCount: 5 }, { tagPrefixList: ['v'], maxImageCount: 1 }],
        },
        /"TagStatus.ANY" is the tag status of a rule without the highest rulePriority, and ECR evaluates that rule last/,
      ],
      [
        {
          prefix: 'quay',
          appliedFor: [RepositoryCreationTrigger.REPLICATION],
          lifecycleRules: [
            { rulePriority: 1, tagPrefixList: ['a'], maxImageCount: 5 },
            { rulePriority: 1, tagPrefixList: ['b'], maxImageCount: 1 },
          ],
        },
        /rulePriority 1" is used by two rules/,
      ],
    ])('fails for template %#', (template, error) => {
      expect(
        () => new RegistrySettings(envStack(), 'Registry', { repositoryCreationTemplates: [template as any] }),
      ).toThrow(error);
    });

    test('fails when a lifecycle rule has a deploy-time value or a partial day', () => {
      const stack = envStack();
      const count = new CfnParameter(stack, 'Count', { type: 'Number' }).valueAsNumber;
      const template = (rule: ecr.LifecycleRule) => ({
        repositoryCreationTemplates: [
          { prefix: 'quay', appliedFor: [RepositoryCreationTrigger.REPLICATION], lifecycleRules: [rule] },
        ],
      });
      expect(() => new RegistrySettings(envStack(), 'R1', template({ maxImageCount: count }))).toThrow(
        /lifecycleRules "\(a rule\)" has a value only known at deploy time/,
      );
      expect(
        () =>
          new RegistrySettings(
            envStack(),
            'R2',
            template({ tagPrefixList: [deployTimeString(stack)], maxImageCount: 1 }),
          ),
      ).toThrow(/only known at deploy time/);
      expect(() => new RegistrySettings(envStack(), 'R3', template({ maxImageAge: Duration.hours(36) }))).toThrow(
        /lifecycleRules 36 hours is not a whole number of days/,
      );
    });

    test('fails when two templates share a prefix', () => {
      expect(
        () =>
          new RegistrySettings(envStack(), 'Registry', {
            repositoryCreationTemplates: [
              { prefix: 'quay', appliedFor: [RepositoryCreationTrigger.REPLICATION] },
              { prefix: 'quay', appliedFor: [RepositoryCreationTrigger.PULL_THROUGH_CACHE] },
            ],
          }),
      ).toThrow(/repositoryCreationTemplates "quay" is given as prefix more than once/);
    });

    function withTemplate(template: Partial<RepositoryCreationTemplate>) {
      return () =>
        new RegistrySettings(envStack(), 'Registry', {
          repositoryCreationTemplates: [
            { prefix: 'quay', appliedFor: [RepositoryCreationTrigger.REPLICATION], ...template },
          ],
        });
    }

    // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_Tag.html: keys of at most 128
    // characters, values of at most 256; https://docs.aws.amazon.com/tag-editor/latest/userguide/reference.html:
    // keys can't begin with aws: (reserved for AWS use). test/private/registry/validation.test.ts has
    // every neighbour (50 tags, empty key, case of the prefix).
    test.each<[string, Record<string, string>, RegExp]>([
      [
        'a tag key of 129 characters',
        { ['k'.repeat(129)]: 'v' },
        /^\[Registry\/Registry\] RegistrySettings: resourceTags key "k{129}" has 129 characters: use a tag key of 1-128 characters$/,
      ],
      [
        'a tag value of 257 characters',
        { team: 'v'.repeat(257) },
        /^\[Registry\/Registry\] RegistrySettings: resourceTags\["team"\] "257 characters" are more than ECR allows in a tag value \(256\): /,
      ],
      [
        'the reserved aws: prefix',
        { 'aws:cost-center': '42' },
        /^\[Registry\/Registry\] RegistrySettings: resourceTags key "aws:cost-center" starts with "aws:", which AWS reserves for its own tags: choose a key without the "aws:" prefix \(e\.g\. "team" or "cost-center"\)$/,
      ],
    ])('fails for %s in resourceTags', (_, resourceTags, error) => {
      expect(withTemplate({ resourceTags, customRole: undefined })).toThrow(error);
    });

    // Same pages: the boundaries are accepted and rendered.
    test('accepts a tag key of 128 and a value of 256 characters', () => {
      const stack = envStack();
      const resourceTags = { ['k'.repeat(128)]: 'v'.repeat(256), team: '' };
      new RegistrySettings(stack, 'Registry', {
        repositoryCreationTemplates: [
          { prefix: 'quay', appliedFor: [RepositoryCreationTrigger.REPLICATION], resourceTags },
        ],
      });
      Template.fromStack(stack).hasResourceProperties('AWS::ECR::RepositoryCreationTemplate', {
        ResourceTags: [
          { Key: 'k'.repeat(128), Value: 'v'.repeat(256) },
          { Key: 'team', Value: '' },
        ],
      });
    });

    // https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html: at most
    // four wildcards per tag pattern; tagged rules need a (non-empty) tag list; rulePriority an
    // integer from 1. ecr.Repository refuses the same rules, and tagPrefixList with tagPatternList
    // (test/private/registry/lifecycle.test.ts asserts each against ecr.Repository).
    test.each<[string, ecr.LifecycleRule, RegExp]>([
      [
        'a tag pattern with 5 wildcards',
        { tagPatternList: ['a*b*c*d*e*'], maxImageCount: 1 },
        /^\[Registry\/Registry\] RegistrySettings: lifecycleRules tagPatternList "a\*b\*c\*d\*e\*" has 5 wildcards \("\*"\), more than ECR takes in a tag pattern \(4\): /,
      ],
      [
        'tagPrefixList and tagPatternList together',
        { tagPrefixList: ['v'], tagPatternList: ['v*'], maxImageCount: 1 },
        /lifecycleRules "\(a rule\)" has both tagPrefixList and tagPatternList, which ECR does not take in one rule/,
      ],
      [
        'TAGGED with an empty tag list',
        { tagStatus: ecr.TagStatus.TAGGED, tagPatternList: [], maxImageCount: 1 },
        /"TagStatus\.TAGGED" needs tagPrefixList or tagPatternList, and the list given is empty/,
      ],
      [
        'rulePriority 0',
        { rulePriority: 0, tagPrefixList: ['v'], maxImageCount: 1 },
        /lifecycleRules 0 is not a valid rulePriority/,
      ],
    ])('fails for a lifecycle rule with %s', (_, rule, error) => {
      expect(withTemplate({ lifecycleRules: [rule] })).toThrow(error);
    });

    test('accepts a tag pattern with 4 wildcards', () => {
      expect(withTemplate({ lifecycleRules: [{ tagPatternList: ['*a*b*c*'], maxImageCount: 1 }] })).not.toThrow();
    });
  });

  describe('once per account and region', () => {
    test('fails for two in one environment, even in different stacks and stages', () => {
      const app = new App();
      new RegistrySettings(envStack(app, 'A'), 'Registry');
      const stage = new Stage(app, 'Prod');
      expect(() => new RegistrySettings(envStack(stage as any, 'B'), 'Registry')).toThrow(
        /^\[Prod\/B\/Registry\] RegistrySettings: account\/region "111111111111\/us-east-1" already has RegistrySettings A\/Registry in this app/,
      );
    });

    test('accepts one per environment', () => {
      const app = new App();
      new RegistrySettings(envStack(app, 'A'), 'Registry');
      new RegistrySettings(envStack(app, 'B', ACCOUNT, 'eu-west-1'), 'Registry');
      new RegistrySettings(envStack(app, 'C', '222222222222', REGION), 'Registry');
      expect(app.synth().stacks.length).toBe(3);
    });

    test('fails for one in an environment-agnostic stack next to any other', () => {
      const app = new App();
      new RegistrySettings(envStack(app, 'A'), 'Registry');
      expect(() => new RegistrySettings(new Stack(app, 'Agnostic'), 'Registry')).toThrow(
        /account\/region "\(unknown at synth\)" is that of an environment-agnostic stack, which can be deployed to the environment of RegistrySettings A\/Registry/,
      );
      const app2 = new App();
      new RegistrySettings(new Stack(app2, 'Agnostic'), 'Registry');
      expect(() => new RegistrySettings(envStack(app2, 'A'), 'Registry')).toThrow(
        /already has RegistrySettings Agnostic\/Registry in this app/,
      );
    });

    test('separate apps do not see each other', () => {
      new RegistrySettings(envStack(new App(), 'A'), 'Registry');
      expect(() => new RegistrySettings(envStack(new App(), 'A'), 'Registry')).not.toThrow();
    });
  });
});

/** A string only known at deploy time (a CloudFormation parameter). */
function deployTimeString(stack: Stack): string {
  return new CfnParameter(stack, `P${stack.node.children.length}`, { type: 'String' }).valueAsString;
}

/**
 * The format of every error (ARCHITECTURE.md, `propError`): `[path] Class: prop value problem: fix`
 * where a construct received the value, `Class.method: prop value problem: fix` for a value type's
 * factory (no scope yet), `Class: …` for a value type's constructor.
 */
describe('error format', () => {
  test('RegistrySettings: [path] RegistrySettings: prop value problem: fix', () => {
    const stack = envStack();
    expect(
      () => new RegistrySettings(stack, 'Registry', { replicationRules: [{ destinations: [{ region: 'Europe' }] }] }),
    ).toThrow(
      /^\[Registry\/Registry\] RegistrySettings: destinations\.region "Europe" is not an AWS region name: use a region such as "eu-west-1" or "us-east-2"$/,
    );
    const registry = new RegistrySettings(envStack(new App()), 'Registry');
    const role = new iam.Role(registry, 'Role', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    expect(() => registry.grantPullThroughCache(role, 'Bad')).toThrow(
      /^\[Registry\/Registry\] RegistrySettings: ecrRepositoryPrefix "Bad" is not a valid repository prefix: use .+ \(e\.g\. "docker-hub" or "cache\/quay"\)$/,
    );
  });

  test('PullThroughCacheRule (no scope): PullThroughCacheRule[.method]: prop value problem: fix', () => {
    expect(() => new PullThroughCacheRule({ ecrRepositoryPrefix: 'x', upstream: Upstream.quay() })).toThrow(
      /^PullThroughCacheRule: ecrRepositoryPrefix "x" has 1 character: use 2-30 characters, e\.g\. "docker-hub"$/,
    );
    const rule = new PullThroughCacheRule({ ecrRepositoryPrefix: 'quay', upstream: Upstream.quay() });
    expect(() => rule.imageUri('docker.io/node')).toThrow(
      /^PullThroughCacheRule\.imageUri: image "docker\.io\/node" names registry docker\.io, not the upstream of the rule \(quay\.io\): give the image of quay\.io without a host \(e\.g\. "node:20"\), or use the rule of docker\.io$/,
    );
    expect(() => rule.imageUri('node:bad!')).toThrow(
      /^PullThroughCacheRule\.imageUri: image "bad!" is not a valid tag: use 1-128 of \[A-Za-z0-9_\.-\], not starting with \. or -$/,
    );
    expect(() => rule.repositoryName('Node')).toThrow(
      /^PullThroughCacheRule\.repositoryName: image "Node" is not an image reference: /,
    );
    expect(() => rule.importRepository(new Stack(), 'Repo', 'node@sha256:1')).toThrow(
      /^PullThroughCacheRule\.importRepository: image "node@sha256:1" has a malformed digest: use "@sha256:" followed by 64 lowercase hex digits$/,
    );
  });

  test('RegistryScanning (no scope): RegistryScanning.method: prop value problem: fix', () => {
    expect(() => RegistryScanning.basic({ scanOnPushFilters: ['Prod'] })).toThrow(
      /^RegistryScanning\.basic: scanOnPushFilters "Prod" is not a registry scanning filter: use 1-255 lowercase letters, .+ \(e\.g\. "prod-\*" or "\*"\)$/,
    );
    expect(() => RegistryScanning.enhanced({ continuousScanFilters: ['-x'] })).toThrow(
      /^RegistryScanning\.enhanced: continuousScanFilters "-x" is not a registry scanning filter: /,
    );
  });
});

describe('logical ids (frozen: a change replaces the registry-wide resources in every user stack)', () => {
  test('of every resource kind', () => {
    const stack = envStack();
    new RegistrySettings(stack, 'Registry', {
      replicationRules: [{ destinations: [{ region: 'eu-west-1' }] }],
      replicationSourceAccountIds: ['222222222222'],
      scanning: RegistryScanning.basic(),
      pullThroughCacheRules: [
        new PullThroughCacheRule({ ecrRepositoryPrefix: 'ecr-public', upstream: Upstream.ecrPublic() }),
      ],
      repositoryCreationTemplates: [
        { prefix: 'ecr-public', appliedFor: [RepositoryCreationTrigger.PULL_THROUGH_CACHE] },
      ],
    });
    expect(Object.keys(Template.fromStack(stack).toJSON().Resources).sort()).toEqual([
      'RegistryCreationTemplateecrpublic118AB4F4',
      'RegistryPullThroughCacheecrpublicE88CEC0C',
      'RegistryRegistryPolicy78921FC9',
      'RegistryReplicationD9FDE45D',
      'RegistryScanning6CEAD07B',
    ]);
  });
});
