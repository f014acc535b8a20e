import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  CacheRuleInputs,
  RegistrySettingsInputs,
  resolvePullThroughCacheGrant,
  resolvePullThroughCacheRule,
  resolveRegistrySettings,
} from '../../../src/private/registry/resolve';
import { RegistryScanning } from '../../../src/registry-scanning';
import { Upstream } from '../../../src/upstream';

/** The construct whose props are resolved: only its path and class name reach the messages. */
class Registry extends Construct {}

const ACCOUNT = '111111111111';

function setup() {
  const stack = new Stack(new App(), 'Stack', { env: { account: ACCOUNT, region: 'us-east-1' } });
  return { stack, scope: new Registry(stack, 'Registry') };
}

function resolve(props: RegistrySettingsInputs = {}) {
  const { stack, scope } = setup();
  return { stack, scope, inputs: resolveRegistrySettings(scope, props) };
}

function rule(prefix: string, upstream = Upstream.quay()): CacheRuleInputs {
  return { ecrRepositoryPrefix: prefix, upstream };
}

function token(stack: Stack): string {
  return new CfnParameter(stack, `P${stack.node.children.length}`, { type: 'String' }).valueAsString;
}

describe('resolveRegistrySettings', () => {
  test('applies the defaults: nothing managed, no rules, no templates, no warnings', () => {
    expect(resolve().inputs).toEqual({
      replicationRules: undefined,
      registryPolicyAccountIds: undefined,
      scanning: undefined,
      pullThroughCacheRules: [],
      creationTemplates: [],
      warnings: [],
    });
  });

  test('a destination is in the registry account by default; prefixes become PREFIX_MATCH filters', () => {
    const { inputs } = resolve({
      replicationRules: [
        { destinations: [{ region: 'eu-west-1' }, { region: 'us-east-1', accountId: '222222222222' }] },
        { destinations: [{ region: 'eu-west-2' }], repositoryPrefixes: ['prod/'] },
      ],
    });
    expect(inputs.replicationRules).toEqual([
      {
        destinations: [
          { region: 'eu-west-1', registryId: ACCOUNT },
          { region: 'us-east-1', registryId: '222222222222' },
        ],
      },
      {
        destinations: [{ region: 'eu-west-2', registryId: ACCOUNT }],
        repositoryFilters: [{ filter: 'prod/', filterType: 'PREFIX_MATCH' }],
      },
    ]);
  });

  test('renders the scanning configuration and a creation template without options', () => {
    const { inputs } = resolve({
      scanning: RegistryScanning.basic(),
      repositoryCreationTemplates: [{ prefix: 'ROOT', appliedFor: ['REPLICATION'] }],
    });
    expect(inputs.scanning).toEqual({
      ScanType: 'BASIC',
      Rules: [{ ScanFrequency: 'SCAN_ON_PUSH', RepositoryFilters: [{ Filter: '*', FilterType: 'WILDCARD' }] }],
    });
    expect(inputs.creationTemplates).toEqual([
      {
        prefix: 'ROOT',
        appliedFor: ['REPLICATION'],
        description: undefined,
        imageTagMutability: undefined,
        encryptionConfiguration: undefined,
        lifecyclePolicy: undefined,
        repositoryPolicy: undefined,
        resourceTags: undefined,
        customRoleArn: undefined,
      },
    ]);
  });

  test('skips tokens: a deploy-time region, prefix and description are not checked', () => {
    const { stack, scope } = setup();
    const inputs = resolveRegistrySettings(scope, {
      replicationRules: [{ destinations: [{ region: token(stack) }], repositoryPrefixes: [token(stack)] }],
      repositoryCreationTemplates: [{ prefix: 'quay', appliedFor: ['REPLICATION'], description: token(stack) }],
    });
    expect(inputs.replicationRules?.[0].destinations).toHaveLength(1);
    expect(inputs.creationTemplates).toHaveLength(1);
  });

  test('a rule given twice is resolved once; a token secret name is a warning, before the templates', () => {
    const { stack, scope } = setup();
    const secret = new secretsmanager.Secret(stack, 'Named', { secretName: token(stack) });
    const quay = rule('quay');
    const inputs = resolveRegistrySettings(scope, {
      pullThroughCacheRules: [quay, quay, rule('docker-hub', Upstream.dockerHub(secret))],
      repositoryCreationTemplates: [
        { prefix: 'quay', appliedFor: ['PULL_THROUGH_CACHE'], encryptionKey: new kms.Key(stack, 'Key') },
      ],
    });
    expect(inputs.pullThroughCacheRules.map((r) => r.rule.ecrRepositoryPrefix)).toEqual(['quay', 'docker-hub']);
    expect(inputs.pullThroughCacheRules[0].properties).toEqual({
      ecrRepositoryPrefix: 'quay',
      upstreamRegistry: 'quay',
      upstreamRegistryUrl: 'quay.io',
      credentialArn: undefined,
    });
    expect(inputs.warnings.map((w) => w.id)).toEqual(['credentialsSecretNameUnknown', 'creationTemplateWithoutRole']);
    expect(inputs.warnings[1].message).toMatch(/"quay" sets encryptionKey without customRole/);
  });

  test('fails for a second registry in the same environment', () => {
    const { stack } = setup();
    resolveRegistrySettings(new Registry(stack, 'First'), {});
    expect(() => resolveRegistrySettings(new Registry(stack, 'Second'), {})).toThrow(
      /^\[Stack\/Second\] Registry: account\/region "111111111111\/us-east-1" already has RegistrySettings Stack\/First in this app/,
    );
  });

  test.each<[string, RegistrySettingsInputs, RegExp]>([
    [
      'more than 10 rules',
      { replicationRules: Array(11).fill({ destinations: [{ region: 'eu-west-1' }] }) },
      /^\[Stack\/Registry\] Registry: replicationRules "11 rules" are more than ECR allows in a replication configuration \(10\)/,
    ],
    [
      'a rule without destination',
      { replicationRules: [{ destinations: [] }] },
      /destinations \[\] leaves a replication rule without a destination/,
    ],
    [
      'a wildcard prefix',
      { replicationRules: [{ destinations: [{ region: 'eu-west-1' }], repositoryPrefixes: ['prod-*'] }] },
      /repositoryPrefixes "prod-\*" is not a replication repository filter/,
    ],
    [
      'more than 100 prefixes',
      {
        replicationRules: [
          {
            destinations: [{ region: 'eu-west-1' }],
            repositoryPrefixes: Array.from({ length: 101 }, (_, i) => `p${i}`),
          },
        ],
      },
      /repositoryPrefixes "101 prefixes" are more than ECR allows in one replication rule \(100\)/,
    ],
    [
      'a malformed region',
      { replicationRules: [{ destinations: [{ region: 'Europe' }] }] },
      /destinations.region "Europe" is not an AWS region name/,
    ],
    [
      'a malformed account',
      { replicationRules: [{ destinations: [{ region: 'eu-west-1', accountId: '12' }] }] },
      /destinations.accountId "12" is not an AWS account id/,
    ],
    [
      'the registry itself',
      { replicationRules: [{ destinations: [{ region: 'us-east-1' }] }] },
      /destinations "us-east-1" is the registry itself \(account 111111111111, region us-east-1\)/,
    ],
    [
      'more than 100 destinations in a rule',
      {
        replicationRules: [
          {
            destinations: Array.from({ length: 101 }, (_, i) => ({
              region: 'eu-west-1',
              accountId: `${200000000000 + i}`,
            })),
          },
        ],
      },
      /destinations "101 destinations" are more than ECR allows in one replication rule \(100\)/,
    ],
    [
      'an empty prefix list',
      { replicationRules: [{ destinations: [{ region: 'eu-west-1' }], repositoryPrefixes: [] }] },
      /repositoryPrefixes \[\] is empty, and a rule without filters replicates every repository/,
    ],
    [
      'a destination twice in a rule',
      { replicationRules: [{ destinations: [{ region: 'eu-west-1' }, { region: 'eu-west-1' }] }] },
      /destinations "eu-west-1\/111111111111" is given twice in one replication rule/,
    ],
    ['no source account', { replicationSourceAccountIds: [] }, /replicationSourceAccountIds \[\] is empty/],
    [
      'a malformed source account',
      { replicationSourceAccountIds: ['x'] },
      /replicationSourceAccountIds "x" is not an AWS account id/,
    ],
    [
      'a source account twice',
      { replicationSourceAccountIds: ['222222222222', '222222222222'] },
      /replicationSourceAccountIds "222222222222" is given as account more than once/,
    ],
    [
      'the registry account as source',
      { replicationSourceAccountIds: [ACCOUNT] },
      /replicationSourceAccountIds "111111111111" is the account of the registry/,
    ],
    [
      'two rules with one prefix',
      { pullThroughCacheRules: [rule('cache'), rule('cache', Upstream.ecrPublic())] },
      /pullThroughCacheRules "cache" is the prefix of two rules/,
    ],
    [
      'more than 50 rules',
      { pullThroughCacheRules: Array.from({ length: 51 }, (_, i) => rule(`quay${i}`)) },
      /pullThroughCacheRules "51 rules" are more than ECR allows in one registry \(50\)/,
    ],
    [
      'two templates with one prefix',
      {
        repositoryCreationTemplates: [
          { prefix: 'quay', appliedFor: ['REPLICATION'] },
          { prefix: 'quay', appliedFor: ['PULL_THROUGH_CACHE'] },
        ],
      },
      /repositoryCreationTemplates "quay" is given as prefix more than once/,
    ],
    [
      'a malformed template prefix',
      { repositoryCreationTemplates: [{ prefix: 'Bad', appliedFor: ['REPLICATION'] }] },
      /prefix "Bad" is not a valid repository creation template prefix/,
    ],
    [
      'a template for nothing',
      { repositoryCreationTemplates: [{ prefix: 'quay', appliedFor: [] }] },
      /appliedFor \[\] is empty/,
    ],
    [
      'a trigger twice',
      { repositoryCreationTemplates: [{ prefix: 'quay', appliedFor: ['REPLICATION', 'REPLICATION'] }] },
      /appliedFor "REPLICATION" is given as trigger more than once/,
    ],
    [
      'a long description',
      { repositoryCreationTemplates: [{ prefix: 'quay', appliedFor: ['REPLICATION'], description: 'x'.repeat(257) }] },
      /description "257 characters" are more than ECR allows in the description of a repository creation template \(256\)/,
    ],
    [
      'untagged images expired in cache repositories',
      {
        repositoryCreationTemplates: [
          { prefix: 'quay', appliedFor: ['PULL_THROUGH_CACHE'], lifecycleRules: [{ maxImageCount: 5 }] },
        ],
      },
      /lifecycleRules "tagStatus ANY" of the creation template for "quay" expires untagged images/,
    ],
    [
      'a malformed lifecycle rule',
      {
        repositoryCreationTemplates: [
          {
            prefix: 'quay',
            appliedFor: ['REPLICATION'],
            lifecycleRules: [{ tagStatus: ecr.TagStatus.TAGGED, maxImageCount: 1 }],
          },
        ],
      },
      /lifecycleRules "TagStatus.TAGGED" needs tagPrefixList or tagPatternList/,
    ],
    [
      'errors of the rules before those of the templates',
      {
        pullThroughCacheRules: [rule('cache'), rule('cache')],
        repositoryCreationTemplates: [{ prefix: 'Bad', appliedFor: ['REPLICATION'] }],
      },
      /pullThroughCacheRules "cache" is the prefix of two rules/,
    ],
  ])('fails for %s', (_, props, error) => {
    expect(() => resolve(props)).toThrow(error);
  });

  test('fails for a template prefix that is a token', () => {
    const { stack, scope } = setup();
    expect(() =>
      resolveRegistrySettings(scope, {
        repositoryCreationTemplates: [{ prefix: token(stack), appliedFor: ['REPLICATION'] }],
      }),
    ).toThrow(/prefix ".*" is a token: give the prefix as a literal/);
  });
});

describe('resolvePullThroughCacheRule', () => {
  test('is undefined for a rule the registry has', () => {
    const { scope } = setup();
    const quay = rule('quay');
    expect(resolvePullThroughCacheRule(scope, quay, [quay])).toBeUndefined();
  });

  test('fails for a rule of another registry', () => {
    const { stack, scope } = setup();
    const other = new Registry(stack, 'Other');
    expect(() => resolvePullThroughCacheRule(scope, { ...rule('quay'), _registry: other }, [])).toThrow(
      /^\[Stack\/Registry\] Registry: pullThroughCacheRules "quay" is already a rule of Stack\/Other/,
    );
    expect(resolvePullThroughCacheRule(scope, { ...rule('quay'), _registry: scope }, [])).toBeDefined();
  });

  test('fails for credentials ECR does not accept', () => {
    const { stack, scope } = setup();
    const unnamed = new secretsmanager.Secret(stack, 'Unnamed');
    const misnamed = secretsmanager.Secret.fromSecretNameV2(stack, 'Misnamed', 'docker-hub');
    expect(() => resolvePullThroughCacheRule(scope, rule('dh', Upstream.dockerHub(unnamed)), [])).toThrow(
      /upstream credentials "Stack\/Unnamed" \(rule "dh"\) has no secretName/,
    );
    expect(() => resolvePullThroughCacheRule(scope, rule('dh', Upstream.dockerHub(misnamed)), [])).toThrow(
      /upstream credentials "docker-hub" .* does not start with "ecr-pullthroughcache\/"/,
    );
  });
});

describe('resolvePullThroughCacheRule: credentials', () => {
  // https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache.html
  // An upstream that requires authentication, built without the Upstream factories (JavaScript):
  // the registry checks it too.
  test('fails for Docker Hub without a secret', () => {
    const { scope } = setup();
    const upstream = { registryType: 'docker-hub', registryUrl: 'registry-1.docker.io' } as unknown as Upstream;
    expect(() => resolvePullThroughCacheRule(scope, rule('dh', upstream), [])).toThrow(
      /^\[Stack\/Registry\] Registry: upstream credentials of rule "dh" \(undefined\) leaves Docker Hub without credentials, and ECR pulls from Docker Hub only with a Secrets Manager secret: /,
    );
  });
});

describe('resolvePullThroughCacheGrant', () => {
  test('warns for a prefix that is no rule of the registry', () => {
    const { scope } = setup();
    expect(resolvePullThroughCacheGrant(scope, 'quay', [rule('quay')])).toEqual([]);
    const [warning] = resolvePullThroughCacheGrant(scope, 'docker-hub', [rule('quay')]);
    expect(warning.id).toBe('unknownCachePrefix');
    expect(warning.message).toMatch(/"docker-hub" is not the prefix of a rule of Stack\/Registry \(quay\)/);
  });

  test('fails for a malformed prefix', () => {
    const { scope } = setup();
    expect(() => resolvePullThroughCacheGrant(scope, 'X', [])).toThrow(
      /ecrRepositoryPrefix "X" has 1 character: use 2-30 characters/,
    );
  });
});
