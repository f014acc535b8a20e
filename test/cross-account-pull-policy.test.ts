import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Aspects, Aws, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { accountIds, maxAccountsThatFit, repositoryPolicyLength } from '../bench/policy-capacity';
import { AccessLevel, CrossAccountPullPolicy } from '../src';
import { allowedActions, Caller, isAllowed, PolicyJson, resolveIntrinsics } from './support/policy-evaluator';
import { PULL_ACTIONS, PUSH_ACTIONS } from '../src/private/pull-policy/statements';

const OWN_ACCOUNT = '999999999999';
const REGION = 'eu-west-1';
const ORG = 'o-a1b2c3d4e5';
const OU = `${ORG}/r-ab12/ou-ab12-11111111/`;
const ALL_ACTIONS = [...PULL_ACTIONS, ...PUSH_ACTIONS];

function newStack(app = new App()): Stack {
  return new Stack(app, 'Stack', { env: { account: OWN_ACCOUNT, region: REGION } });
}

function repositoryPolicy(stack: Stack): Record<string, any> {
  const repositories = Template.fromStack(stack).findResources('AWS::ECR::Repository');
  const [repository] = Object.values(repositories);
  return repository.Properties.RepositoryPolicyText;
}

/** The repository policy with partition and the project ARNs resolved, ready for the evaluator. */
function evaluablePolicy(stack: Stack, project?: codebuild.Project): PolicyJson {
  const values: Record<string, string> = { 'AWS::Partition': 'aws' };
  if (project) {
    values[`${stack.getLogicalId(project.node.defaultChild as codebuild.CfnProject)}.Arn`] =
      `arn:aws:codebuild:${REGION}:${OWN_ACCOUNT}:project/builder`;
  }
  return resolveIntrinsics(repositoryPolicy(stack), values) as PolicyJson;
}

function newProject(stack: Stack, id = 'Project'): codebuild.Project {
  return new codebuild.Project(stack, id, { buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2' }) });
}

/** cfn-lint's findings on a template file: '' when it exits 0 without output. */
function cfnLint(file: string): string {
  try {
    return execFileSync('cfn-lint', [file], { encoding: 'utf-8' });
  } catch (error: any) {
    return `cfn-lint failed (${error.status ?? error.message}):\n${error.stdout ?? ''}${error.stderr ?? ''}`;
  }
}

describe('CrossAccountPullPolicy on a repository of this app', () => {
  test('adds one statement per kind of grantee to the RepositoryPolicyText, without Resource', () => {
    // GIVEN
    const stack = newStack();
    const repository = new ecr.Repository(stack, 'Repository');

    // WHEN
    const policy = new CrossAccountPullPolicy(stack, 'Pull', {
      repository,
      accountIds: ['111111111111', '222222222222'],
      organizationId: ORG,
      organizationalUnitPaths: [OU],
    });

    // THEN
    const text = repositoryPolicy(stack);
    expect(text.Statement).toEqual([
      {
        Sid: `${policy.sidPrefix}Accounts`,
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: PULL_ACTIONS,
        Condition: { StringEquals: { 'aws:PrincipalAccount': ['111111111111', '222222222222'] } },
      },
      {
        Sid: `${policy.sidPrefix}Organization`,
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: PULL_ACTIONS,
        Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
      },
      {
        Sid: `${policy.sidPrefix}OrgPaths`,
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: PULL_ACTIONS,
        Condition: { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': OU } },
      },
    ]);
  });

  test('Sids are stable, start with CdkEcrCodebuild and differ between instances', () => {
    const stack = newStack();
    const repository = new ecr.Repository(stack, 'Repository');
    const a = new CrossAccountPullPolicy(stack, 'A', { repository, accountIds: ['111111111111'] });
    const b = new CrossAccountPullPolicy(stack, 'B', { repository, accountIds: ['222222222222'] });

    // frozen: changing it orphans the statements already written into imported repositories
    expect(a.sidPrefix).toBe('CdkEcrCodebuildB338D1D9');
    expect(b.sidPrefix).toMatch(/^CdkEcrCodebuild[0-9A-F]{8}$/);
    expect(b.sidPrefix).not.toBe(a.sidPrefix);
    const sids = repositoryPolicy(stack).Statement.map((s: any) => s.Sid);
    expect(sids).toEqual([`${a.sidPrefix}Accounts`, `${b.sidPrefix}Accounts`]);
  });

  test('accounts and projects added after construction are rendered', () => {
    const stack = newStack();
    const repository = new ecr.Repository(stack, 'Repository');
    const project = newProject(stack);
    const policy = new CrossAccountPullPolicy(stack, 'Pull', { repository, accountIds: ['111111111111'] });

    // WHEN
    policy.addAccountIds('222222222222', '333333333333');
    policy.addCodeBuildProject(project);

    // THEN
    const statements = repositoryPolicy(stack).Statement;
    expect(statements[0].Condition.StringEquals['aws:PrincipalAccount']).toEqual([
      '111111111111',
      '222222222222',
      '333333333333',
    ]);
    expect(statements[1]).toMatchObject({
      Sid: `${policy.sidPrefix}CodeBuild`,
      Principal: { Service: 'codebuild.amazonaws.com' },
      Action: PULL_ACTIONS,
      Condition: {
        StringEquals: { 'aws:SourceAccount': [OWN_ACCOUNT] },
        ArnLike: { 'aws:SourceArn': [{ 'Fn::GetAtt': [expect.any(String), 'Arn'] }] },
      },
    });
  });

  test('an account granted only through addAccountIds() is enough', () => {
    const stack = newStack();
    const repository = new ecr.Repository(stack, 'Repository');
    const policy = new CrossAccountPullPolicy(stack, 'Pull', { repository });
    policy.addAccountIds('111111111111');
    expect(repositoryPolicy(stack).Statement).toHaveLength(1);
  });

  test('Lambda statement follows the Lambda guide: StringLike aws:SourceArn on the functions of each account', () => {
    const stack = newStack();
    const repository = new ecr.Repository(stack, 'Repository');
    const policy = new CrossAccountPullPolicy(stack, 'Pull', {
      repository,
      lambdaAccountIds: ['111111111111', '222222222222'],
    });
    expect(repositoryPolicy(stack).Statement).toEqual([
      {
        Sid: `${policy.sidPrefix}Lambda`,
        Effect: 'Allow',
        Principal: { Service: 'lambda.amazonaws.com' },
        Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        Condition: {
          StringLike: {
            'aws:SourceArn': [
              { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:lambda:${REGION}:111111111111:function:*`]] },
              { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:lambda:${REGION}:222222222222:function:*`]] },
            ],
          },
        },
      },
    ]);
  });

  test('keeps the statements of others in the repository policy', () => {
    const stack = newStack();
    const repository = new ecr.Repository(stack, 'Repository');
    repository.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'Theirs',
        principals: [new iam.ArnPrincipal('arn:aws:iam::444444444444:role/ci')],
        actions: ['ecr:BatchGetImage'],
      }),
    );
    new CrossAccountPullPolicy(stack, 'Pull', { repository, accountIds: ['111111111111'] });
    expect(repositoryPolicy(stack).Statement.map((s: any) => s.Sid)).toEqual([
      'Theirs',
      expect.stringMatching(/Accounts$/),
    ]);
  });
});

describe('who gets what (policy semantics)', () => {
  const member: Caller = { account: '555555555555', organizationId: ORG, organizationPaths: [`${ORG}/r-ab12/`] };
  const ouMember: Caller = {
    account: '666666666666',
    organizationId: 'o-otherorg000',
    organizationPaths: [OU, `${ORG}/r-ab12/`],
  };
  const listed: Caller = { account: '111111111111', arn: 'arn:aws:iam::111111111111:role/deploy' };
  const outsider: Caller = {
    account: '777777777777',
    organizationId: 'o-zzzzzzzzzz',
    organizationPaths: ['o-zzzzzzzzzz/r-zz99/'],
  };

  function synth(accessLevel?: AccessLevel, withProject = false) {
    const stack = newStack();
    const repository = new ecr.Repository(stack, 'Repository');
    const project = withProject ? newProject(stack) : undefined;
    new CrossAccountPullPolicy(stack, 'Pull', {
      repository,
      accountIds: ['111111111111'],
      organizationId: ORG,
      organizationalUnitPaths: [OU],
      accessLevel,
      codeBuildProjects: project ? [project] : undefined,
      lambdaAccountIds: ['888888888888'],
    });
    return evaluablePolicy(stack, project);
  }

  test('PULL: listed accounts, organization and OU members may pull but not push; others may not', () => {
    const policy = synth();
    for (const caller of [listed, member, ouMember]) {
      expect(allowedActions(policy, caller, ALL_ACTIONS)).toEqual(PULL_ACTIONS);
    }
    expect(allowedActions(policy, outsider, ALL_ACTIONS)).toEqual([]);
    expect(isAllowed(policy, { account: '111111111112' }, 'ecr:BatchGetImage')).toBe(false);
    // anonymous callers carry no aws:PrincipalAccount
    expect(isAllowed(policy, {}, 'ecr:BatchGetImage')).toBe(false);
  });

  test('PULL_PUSH: push actions appear, for the granted principals only', () => {
    const policy = synth(AccessLevel.PULL_PUSH);
    expect(allowedActions(policy, listed, ALL_ACTIONS)).toEqual(ALL_ACTIONS);
    expect(allowedActions(policy, ouMember, ALL_ACTIONS)).toEqual(ALL_ACTIONS);
    expect(allowedActions(policy, outsider, ALL_ACTIONS)).toEqual([]);
  });

  test('CodeBuild may pull only for the project, from its account, and never push', () => {
    const policy = synth(AccessLevel.PULL_PUSH, true);
    const projectArn = `arn:aws:codebuild:${REGION}:${OWN_ACCOUNT}:project/builder`;
    const codebuildFor = (sourceArn?: string, sourceAccount?: string): Caller => ({
      service: 'codebuild.amazonaws.com',
      sourceArn,
      sourceAccount,
    });
    expect(allowedActions(policy, codebuildFor(projectArn, OWN_ACCOUNT), ALL_ACTIONS)).toEqual(PULL_ACTIONS);
    expect(
      isAllowed(
        policy,
        codebuildFor(`arn:aws:codebuild:${REGION}:${OWN_ACCOUNT}:project/other`, OWN_ACCOUNT),
        'ecr:BatchGetImage',
      ),
    ).toBe(false);
    expect(isAllowed(policy, codebuildFor(projectArn, '123456789012'), 'ecr:BatchGetImage')).toBe(false);
    expect(isAllowed(policy, codebuildFor(), 'ecr:BatchGetImage')).toBe(false);
  });

  test('Lambda may fetch images for functions of the listed account in the repository region only', () => {
    const policy = synth();
    const lambdaFor = (sourceArn: string): Caller => ({ service: 'lambda.amazonaws.com', sourceArn });
    expect(
      isAllowed(policy, lambdaFor(`arn:aws:lambda:${REGION}:888888888888:function:api`), 'ecr:BatchGetImage'),
    ).toBe(true);
    expect(isAllowed(policy, lambdaFor(`arn:aws:lambda:${REGION}:888888888888:function:api`), 'ecr:PutImage')).toBe(
      false,
    );
    expect(
      isAllowed(policy, lambdaFor(`arn:aws:lambda:us-east-1:888888888888:function:api`), 'ecr:BatchGetImage'),
    ).toBe(false);
    expect(
      isAllowed(policy, lambdaFor(`arn:aws:lambda:${REGION}:111111111111:function:api`), 'ecr:BatchGetImage'),
    ).toBe(false);
    // the service principal does not get the accounts' access
    expect(isAllowed(policy, { service: 'codebuild.amazonaws.com' }, 'ecr:BatchGetImage')).toBe(false);
  });
});

describe('CrossAccountPullPolicy on an imported repository', () => {
  function imported(stack: Stack, name = 'shared/images'): ecr.IRepository {
    return ecr.Repository.fromRepositoryName(stack, `Imported${name.replace(/\W/g, '')}`, name);
  }

  test('writes the statements through a custom resource', () => {
    const stack = newStack();
    const project = newProject(stack);
    const policy = new CrossAccountPullPolicy(stack, 'Pull', {
      repository: imported(stack),
      accountIds: ['111111111111'],
      codeBuildProjects: [project],
    });

    const template = Template.fromStack(stack);
    template.resourceCountIs('Custom::CdkEcrCodebuildRepositoryPolicy', 1);
    template.hasResourceProperties('Custom::CdkEcrCodebuildRepositoryPolicy', {
      ServiceToken: {
        'Fn::GetAtt': [Match.stringLikeRegexp('^CdkEcrCodebuildRepositoryPolicyHandlerFunction'), 'Arn'],
      },
      RepositoryArn: {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ecr:${REGION}:${OWN_ACCOUNT}:repository/shared/images`]],
      },
      SidPrefix: Match.absent(),
      // the handler prefixes the kinds with the owner hash of the stack id and logical id
      Statements: [
        {
          Sid: 'Accounts',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: PULL_ACTIONS,
          Condition: { StringEquals: { 'aws:PrincipalAccount': ['111111111111'] } },
        },
        Match.objectLike({ Sid: 'CodeBuild', Principal: { Service: 'codebuild.amazonaws.com' } }),
      ],
    });
    expect(policy.repositoryPolicy).toBeDefined();
  });

  test('the handler may only edit the policy of the imported repository, use its lock and write its own logs', () => {
    const stack = newStack();
    const policy = new CrossAccountPullPolicy(stack, 'Pull', {
      repository: imported(stack),
      accountIds: ['111111111111'],
    });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Timeout: 300,
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('LogGroup') } },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    const policies = template.findResources('AWS::IAM::Policy');
    expect(Object.keys(policies)).toHaveLength(2);
    const defaultPolicy = Object.entries(policies).find(([id]) => id.includes('DefaultPolicy'))!;
    const repositoryPermissions = Object.entries(policies).find(([id]) => !id.includes('DefaultPolicy'))!;
    expect(defaultPolicy[1].Properties.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^CdkEcrCodebuildRepositoryPolicyHandlerLogGroup/), 'Arn'] },
      },
    ]);
    // the repository's permissions in a policy of their own, with the lock table of its account and region
    expect(repositoryPermissions[1].Properties.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['ecr:GetRepositoryPolicy', 'ecr:SetRepositoryPolicy', 'ecr:DeleteRepositoryPolicy'],
        Resource: {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, `:ecr:${REGION}:${OWN_ACCOUNT}:repository/shared/images`],
          ],
        },
      },
      {
        Effect: 'Allow',
        Action: [
          'dynamodb:CreateTable',
          'dynamodb:DescribeTable',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
        ],
        Resource: {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, `:dynamodb:${REGION}:${OWN_ACCOUNT}:table/cdk-ecr-codebuild-locks`],
          ],
        },
      },
    ]);
    const resources = Object.values(policies).flatMap((p: any) =>
      p.Properties.PolicyDocument.Statement.map((s: any) => JSON.stringify(s.Resource)),
    );
    expect(resources.join()).not.toContain('"*"');
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
    // the custom resource depends on the repository's permissions (so it is deleted before them)
    const logical = stack.getLogicalId(policy.repositoryPolicy!.node.defaultChild as any);
    expect(template.toJSON().Resources[logical].DependsOn).toEqual(expect.arrayContaining([repositoryPermissions[0]]));
  });

  test('one handler per stack; writers of the same repository run one after the other', () => {
    const stack = newStack();
    const repository = imported(stack);
    const a = new CrossAccountPullPolicy(stack, 'A', { repository, accountIds: ['111111111111'] });
    const b = new CrossAccountPullPolicy(stack, 'B', { repository, organizationId: ORG });
    new CrossAccountPullPolicy(stack, 'C', { repository: imported(stack, 'other'), accountIds: ['111111111111'] });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs('Custom::CdkEcrCodebuildRepositoryPolicy', 3);
    const logicalA = stack.getLogicalId(a.repositoryPolicy!.node.defaultChild as any);
    const logicalB = stack.getLogicalId(b.repositoryPolicy!.node.defaultChild as any);
    expect(template.toJSON().Resources[logicalB].DependsOn).toContain(logicalA);
    // the role may edit both repositories, each once, in a policy per repository
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (p: any) => p.Properties.PolicyDocument.Statement,
    );
    expect(statements.filter((s: any) => JSON.stringify(s.Action).includes('ecr:SetRepositoryPolicy'))).toHaveLength(2);
    template.resourceCountIs('AWS::IAM::Policy', 3);
  });

  test('fails when the imported repository is in another account', () => {
    const stack = newStack();
    const repository = ecr.Repository.fromRepositoryArn(
      stack,
      'Other',
      `arn:aws:ecr:${REGION}:123456789012:repository/images`,
    );
    expect(() => new CrossAccountPullPolicy(stack, 'Pull', { repository, accountIds: ['111111111111'] })).toThrow(
      /repository "Stack\/Other" is in account 123456789012, not in the stack's account 999999999999.*: create the CrossAccountPullPolicy in a stack deployed to account 123456789012/,
    );
  });

  test('warns when the account of the imported repository is unknown', () => {
    const stack = new Stack(new App(), 'Agnostic');
    const repository = ecr.Repository.fromRepositoryArn(
      stack,
      'Other',
      'arn:aws:ecr:eu-west-1:123456789012:repository/images',
    );
    new CrossAccountPullPolicy(stack, 'Pull', { repository, accountIds: ['111111111111'] });
    Annotations.fromStack(stack).hasWarning('/Agnostic/Pull', Match.stringLikeRegexp('cannot tell whether repository'));
  });

  test('an environment-agnostic stack knows that a repository imported by name is in its account', () => {
    const stack = new Stack(new App(), 'Agnostic');
    const repository = ecr.Repository.fromRepositoryName(stack, 'Images', 'images');
    new CrossAccountPullPolicy(stack, 'Pull', { repository, accountIds: ['111111111111'] });
    expect(
      Annotations.fromStack(stack).findWarning(
        '/Agnostic/Pull',
        Match.stringLikeRegexp('cannot tell whether repository'),
      ),
    ).toEqual([]);
  });
});

describe('validation', () => {
  function repo(stack: Stack): ecr.Repository {
    return new ecr.Repository(stack, 'Repository');
  }

  test('fails when an account id is not 12 digits', () => {
    const stack = newStack();
    expect(() => new CrossAccountPullPolicy(stack, 'Pull', { repository: repo(stack), accountIds: ['12345'] })).toThrow(
      /accountIds "12345" is not an AWS account id: use the 12 digits of the account/,
    );
  });

  test('fails when an account id added later is not 12 digits', () => {
    const stack = newStack();
    const policy = new CrossAccountPullPolicy(stack, 'Pull', { repository: repo(stack), accountIds: ['111111111111'] });
    expect(() => policy.addAccountIds('arn:aws:iam::111111111111:root')).toThrow(
      /accountIds "arn:aws:iam::111111111111:root" is not an AWS account id/,
    );
  });

  test('fails when a Lambda account id is not 12 digits', () => {
    const stack = newStack();
    expect(
      () => new CrossAccountPullPolicy(stack, 'Pull', { repository: repo(stack), lambdaAccountIds: ['1234567890123'] }),
    ).toThrow(/lambdaAccountIds "1234567890123" is not an AWS account id/);
  });

  test('fails when the organization id is malformed', () => {
    const stack = newStack();
    expect(
      () => new CrossAccountPullPolicy(stack, 'Pull', { repository: repo(stack), organizationId: 'o-SHORT' }),
    ).toThrow(
      /organizationId "o-SHORT" is not an AWS Organizations id: use "o-" followed by 10-32 lowercase letters or digits/,
    );
  });

  test.each([
    ['o-a1b2c3d4e5/r-ab12/'],
    ['o-a1b2c3d4e5/ou-ab12-11111111/'],
    ['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111'],
    ['r-ab12/ou-ab12-11111111/'],
    ['o-a1b2c3d4e5/*'],
  ])('fails when the OU path %s is malformed', (ouPath) => {
    const stack = newStack();
    expect(
      () => new CrossAccountPullPolicy(stack, 'Pull', { repository: repo(stack), organizationalUnitPaths: [ouPath] }),
    ).toThrow(
      /organizationalUnitPaths ".*" is not an organizational unit path: use "<organization id>\/<root id>\/<OU id>\/"/,
    );
  });

  test.each([[OU], [`${OU}*`], [`${OU}ou-ab12-22222222/`], [`${OU}ou-ab12-22222222/*`]])(
    'accepts the OU path %s',
    (ouPath) => {
      const stack = newStack();
      new CrossAccountPullPolicy(stack, 'Pull', { repository: repo(stack), organizationalUnitPaths: [ouPath] });
      expect(repositoryPolicy(stack).Statement[0].Condition['ForAnyValue:StringLike']['aws:PrincipalOrgPaths']).toBe(
        ouPath,
      );
    },
  );

  test('fails when nothing is granted', () => {
    const stack = newStack();
    new CrossAccountPullPolicy(stack, 'Pull', { repository: repo(stack) });
    expect(() => Template.fromStack(stack)).toThrow(
      /accountIds \[\] and organizationId, organizationalUnitPaths, codeBuildProjects and lambdaAccountIds are all empty.*: give at least one of them/,
    );
  });

  // The message used to say 'accountIds [] ... are all empty' although an id was given: it says that
  // the only id is the stack's own account, which needs no grant.
  test("fails when the only account id is this stack's own account, and says so", () => {
    const stack = newStack();
    new CrossAccountPullPolicy(stack, 'Pull', { repository: repo(stack), accountIds: [OWN_ACCOUNT, OWN_ACCOUNT] });
    expect(() => Template.fromStack(stack)).toThrow(
      /\[Stack\/Pull\] CrossAccountPullPolicy: accountIds \["999999999999"\] holds only this stack's own account, which needs no cross-account grant \(its principals pull with an identity policy\), and no organization, organizational unit, CodeBuild project or Lambda account is given, so the policy would grant nothing: list the accounts of the other teams that pull, or drop this CrossAccountPullPolicy$/m,
    );
  });

  test("fails when the only account id is the repository's own account in another stack, and says so", () => {
    const app = new App();
    const repositoryStack = newStack(app);
    const repository = repo(repositoryStack);
    const other = new Stack(app, 'Other', { env: { account: '888888888888', region: REGION } });
    new CrossAccountPullPolicy(other, 'Pull', { repository, accountIds: [OWN_ACCOUNT] });
    expect(() => app.synth()).toThrow(
      /\[Other\/Pull\] CrossAccountPullPolicy: accountIds \["999999999999"\] holds only the repository's own account, which needs no cross-account grant/,
    );
  });

  test("accepts the stack's own account next to another one (dropped with a warning, no error)", () => {
    const stack = newStack();
    new CrossAccountPullPolicy(stack, 'Pull', { repository: repo(stack), accountIds: [OWN_ACCOUNT, '111111111111'] });
    expect(repositoryPolicy(stack).Statement[0].Condition.StringEquals['aws:PrincipalAccount']).toEqual([
      '111111111111',
    ]);
  });

  test('the own account given alone is not an error when something else is granted (here an organization)', () => {
    const stack = newStack();
    new CrossAccountPullPolicy(stack, 'Pull', {
      repository: repo(stack),
      accountIds: [OWN_ACCOUNT],
      organizationId: 'o-a1b2c3d4e5',
    });
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('the late errors carry the class, as CDK reports them under the construct path', () => {
    const stack = newStack();
    new CrossAccountPullPolicy(stack, 'Pull', { repository: repo(stack) });
    expect(() => Template.fromStack(stack)).toThrow(
      /^\s*\[Stack\/Pull\] CrossAccountPullPolicy: accountIds \[\] and organizationId, organizationalUnitPaths, codeBuildProjects and lambdaAccountIds are all empty, so the policy would grant nothing: give at least one of them, or call addAccountIds\(\) \/ addCodeBuildProject\(\)$/m,
    );
    const stack2 = newStack();
    new CrossAccountPullPolicy(stack2, 'Pull', { repository: repo(stack2), accountIds: accountIds(700) });
    expect(() => Template.fromStack(stack2)).toThrow(
      /^\s*\[Stack\/Pull\] CrossAccountPullPolicy: accountIds "700 accounts" make the policy of repository Stack\/Repository /m,
    );
  });

  test('fails when the repository does not take a statement into its policy', () => {
    // a repository of this app whose addToResourcePolicy drops the statement
    class StatementDroppingRepository extends ecr.Repository {
      public addToResourcePolicy(_statement: iam.PolicyStatement): iam.AddToResourcePolicyResult {
        return { statementAdded: false };
      }
    }
    const stack = newStack();
    const repository = new StatementDroppingRepository(stack, 'Repository');
    expect(() => new CrossAccountPullPolicy(stack, 'Pull', { repository, accountIds: ['111111111111'] })).toThrow(
      /^\[Stack\/Pull\] CrossAccountPullPolicy: repository "Stack\/Repository" did not take the statement CdkEcrCodebuild[0-9A-F]+Accounts into its policy \(its addToResourcePolicy added nothing\): pass an ecr.Repository of this app, or import the repository/,
    );
  });

  test('skips tokens', () => {
    const stack = newStack();
    new CrossAccountPullPolicy(stack, 'Pull', {
      repository: repo(stack),
      accountIds: [Aws.ACCOUNT_ID],
      organizationId: Aws.NO_VALUE,
      organizationalUnitPaths: [Aws.STACK_NAME],
      lambdaAccountIds: [Aws.ACCOUNT_ID],
    });
    expect(repositoryPolicy(stack).Statement).toHaveLength(4);
  });

  test('fails when the repository policy would pass 10,240 characters, with count, size and fix', () => {
    const stack = newStack();
    new CrossAccountPullPolicy(stack, 'Pull', { repository: repo(stack), accountIds: accountIds(700) });
    expect(() => Template.fromStack(stack)).toThrow(
      /accountIds "700 accounts" make the policy of repository Stack\/Repository 10,7\d\d characters long, more than ECR's limit of 10,240.*: grant the accounts through their organization \(organizationId\) or organizational units \(organizationalUnitPaths\)/,
    );
  });

  test('counts accounts added after construction and the other statements of the repository', () => {
    // GIVEN a policy that fits on its own
    const stack = newStack();
    const repository = repo(stack);
    const policy = new CrossAccountPullPolicy(stack, 'Pull', { repository, accountIds: accountIds(600) });
    expect(() => Template.fromStack(stack)).not.toThrow();

    // WHEN another grant of the repository and late accounts push it over
    const stack2 = newStack();
    const repository2 = repo(stack2);
    const policy2 = new CrossAccountPullPolicy(stack2, 'Pull', {
      repository: repository2,
      accountIds: accountIds(600),
    });
    for (let i = 0; i < 10; i++) {
      repository2.grantPull(new iam.AccountPrincipal(String(200000000000 + i)));
    }
    policy2.addAccountIds('300000000000');

    // THEN
    expect(policy.sidPrefix).toBe(policy2.sidPrefix);
    expect(() => Template.fromStack(stack2)).toThrow(/accountIds "601 accounts" make the policy of repository/);
  });

  test('measures partitions conservatively (aws-us-gov)', () => {
    // Lambda ARNs carry the partition token: 190 of them fit with "aws" (3 chars) but not with "aws-us-gov" (10)
    const stack = newStack();
    const ids = accountIds(190);
    const repository = repo(stack);
    new CrossAccountPullPolicy(stack, 'Pull', { repository, lambdaAccountIds: ids });
    const text = stack.resolve((repository.node.defaultChild as ecr.CfnRepository).repositoryPolicyText);
    const commercial = JSON.stringify(resolveIntrinsics(text, { 'AWS::Partition': 'aws' })).length;
    expect(commercial).toBeLessThanOrEqual(10240);
    expect(commercial + 7 * ids.length).toBeGreaterThan(10240);
    expect(() => Template.fromStack(stack)).toThrow(
      /lambdaAccountIds "190 accounts" make .* more than ECR's limit of 10,240 \(partition, region and account counted at their longest/,
    );
  });

  test('fails when the statements alone pass the limit on an imported repository', () => {
    const stack = newStack();
    const repository = ecr.Repository.fromRepositoryName(stack, 'Imported', 'images');
    new CrossAccountPullPolicy(stack, 'Pull', { repository, accountIds: accountIds(700) });
    expect(() => Template.fromStack(stack)).toThrow(
      /accountIds "700 accounts" make the statements of this construct for repository/,
    );
  });
});

describe('warnings', () => {
  test('duplicate accounts are granted once, with a warning', () => {
    const stack = newStack();
    const repository = new ecr.Repository(stack, 'Repository');
    const policy = new CrossAccountPullPolicy(stack, 'Pull', {
      repository,
      accountIds: ['111111111111', '111111111111'],
    });
    policy.addAccountIds('222222222222', '111111111111');

    Annotations.fromStack(stack).hasWarning(
      '/Stack/Pull',
      Match.stringLikeRegexp('accountIds "111111111111" given more than once'),
    );
    expect(repositoryPolicy(stack).Statement[0].Condition.StringEquals['aws:PrincipalAccount']).toEqual([
      '111111111111',
      '222222222222',
    ]);
  });

  test('duplicate Lambda accounts are granted once, with a warning', () => {
    const stack = newStack();
    const repository = new ecr.Repository(stack, 'Repository');
    new CrossAccountPullPolicy(stack, 'Pull', { repository, lambdaAccountIds: ['111111111111', '111111111111'] });
    Annotations.fromStack(stack).hasWarning(
      '/Stack/Pull',
      Match.stringLikeRegexp('lambdaAccountIds "111111111111" given more than once'),
    );
    expect(repositoryPolicy(stack).Statement[0].Condition.StringLike['aws:SourceArn']).toEqual(
      expect.objectContaining({ 'Fn::Join': expect.anything() }),
    );
  });

  test("the repository's own account is not added, with a warning", () => {
    const stack = newStack();
    const repository = new ecr.Repository(stack, 'Repository');
    new CrossAccountPullPolicy(stack, 'Pull', { repository, accountIds: [OWN_ACCOUNT, '111111111111'] });
    Annotations.fromStack(stack).hasWarning(
      '/Stack/Pull',
      Match.stringLikeRegexp(`accountIds "${OWN_ACCOUNT}" is the account of the repository`),
    );
    expect(repositoryPolicy(stack).Statement[0].Condition.StringEquals['aws:PrincipalAccount']).toEqual([
      '111111111111',
    ]);
  });

  test('PULL_PUSH for a whole organization warns', () => {
    const stack = newStack();
    const repository = new ecr.Repository(stack, 'Repository');
    new CrossAccountPullPolicy(stack, 'Pull', { repository, organizationId: ORG, accessLevel: AccessLevel.PULL_PUSH });
    Annotations.fromStack(stack).hasWarning(
      '/Stack/Pull',
      Match.stringLikeRegexp(`lets every account of organization ${ORG} push images`),
    );
  });

  test('an open statement of others in the repository policy warns (our ECR1 suppression would hide it)', () => {
    const stack = newStack();
    const repository = new ecr.Repository(stack, 'Repository');
    repository.addToResourcePolicy(
      new iam.PolicyStatement({ sid: 'Public', principals: [new iam.AnyPrincipal()], actions: ['ecr:BatchGetImage'] }),
    );
    new CrossAccountPullPolicy(stack, 'Pull', { repository, accountIds: ['111111111111'] });
    Annotations.fromStack(stack).hasWarning(
      '/Stack/Pull',
      Match.stringLikeRegexp('has 1 statement\\(s\\) with Principal "\\*" and no condition \\(Public\\)'),
    );
  });

  test('PULL for an organization does not warn', () => {
    const stack = newStack();
    const repository = new ecr.Repository(stack, 'Repository');
    new CrossAccountPullPolicy(stack, 'Pull', { repository, organizationId: ORG });
    Annotations.fromStack(stack).hasNoWarning('/Stack/Pull', Match.anyValue());
  });
});

describe('capacity', () => {
  test('at least 600 accounts fit in one repository policy', () => {
    expect(repositoryPolicyLength('CrossAccountPullPolicy', 600)).toBeLessThanOrEqual(10240);
    expect(maxAccountsThatFit('CrossAccountPullPolicy', undefined, 1024)).toBeGreaterThanOrEqual(600);
  });
});

describe('template checks', () => {
  test('a created and an imported repository pass cdk-nag AwsSolutions and cfn-lint', () => {
    // GIVEN
    const app = new App();
    const stack = newStack(app);
    const created = new ecr.Repository(stack, 'Repository', { imageScanOnPush: true });
    const importedRepository = ecr.Repository.fromRepositoryName(stack, 'Imported', 'shared/images');
    const project = codebuild.Project.fromProjectName(stack, 'Project', 'builder');
    new CrossAccountPullPolicy(stack, 'Created', {
      repository: created,
      accountIds: ['111111111111'],
      organizationId: ORG,
      organizationalUnitPaths: [OU],
      codeBuildProjects: [project],
      lambdaAccountIds: ['222222222222'],
    });
    new CrossAccountPullPolicy(stack, 'ImportedPull', {
      repository: importedRepository,
      accountIds: ['111111111111'],
      accessLevel: AccessLevel.PULL_PUSH,
    });
    Aspects.of(app).add(new AwsSolutionsChecks());

    // WHEN
    const assembly = app.synth();

    // THEN
    expect(Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-lint-')), 'template.json');
    fs.writeFileSync(file, JSON.stringify(assembly.getStackByName(stack.stackName).template, null, 1));
    expect(cfnLint(file)).toBe('');
  });
});
