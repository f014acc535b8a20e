import { App, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as signer from 'aws-cdk-lib/aws-signer';
import {
  PullThroughCacheRule,
  RegistrySettings,
  RegistrySigning,
  RepositoryCreationTrigger,
  SigningRule,
  Upstream,
} from '../src';

/**
 * RegistrySettings in the AWS of 2026 (issue 22, part 5): managed signing, create on push,
 * Chainguard and ECR to ECR upstreams. Each rule's label names the page it comes from.
 */

const ACCOUNT = '111111111111';
const REGION = 'us-east-1';

function envStack(app = new App(), id = 'Registry', account = ACCOUNT, region = REGION): Stack {
  return new Stack(app, id, { env: { account, region } });
}

function notationProfile(stack: Stack, id = 'Profile'): signer.SigningProfile {
  return new signer.SigningProfile(stack, id, { platform: signer.Platform.NOTATION_OCI_SHA384_ECDSA });
}

function token(stack: Stack): string {
  return new CfnParameter(stack, `P${stack.node.children.length}`, { type: 'String' }).valueAsString;
}

function pullThroughCacheRole(stack: Stack, id = 'PtcRole'): iam.Role {
  return new iam.Role(stack, id, { assumedBy: new iam.ServicePrincipal('pullthroughcache.ecr.amazonaws.com') });
}

describe('signing (RegistrySigning.managed -> AWS::ECR::SigningConfiguration)', () => {
  test('renders each rule: the profile ARN, filters as WILDCARD_MATCH, none without filters', () => {
    // GIVEN
    const stack = envStack();
    const prod = notationProfile(stack, 'Prod');
    const all = notationProfile(stack, 'All');
    // WHEN
    const registry = new RegistrySettings(stack, 'Registry', {
      signing: RegistrySigning.managed([
        { signingProfile: prod, repositoryFilters: ['prod/*', '*-service'] },
        { signingProfile: all },
      ]),
    });
    // THEN
    expect(registry.signingConfiguration?.cfnResourceType).toBe('AWS::ECR::SigningConfiguration');
    Template.fromStack(stack).hasResourceProperties('AWS::ECR::SigningConfiguration', {
      Rules: [
        {
          SigningProfileArn: stack.resolve(prod.signingProfileArn),
          RepositoryFilters: [
            { Filter: 'prod/*', FilterType: 'WILDCARD_MATCH' },
            { Filter: '*-service', FilterType: 'WILDCARD_MATCH' },
          ],
        },
        { SigningProfileArn: stack.resolve(all.signingProfileArn), RepositoryFilters: Match.absent() },
      ],
    });
  });

  test('creates no signing configuration without signing', () => {
    const stack = envStack();
    const registry = new RegistrySettings(stack, 'Registry');
    expect(registry.signingConfiguration).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::ECR::SigningConfiguration', 0);
  });

  test('the logical id is frozen', () => {
    const stack = envStack();
    new RegistrySettings(stack, 'Registry', {
      signing: RegistrySigning.managed([{ signingProfile: notationProfile(stack) }]),
    });
    expect(Object.keys(Template.fromStack(stack).findResources('AWS::ECR::SigningConfiguration'))).toEqual([
      'RegistrySigning2384E489',
    ]);
  });

  test("the rules are copied: a later change of the caller's array changes nothing", () => {
    const stack = envStack();
    const rules: SigningRule[] = [{ signingProfile: notationProfile(stack), repositoryFilters: ['prod/*'] }];
    const signing = RegistrySigning.managed(rules);
    rules[0].repositoryFilters!.push('Bad');
    expect(signing.rules[0].repositoryFilters).toEqual(['prod/*']);
  });

  // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutSigningConfiguration.html
  // (SigningConfiguration.rules: "Maximum of 10 rules"; the CloudFormation schema says 50, ECR takes 10)
  // and https://docs.aws.amazon.com/AmazonECR/latest/userguide/managed-signing.html ("up to 10 per registry").
  test('accepts 10 rules, the most', () => {
    const stack = envStack();
    const profile = notationProfile(stack);
    const rules = Array.from({ length: 10 }, (_, i) => ({
      signingProfile: profile,
      repositoryFilters: [`team${i}/*`],
    }));
    expect(RegistrySigning.managed(rules).rules).toHaveLength(RegistrySigning.MAX_RULES);
  });

  test('fails for 11 rules', () => {
    const stack = envStack();
    const profile = notationProfile(stack);
    const rules = Array.from({ length: 11 }, () => ({ signingProfile: profile }));
    expect(() => RegistrySigning.managed(rules)).toThrow(
      /^RegistrySigning\.managed: rules "11 rules" are more than ECR allows in a signing configuration \(10\): share a signing profile/,
    );
  });

  test('fails for no rules (a configuration that signs nothing)', () => {
    expect(() => RegistrySigning.managed([])).toThrow(
      /^RegistrySigning\.managed: rules \[\] is empty, and a signing configuration without rules signs nothing: .+or leave signing out$/,
    );
  });

  // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_SigningRule.html
  // repositoryFilters: 1-100 items; SigningRepositoryFilter: filter 1-256 characters of
  // ^(?:[a-z0-9*]+(?:[._-][a-z0-9*]+)*/)*[a-z0-9*]+(?:[._-][a-z0-9*]+)*$, filterType WILDCARD_MATCH only.
  test('accepts 100 filters, the most; fails for 101', () => {
    const stack = envStack();
    const profile = notationProfile(stack);
    const filters = Array.from({ length: 101 }, (_, i) => `repo${i}`);
    expect(() =>
      RegistrySigning.managed([{ signingProfile: profile, repositoryFilters: filters.slice(0, 100) }]),
    ).not.toThrow();
    expect(() => RegistrySigning.managed([{ signingProfile: profile, repositoryFilters: filters }])).toThrow(
      /^RegistrySigning\.managed: rules\[0\]\.repositoryFilters "101 filters" are more than ECR allows in one signing rule \(100\): /,
    );
  });

  test('fails for an empty filter list (ECR takes none; without filters a rule signs everything)', () => {
    const stack = envStack();
    expect(() => RegistrySigning.managed([{ signingProfile: notationProfile(stack), repositoryFilters: [] }])).toThrow(
      /^RegistrySigning\.managed: rules\[0\]\.repositoryFilters \[\] is empty, and a rule without filters signs the images of every repository: leave repositoryFilters out/,
    );
  });

  test('accepts a filter of 256 characters; fails for 257', () => {
    const stack = envStack();
    const profile = notationProfile(stack);
    expect(() =>
      RegistrySigning.managed([{ signingProfile: profile, repositoryFilters: ['a'.repeat(256)] }]),
    ).not.toThrow();
    expect(() => RegistrySigning.managed([{ signingProfile: profile, repositoryFilters: ['a'.repeat(257)] }])).toThrow(
      /^RegistrySigning\.managed: rules\[0\]\.repositoryFilters "a{257}" has 257 characters: use a filter of 1-256 characters$/,
    );
  });

  test.each(['Prod/*', 'prod//x', '-prod', 'prod/', 'pro d', 'prod..x', ''])(
    'fails for the filter %j (not the pattern of SigningRepositoryFilterValue)',
    (filter) => {
      const stack = envStack();
      expect(() =>
        RegistrySigning.managed([{ signingProfile: notationProfile(stack), repositoryFilters: [filter] }]),
      ).toThrow(
        /^RegistrySigning\.managed: rules\[0\]\.repositoryFilters ".*" (is not a signing repository filter|has 0 characters): /,
      );
    },
  );

  test.each(['*', 'prod/*', '*/production', '*prod*', 'team-a/app_1.x'])('accepts the filter %j', (filter) => {
    const stack = envStack();
    expect(() =>
      RegistrySigning.managed([{ signingProfile: notationProfile(stack), repositoryFilters: [filter] }]),
    ).not.toThrow();
  });

  test('fails for a filter given twice in a rule', () => {
    const stack = envStack();
    expect(() =>
      RegistrySigning.managed([{ signingProfile: notationProfile(stack), repositoryFilters: ['prod/*', 'prod/*'] }]),
    ).toThrow(
      /^RegistrySigning\.managed: rules\[0\]\.repositoryFilters "prod\/\*" is given as filter more than once: /,
    );
  });

  test('skips filters that are tokens', () => {
    const stack = envStack();
    expect(() =>
      RegistrySigning.managed([
        { signingProfile: notationProfile(stack), repositoryFilters: [token(stack), token(stack)] },
      ]),
    ).not.toThrow();
  });

  // https://docs.aws.amazon.com/signer/latest/developerguide/image-signing-steps.html: container images
  // are signed with a profile of the Notation-OCI-SHA384-ECDSA platform (the one AWS Signer platform
  // for OCI images; ECR managed signing uses Signer profiles, managed-signing.html).
  test('fails for a profile of another platform (told at synth for a profile created in the app)', () => {
    const stack = envStack();
    const lambda = new signer.SigningProfile(stack, 'Lambda', { platform: signer.Platform.AWS_LAMBDA_SHA384_ECDSA });
    expect(() => RegistrySigning.managed([{ signingProfile: lambda }])).toThrow(
      /^RegistrySigning\.managed: rules\[0\]\.signingProfile "AWSLambda-SHA384-ECDSA" \(profile Registry\/Lambda\) is not the signing platform of container images, and ECR managed signing signs with Notation-OCI-SHA384-ECDSA profiles: create the profile with platform: signer\.Platform\.NOTATION_OCI_SHA384_ECDSA$/,
    );
  });

  test('skips the platform check of an imported profile and of a platform that is a token', () => {
    const stack = envStack();
    const imported = signer.SigningProfile.fromSigningProfileAttributes(stack, 'Imported', {
      signingProfileName: 'ecr_signing',
      signingProfileVersion: 'abc',
    });
    const tokenPlatform = new signer.SigningProfile(stack, 'Token', { platform: signer.Platform.of(token(stack)) });
    expect(() =>
      RegistrySigning.managed([{ signingProfile: imported }, { signingProfile: tokenPlatform }]),
    ).not.toThrow();
  });

  // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_SigningRule.html signingProfileArn:
  // ^arn:aws(-[a-z]+)*:signer:[a-z0-9-]+:[0-9]{12}:\/signing-profiles\/[a-zA-Z0-9_]{2,}$, at most 200.
  test('fails for an imported profile whose name ECR does not take (a "-")', () => {
    const stack = envStack();
    const profile = signer.SigningProfile.fromSigningProfileAttributes(stack, 'Dashed', {
      signingProfileName: 'ecr-signing',
      signingProfileVersion: 'abc',
    });
    expect(() => RegistrySigning.managed([{ signingProfile: profile }])).toThrow(
      /^RegistrySigning\.managed: rules\[0\]\.signingProfile "ecr-signing" \(profile Registry\/Dashed\) is not a signing profile name ECR takes in a signing rule: use 2 or more ASCII letters, digits and "_" \(no "-"\)$/,
    );
  });

  test('fails for a literal profile ARN of 201 characters, or one with a version; skips an ARN that is a token', () => {
    const stack = envStack();
    const prefix = 'arn:aws:signer:us-east-1:111111111111:/signing-profiles/';
    const byArn = (id: string, arn: string) =>
      Object.assign(
        signer.SigningProfile.fromSigningProfileAttributes(stack, id, {
          signingProfileName: token(stack),
          signingProfileVersion: 'v',
        }),
        {
          signingProfileArn: arn,
        },
      );
    expect(() =>
      RegistrySigning.managed([{ signingProfile: byArn('Ok', `${prefix}${'a'.repeat(200 - prefix.length)}`) }]),
    ).not.toThrow();
    expect(() =>
      RegistrySigning.managed([{ signingProfile: byArn('Long', `${prefix}${'a'.repeat(201 - prefix.length)}`) }]),
    ).toThrow(
      /^RegistrySigning\.managed: rules\[0\]\.signingProfile "arn:aws:signer:.{150,}" is not a signing profile ARN ECR takes in a signing rule: /,
    );
    expect(() => RegistrySigning.managed([{ signingProfile: byArn('Versioned', `${prefix}ecr_signing/abc`) }])).toThrow(
      /is not a signing profile ARN ECR takes/,
    );
    expect(() => RegistrySigning.managed([{ signingProfile: byArn('Token', token(stack)) }])).not.toThrow();
  });

  test('fails for a missing profile (JavaScript)', () => {
    expect(() => RegistrySigning.managed([{} as SigningRule])).toThrow(
      /^RegistrySigning\.managed: rules\[0\]\.signingProfile \(undefined\) is missing: /,
    );
  });

  // The signing configuration exists once per account and region (PutSigningConfiguration "Creates
  // or updates the registry's signing configuration"): RegistrySettings' one-per-environment check covers it.
  test('a second RegistrySettings with signing in the environment fails', () => {
    const app = new App();
    new RegistrySettings(envStack(app, 'A'), 'Registry', {
      signing: RegistrySigning.managed([{ signingProfile: notationProfile(envStack(app, 'P1')) }]),
    });
    expect(
      () =>
        new RegistrySettings(envStack(app, 'B'), 'Registry', {
          signing: RegistrySigning.managed([{ signingProfile: notationProfile(envStack(app, 'P2')) }]),
        }),
    ).toThrow(/scanning and signing configurations exist once per account and region/);
  });
});

describe('RepositoryCreationTrigger.CREATE_ON_PUSH', () => {
  // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepositoryCreationTemplate.html
  // appliedFor: REPLICATION | PULL_THROUGH_CACHE | CREATE_ON_PUSH (the schema's AppliedFor enum too).
  test('renders CREATE_ON_PUSH, alone and with the other triggers', () => {
    const stack = envStack();
    new RegistrySettings(stack, 'Registry', {
      repositoryCreationTemplates: [
        { prefix: 'apps', appliedFor: [RepositoryCreationTrigger.CREATE_ON_PUSH] },
        {
          prefix: 'ROOT',
          appliedFor: [RepositoryCreationTrigger.CREATE_ON_PUSH, RepositoryCreationTrigger.REPLICATION],
        },
      ],
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECR::RepositoryCreationTemplate', {
      Prefix: 'apps',
      AppliedFor: ['CREATE_ON_PUSH'],
    });
    template.hasResourceProperties('AWS::ECR::RepositoryCreationTemplate', {
      Prefix: 'ROOT',
      AppliedFor: ['CREATE_ON_PUSH', 'REPLICATION'],
    });
  });

  test('the value is CREATE_ON_PUSH', () => {
    expect(RepositoryCreationTrigger.CREATE_ON_PUSH).toBe('CREATE_ON_PUSH');
  });

  // appliedFor is a set (uniqueItems) of the enum's values.
  test('fails when CREATE_ON_PUSH is given twice', () => {
    const stack = envStack();
    expect(
      () =>
        new RegistrySettings(stack, 'Registry', {
          repositoryCreationTemplates: [
            {
              prefix: 'apps',
              appliedFor: [RepositoryCreationTrigger.CREATE_ON_PUSH, RepositoryCreationTrigger.CREATE_ON_PUSH],
            },
          ],
        }),
    ).toThrow(
      /^\[Registry\/Registry\] RegistrySettings: appliedFor "CREATE_ON_PUSH" is given as trigger more than once: /,
    );
  });

  test('fails for a trigger ECR does not know (JavaScript)', () => {
    const stack = envStack();
    expect(
      () =>
        new RegistrySettings(stack, 'Registry', {
          repositoryCreationTemplates: [{ prefix: 'apps', appliedFor: ['ON_PUSH' as RepositoryCreationTrigger] }],
        }),
    ).toThrow(
      /^\[Registry\/Registry\] RegistrySettings: appliedFor "ON_PUSH" is not a repository creation trigger: use RepositoryCreationTrigger values \(PULL_THROUGH_CACHE, REPLICATION, CREATE_ON_PUSH\)$/,
    );
  });

  // https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-creation-templates.html:
  // the lifecycle rule restriction on untagged images is for cache repositories only; a create-on-push
  // template takes rules on untagged images.
  test('takes lifecycle rules on untagged images (the pull-through cache restriction does not apply)', () => {
    const stack = envStack();
    expect(
      () =>
        new RegistrySettings(stack, 'Registry', {
          repositoryCreationTemplates: [
            {
              prefix: 'apps',
              appliedFor: [RepositoryCreationTrigger.CREATE_ON_PUSH],
              lifecycleRules: [{ maxImageCount: 10 }],
            },
          ],
        }),
    ).not.toThrow();
  });
});

describe('Upstream.chainguard', () => {
  // https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-creating-rule.html:
  // "--upstream-registry-url cgr.dev --credential-arn …ecr-pullthroughcache/…" (UpstreamRegistry
  // chainguard, schema enum); https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache.html:
  // Chainguard Registry "requires authentication with AWS Secrets Manager secret".
  test('renders chainguard, cgr.dev and the secret', () => {
    const stack = envStack();
    const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'Cg', 'ecr-pullthroughcache/chainguard');
    new RegistrySettings(stack, 'Registry', {
      pullThroughCacheRules: [
        new PullThroughCacheRule({ ecrRepositoryPrefix: 'chainguard', upstream: Upstream.chainguard(secret) }),
      ],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::ECR::PullThroughCacheRule', {
      EcrRepositoryPrefix: 'chainguard',
      UpstreamRegistry: 'chainguard',
      UpstreamRegistryUrl: 'cgr.dev',
      CredentialArn: Match.anyValue(),
      CustomRoleArn: Match.absent(),
    });
  });

  test('fails without credentials', () => {
    expect(() => Upstream.chainguard(undefined as unknown as secretsmanager.ISecret)).toThrow(
      /^Upstream\.chainguard: credentials \(undefined\) leaves Chainguard Registry without credentials, and ECR pulls from Chainguard Registry only with a Secrets Manager secret: /,
    );
  });

  test('the secret is checked like the others (ecr-pullthroughcache/ prefix)', () => {
    const stack = envStack();
    const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'Cg', 'chainguard-token');
    expect(
      () =>
        new RegistrySettings(stack, 'Registry', {
          pullThroughCacheRules: [
            new PullThroughCacheRule({ ecrRepositoryPrefix: 'cgr', upstream: Upstream.chainguard(secret) }),
          ],
        }),
    ).toThrow(
      /upstream credentials "chainguard-token" \(secret Registry\/Cg, rule "cgr"\) does not start with "ecr-pullthroughcache\/"/,
    );
  });

  test('image helpers drop the cgr.dev host', () => {
    const secret = secretsmanager.Secret.fromSecretNameV2(new Stack(), 'Cg', 'ecr-pullthroughcache/cg');
    const rule = new PullThroughCacheRule({ ecrRepositoryPrefix: 'chainguard', upstream: Upstream.chainguard(secret) });
    expect(rule.repositoryName('cgr.dev/chainguard/node:latest')).toBe('chainguard/chainguard/node');
  });
});

describe('Upstream.ecrRegistry (ECR to ECR)', () => {
  // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreatePullThroughCacheRule.html:
  // upstreamRegistryUrl "Amazon ECR (ecr) – <accountId>.dkr.ecr.<region>.amazonaws.com"; customRoleArn
  // "IAM role to be assumed by Amazon ECR to authenticate to the ECR upstream registry";
  // upstreamRepositoryPrefix (the schema's UpstreamRepositoryPrefix). Both are newer than aws-cdk-lib
  // 2.177's L1: written as property overrides.
  test('renders ecr, the registry host, CustomRoleArn and UpstreamRepositoryPrefix, no secret', () => {
    const stack = envStack();
    const role = pullThroughCacheRole(stack);
    new RegistrySettings(stack, 'Registry', {
      pullThroughCacheRules: [
        new PullThroughCacheRule({
          ecrRepositoryPrefix: 'central',
          upstream: Upstream.ecrRegistry({
            account: '222222222222',
            region: 'eu-west-1',
            role,
            repositoryPrefix: 'base',
          }),
        }),
      ],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::ECR::PullThroughCacheRule', {
      EcrRepositoryPrefix: 'central',
      UpstreamRegistry: 'ecr',
      UpstreamRegistryUrl: '222222222222.dkr.ecr.eu-west-1.amazonaws.com',
      CustomRoleArn: stack.resolve(role.roleArn),
      UpstreamRepositoryPrefix: 'base',
      CredentialArn: Match.absent(),
    });
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  test('without repositoryPrefix, no UpstreamRepositoryPrefix (ECR uses ROOT)', () => {
    const stack = envStack();
    new RegistrySettings(stack, 'Registry', {
      pullThroughCacheRules: [
        new PullThroughCacheRule({
          ecrRepositoryPrefix: 'central',
          upstream: Upstream.ecrRegistry({ account: ACCOUNT, region: 'eu-west-1', role: pullThroughCacheRole(stack) }),
        }),
      ],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::ECR::PullThroughCacheRule', {
      UpstreamRepositoryPrefix: Match.absent(),
    });
  });

  test("uses the partition's DNS suffix of a known region, and AWS::URLSuffix for a region that is a token", () => {
    const stack = envStack(new App(), 'Cn', '111111111111', 'cn-north-1');
    const role = iam.Role.fromRoleName(stack, 'Role', 'ptc');
    expect(Upstream.ecrRegistry({ account: '222222222222', region: 'cn-northwest-1', role }).registryUrl).toBe(
      '222222222222.dkr.ecr.cn-northwest-1.amazonaws.com.cn',
    );
    const region = token(stack);
    expect(stack.resolve(Upstream.ecrRegistry({ account: '222222222222', region, role }).registryUrl)).toEqual({
      'Fn::Join': ['', ['222222222222.dkr.ecr.', { Ref: expect.any(String) }, '.', { Ref: 'AWS::URLSuffix' }]],
    });
  });

  test('fails for an account that is not 12 digits; skips a token', () => {
    const stack = envStack();
    const role = pullThroughCacheRole(stack);
    expect(() => Upstream.ecrRegistry({ account: '12345', region: 'eu-west-1', role })).toThrow(
      /^Upstream\.ecrRegistry: account "12345" is not an AWS account id: use the 12 digits of the account, e\.g\. "123456789012"$/,
    );
    expect(() => Upstream.ecrRegistry({ account: token(stack), region: 'eu-west-1', role })).not.toThrow();
  });

  test('fails for a region that is not a region name; skips a token', () => {
    const stack = envStack();
    const role = pullThroughCacheRole(stack);
    expect(() => Upstream.ecrRegistry({ account: '222222222222', region: 'Ireland', role })).toThrow(
      /^Upstream\.ecrRegistry: region "Ireland" is not an AWS region name: /,
    );
    expect(() => Upstream.ecrRegistry({ account: '222222222222', region: token(stack), role })).not.toThrow();
  });

  test('fails without a role (JavaScript)', () => {
    expect(() =>
      Upstream.ecrRegistry({ account: '222222222222', region: 'eu-west-1', role: undefined as unknown as iam.IRole }),
    ).toThrow(/^Upstream\.ecrRegistry: role \(undefined\) leaves the ECR upstream without a role, /);
  });

  // UpstreamRepositoryPrefix: 2-30 characters of ^([a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*\/?|ROOT)$
  test.each([
    ['ab', true],
    ['a'.repeat(30), true],
    ['ROOT', true],
    ['team/base', true],
    ['a', false],
    ['a'.repeat(31), false],
    ['Team', false],
    ['team//base', false],
  ])('repositoryPrefix %j accepted: %s', (prefix, ok) => {
    const stack = envStack();
    const make = () =>
      Upstream.ecrRegistry({
        account: '222222222222',
        region: 'eu-west-1',
        role: pullThroughCacheRole(stack),
        repositoryPrefix: prefix,
      });
    if (ok) {
      expect(make).not.toThrow();
    } else {
      expect(make).toThrow(
        /^Upstream\.ecrRegistry: repositoryPrefix ".*" (has \d+ characters?|is not a valid upstream repository prefix): /,
      );
    }
  });

  test('skips a repositoryPrefix that is a token', () => {
    const stack = envStack();
    expect(() =>
      Upstream.ecrRegistry({
        account: '222222222222',
        region: 'eu-west-1',
        role: pullThroughCacheRole(stack),
        repositoryPrefix: token(stack),
      }),
    ).not.toThrow();
  });

  // API_CreatePullThroughCacheRule customRoleArn: "This role must be in the same account as the
  // registry that you are configuring."
  test('fails for a role of another account', () => {
    const stack = envStack();
    const role = iam.Role.fromRoleArn(stack, 'Other', 'arn:aws:iam::333333333333:role/ptc');
    expect(
      () =>
        new RegistrySettings(stack, 'Registry', {
          pullThroughCacheRules: [
            new PullThroughCacheRule({
              ecrRepositoryPrefix: 'central',
              upstream: Upstream.ecrRegistry({ account: '222222222222', region: 'eu-west-1', role }),
            }),
          ],
        }),
    ).toThrow(
      /^\[Registry\/Registry\] RegistrySettings: upstream of rule "central" role "arn:aws:iam::333333333333:role\/ptc" is in account 333333333333, not in the registry's account 111111111111, /,
    );
  });

  // https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-private.html ("Creating a
  // Trust policy for the IAM role"): Principal Service pullthroughcache.ecr.amazonaws.com, sts:AssumeRole.
  test('warns when a role created in the app does not trust pullthroughcache.ecr.amazonaws.com', () => {
    const stack = envStack();
    const role = new iam.Role(stack, 'Wrong', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    new RegistrySettings(stack, 'Registry', {
      pullThroughCacheRules: [
        new PullThroughCacheRule({
          ecrRepositoryPrefix: 'central',
          upstream: Upstream.ecrRegistry({ account: '222222222222', region: 'eu-west-1', role }),
        }),
      ],
    });
    Annotations.fromStack(stack).hasWarning(
      '/Registry/Registry',
      Match.stringLikeRegexp(
        'the role Registry/Wrong of rule "central" does not trust pullthroughcache\\.ecr\\.amazonaws\\.com: .*\\[ack: cdk-ecr-codebuild:pullThroughCacheRoleTrust\\]',
      ),
    );
  });

  test('an imported role of the account is accepted without a warning (its trust policy is unknown)', () => {
    const stack = envStack();
    const role = iam.Role.fromRoleArn(stack, 'Imported', `arn:aws:iam::${ACCOUNT}:role/ptc`);
    new RegistrySettings(stack, 'Registry', {
      pullThroughCacheRules: [
        new PullThroughCacheRule({
          ecrRepositoryPrefix: 'central',
          upstream: Upstream.ecrRegistry({ account: '222222222222', region: 'eu-west-1', role }),
        }),
      ],
    });
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  test('fails when the upstream is the registry itself (same account and region)', () => {
    const stack = envStack();
    expect(
      () =>
        new RegistrySettings(stack, 'Registry', {
          pullThroughCacheRules: [
            new PullThroughCacheRule({
              ecrRepositoryPrefix: 'self',
              upstream: Upstream.ecrRegistry({ account: ACCOUNT, region: REGION, role: pullThroughCacheRole(stack) }),
            }),
          ],
        }),
    ).toThrow(
      /^\[Registry\/Registry\] RegistrySettings: upstream of rule "self" "111111111111\/us-east-1" is the registry itself: /,
    );
  });

  // pull-through-cache.html: "Amazon ECR (requires authentication with AWS IAM role)": no secret.
  test('fails for an ECR upstream given a secret (JavaScript)', () => {
    const stack = envStack();
    const upstream = Upstream.ecrRegistry({
      account: '222222222222',
      region: 'eu-west-1',
      role: pullThroughCacheRole(stack),
    });
    const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'S', 'ecr-pullthroughcache/x');
    Object.assign(upstream, { credentials: secret });
    expect(
      () =>
        new RegistrySettings(stack, 'Registry', {
          pullThroughCacheRules: [new PullThroughCacheRule({ ecrRepositoryPrefix: 'central', upstream })],
        }),
    ).toThrow(
      /upstream of rule "central" "Registry\/S" is a secret for an ECR upstream, which ECR reaches with the role/,
    );
  });

  // CustomRoleArn and UpstreamRepositoryPrefix are for the ECR upstream only (API_CreatePullThroughCacheRule).
  test.each([
    ['role', { role: 'x' }],
    ['repositoryPrefix', { upstreamRepositoryPrefix: 'base' }],
  ])('fails for another upstream with a %s (JavaScript)', (what, extra) => {
    const stack = envStack();
    const upstream = Upstream.quay();
    Object.assign(upstream, what === 'role' ? { role: pullThroughCacheRole(stack) } : extra);
    expect(
      () =>
        new RegistrySettings(stack, 'Registry', {
          pullThroughCacheRules: [new PullThroughCacheRule({ ecrRepositoryPrefix: 'quay', upstream })],
        }),
    ).toThrow(
      new RegExp(
        `upstream of rule "quay" "quay" has a ${what}, which ECR takes for an ECR upstream only \\(CustomRoleArn, UpstreamRepositoryPrefix\\)`,
      ),
    );
  });

  test('grantPullThroughCache and the image helpers need no parsable upstream host', () => {
    const stack = envStack();
    const role = pullThroughCacheRole(stack);
    const rule = new PullThroughCacheRule({
      ecrRepositoryPrefix: 'central',
      upstream: Upstream.ecrRegistry({ account: token(stack), region: 'eu-west-1', role }),
    });
    const registry = new RegistrySettings(stack, 'Registry', { pullThroughCacheRules: [rule] });
    const puller = new iam.Role(stack, 'Puller', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    registry.grantPullThroughCache(puller, 'central');
    expect(rule.repositoryName('team/app:1.0')).toBe('central/team/app');
    expect(() => rule.imageUri('123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.0')).toThrow(
      /^PullThroughCacheRule\.imageUri: image ".*" names registry 123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com, and the host of the rule's upstream is only known at deploy time: /,
    );
  });

  test('the image helpers drop the upstream host when it is a literal', () => {
    const stack = envStack();
    const rule = new PullThroughCacheRule({
      ecrRepositoryPrefix: 'central',
      upstream: Upstream.ecrRegistry({
        account: '222222222222',
        region: 'eu-west-1',
        role: pullThroughCacheRole(stack),
      }),
    });
    expect(rule.repositoryName('222222222222.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.0')).toBe('central/team/app');
  });
});

describe('RepositoryCreationTemplate.archiveImagesNotPulledFor', () => {
  // https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_examples.html (archiving
  // images not pulled) and lifecycle_policy_parameters.html (the rule for any tag status last).
  test('renders the archive rule after lifecycleRules in LifecyclePolicy', () => {
    const stack = envStack();
    new RegistrySettings(stack, 'Registry', {
      repositoryCreationTemplates: [
        {
          prefix: 'apps',
          appliedFor: [RepositoryCreationTrigger.CREATE_ON_PUSH, RepositoryCreationTrigger.REPLICATION],
          lifecycleRules: [{ tagStatus: ecr.TagStatus.UNTAGGED, maxImageAge: Duration.days(7) }],
          archiveImagesNotPulledFor: Duration.days(90),
        },
      ],
    });
    const [template] = Object.values(Template.fromStack(stack).findResources('AWS::ECR::RepositoryCreationTemplate'));
    expect(JSON.parse(template.Properties.LifecyclePolicy).rules).toEqual([
      {
        rulePriority: 1,
        selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 },
        action: { type: 'expire' },
      },
      {
        rulePriority: 2,
        description: 'Archive images not pulled for 90 days',
        selection: { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 90 },
        action: { type: 'transition', targetStorageClass: 'archive' },
      },
    ]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  test('without lifecycleRules, the policy holds the archive rule alone', () => {
    const stack = envStack();
    new RegistrySettings(stack, 'Registry', {
      repositoryCreationTemplates: [
        {
          prefix: 'apps',
          appliedFor: [RepositoryCreationTrigger.CREATE_ON_PUSH],
          archiveImagesNotPulledFor: Duration.days(30),
        },
      ],
    });
    const [template] = Object.values(Template.fromStack(stack).findResources('AWS::ECR::RepositoryCreationTemplate'));
    expect(JSON.parse(template.Properties.LifecyclePolicy).rules).toHaveLength(1);
  });

  test('fails for part of a day, and for a rule for any tag status beside it', () => {
    const stack = envStack();
    expect(
      () =>
        new RegistrySettings(stack, 'Registry', {
          repositoryCreationTemplates: [
            {
              prefix: 'apps',
              appliedFor: [RepositoryCreationTrigger.CREATE_ON_PUSH],
              archiveImagesNotPulledFor: Duration.hours(12),
            },
          ],
        }),
    ).toThrow(
      /^\[Registry\/Registry\] RegistrySettings: archiveImagesNotPulledFor 12 hours is not a whole number of days/,
    );
    expect(
      () =>
        new RegistrySettings(envStack(), 'Registry', {
          repositoryCreationTemplates: [
            {
              prefix: 'apps',
              appliedFor: [RepositoryCreationTrigger.REPLICATION],
              lifecycleRules: [{ maxImageCount: 50 }],
              archiveImagesNotPulledFor: Duration.days(90),
            },
          ],
        }),
    ).toThrow(/lifecycleRules "rulePriority 1" is a rule for any tag status, and archiveImagesNotPulledFor adds one/);
  });

  // archive-image.html: "Archived images cannot be pulled"; the platform images of a cached
  // multi-architecture image are untagged (the reason of the existing PULL_THROUGH_CACHE rule check).
  test('warns for a template of pull-through cache repositories', () => {
    const stack = envStack();
    new RegistrySettings(stack, 'Registry', {
      repositoryCreationTemplates: [
        {
          prefix: 'docker-hub',
          appliedFor: [RepositoryCreationTrigger.PULL_THROUGH_CACHE],
          archiveImagesNotPulledFor: Duration.days(180),
        },
      ],
    });
    Annotations.fromStack(stack).hasWarning(
      '/Registry/Registry',
      Match.stringLikeRegexp(
        'repositoryCreationTemplates "docker-hub" archives images not pulled for 180 days in pull-through cache repositories: .*\\[ack: cdk-ecr-codebuild:archiveCacheImages\\]',
      ),
    );
  });
});

describe('RepositoryCreationTemplate.imageTagMutabilityExclusionFilters', () => {
  function templateProps(stack: Stack): Record<string, unknown> {
    const [template] = Object.values(Template.fromStack(stack).findResources('AWS::ECR::RepositoryCreationTemplate'));
    return template.Properties;
  }

  // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepositoryCreationTemplate.html
  // and the AWS::ECR::RepositoryCreationTemplate schema: ImageTagMutability IMMUTABLE_WITH_EXCLUSION /
  // MUTABLE_WITH_EXCLUSION, ImageTagMutabilityExclusionFilters 1-5 items of type WILDCARD
  // (written as a property override: newer than aws-cdk-lib 2.177's L1).
  test.each<[ecr.TagMutability, string]>([
    [ecr.TagMutability.IMMUTABLE, 'IMMUTABLE_WITH_EXCLUSION'],
    [ecr.TagMutability.MUTABLE, 'MUTABLE_WITH_EXCLUSION'],
  ])('%s with filters renders %s and the filters', (mutability, rendered) => {
    const stack = envStack();
    new RegistrySettings(stack, 'Registry', {
      repositoryCreationTemplates: [
        {
          prefix: 'apps',
          appliedFor: [RepositoryCreationTrigger.CREATE_ON_PUSH],
          imageTagMutability: mutability,
          imageTagMutabilityExclusionFilters: ['latest', 'dev-*'],
        },
      ],
    });
    expect(templateProps(stack)).toMatchObject({
      ImageTagMutability: rendered,
      ImageTagMutabilityExclusionFilters: [
        { ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: 'latest' },
        { ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: 'dev-*' },
      ],
    });
  });

  test('without filters, the mutability as given and no filters; without either, neither', () => {
    const stack = envStack();
    new RegistrySettings(stack, 'Registry', {
      repositoryCreationTemplates: [
        {
          prefix: 'a',
          appliedFor: [RepositoryCreationTrigger.REPLICATION],
          imageTagMutability: ecr.TagMutability.IMMUTABLE,
        },
        { prefix: 'b', appliedFor: [RepositoryCreationTrigger.REPLICATION] },
      ],
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECR::RepositoryCreationTemplate', {
      Prefix: 'a',
      ImageTagMutability: 'IMMUTABLE',
      ImageTagMutabilityExclusionFilters: Match.absent(),
    });
    template.hasResourceProperties('AWS::ECR::RepositoryCreationTemplate', {
      Prefix: 'b',
      ImageTagMutability: Match.absent(),
      ImageTagMutabilityExclusionFilters: Match.absent(),
    });
  });

  test('accepts the *_WITH_EXCLUSION values of newer aws-cdk-lib versions with filters', () => {
    const stack = envStack();
    new RegistrySettings(stack, 'Registry', {
      repositoryCreationTemplates: [
        {
          prefix: 'apps',
          appliedFor: [RepositoryCreationTrigger.CREATE_ON_PUSH],
          imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION' as ecr.TagMutability,
          imageTagMutabilityExclusionFilters: ['latest'],
        },
      ],
    });
    expect(templateProps(stack).ImageTagMutability).toBe('IMMUTABLE_WITH_EXCLUSION');
  });

  // The errors are the shared check's (src/private/shared/tag-mutability.ts, tested there); here:
  // they reach RegistrySettings' props with its path, and the boundaries 5/6.
  test('accepts 5 filters; fails for 6, for an empty list, a bad filter, and *_WITH_EXCLUSION without filters', () => {
    const make =
      (props: { imageTagMutability?: ecr.TagMutability; imageTagMutabilityExclusionFilters?: string[] }) => () =>
        new RegistrySettings(envStack(), 'Registry', {
          repositoryCreationTemplates: [
            { prefix: 'apps', appliedFor: [RepositoryCreationTrigger.CREATE_ON_PUSH], ...props },
          ],
        });
    const five = ['a', 'b', 'c', 'd', 'e'];
    expect(
      make({ imageTagMutability: ecr.TagMutability.IMMUTABLE, imageTagMutabilityExclusionFilters: five }),
    ).not.toThrow();
    expect(
      make({ imageTagMutability: ecr.TagMutability.IMMUTABLE, imageTagMutabilityExclusionFilters: [...five, 'f'] }),
    ).toThrow(
      /^\[Registry\/Registry\] RegistrySettings: imageTagMutabilityExclusionFilters .* has 6 filters, and ECR takes at most 5/,
    );
    expect(make({ imageTagMutability: ecr.TagMutability.IMMUTABLE, imageTagMutabilityExclusionFilters: [] })).toThrow(
      /^\[Registry\/Registry\] RegistrySettings: imageTagMutabilityExclusionFilters \[\] is empty/,
    );
    expect(
      make({ imageTagMutability: ecr.TagMutability.IMMUTABLE, imageTagMutabilityExclusionFilters: ['v 1'] }),
    ).toThrow(
      /^\[Registry\/Registry\] RegistrySettings: imageTagMutabilityExclusionFilters "v 1" is not an ECR tag filter/,
    );
    expect(make({ imageTagMutability: 'MUTABLE_WITH_EXCLUSION' as ecr.TagMutability })).toThrow(
      /^\[Registry\/Registry\] RegistrySettings: imageTagMutability "MUTABLE_WITH_EXCLUSION" needs imageTagMutabilityExclusionFilters/,
    );
  });

  test('skips filters that are tokens', () => {
    const stack = envStack();
    expect(
      () =>
        new RegistrySettings(stack, 'Registry', {
          repositoryCreationTemplates: [
            {
              prefix: 'apps',
              appliedFor: [RepositoryCreationTrigger.CREATE_ON_PUSH],
              imageTagMutability: ecr.TagMutability.IMMUTABLE,
              imageTagMutabilityExclusionFilters: [token(stack)],
            },
          ],
        }),
    ).not.toThrow();
  });
});
