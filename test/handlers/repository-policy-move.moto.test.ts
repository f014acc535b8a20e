import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateRepositoryCommand,
  ECRClient,
  GetRepositoryPolicyCommand,
  SetRepositoryPolicyCommand,
} from '@aws-sdk/client-ecr';
import { App, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { CrossAccountPullPolicy } from '../../src';
import { CloudFormationReplay, CustomResourceCall, identityAllows, Template } from '../support/cfn-replay';
import { motoClientConfig, MotoServer, startMoto } from '../support/moto-server';

/**
 * Revocation that sticks: the synthesized templates of a stack whose grant moves from one imported
 * repository to another, and then goes away, replayed in CloudFormation's order of operations
 * against moto. Every AWS call of the handler is checked against the IAM policies of its role that
 * are live at that moment (moto does not enforce IAM; the replay does).
 */

// eslint-disable-next-line @typescript-eslint/no-require-imports
const handlerModule = require('../../handlers/repository-policy');

const ACCOUNT = '123456789012'; // moto's account
const REGION = 'eu-west-1';
const STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/Consumers/11111111-2222-3333-4444-555555555555`;
const FOREIGN = {
  Sid: 'KeepMe',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::444444444444:root` },
  Action: 'ecr:BatchGetImage',
};

/** The template of the stack with the grant on `repositoryName` (none: the construct removed). */
function template(repositoryName?: string): Template {
  const app = new App();
  const stack = new Stack(app, 'Consumers', { env: { account: ACCOUNT, region: REGION } });
  if (repositoryName) {
    new CrossAccountPullPolicy(stack, 'Pull', {
      repository: ecr.Repository.fromRepositoryName(stack, 'Shared', repositoryName),
      accountIds: ['111111111111'],
    });
  }
  return app.synth().getStackByName('Consumers').template;
}

/**
 * The same template with the permissions on repositories in the role's default policy, as the
 * first version had them: the negative control that shows what the replay catches.
 */
function withPermissionsInDefaultPolicy(t: Template): Template {
  const copy: Template = JSON.parse(JSON.stringify(t));
  const ids = Object.keys(copy.Resources);
  const defaultPolicy = ids.find(
    (id) => copy.Resources[id].Type === 'AWS::IAM::Policy' && id.includes('DefaultPolicy'),
  )!;
  for (const id of ids.filter((i) => copy.Resources[i].Type === 'AWS::IAM::Policy' && i !== defaultPolicy)) {
    copy.Resources[defaultPolicy].Properties.PolicyDocument.Statement.push(
      ...copy.Resources[id].Properties.PolicyDocument.Statement,
    );
    delete copy.Resources[id];
    for (const resource of Object.values(copy.Resources)) {
      if (Array.isArray(resource.DependsOn)) {
        resource.DependsOn = resource.DependsOn.filter((d) => d !== id);
      }
    }
  }
  return copy;
}

describe('a grant that moves to another repository, then goes away, under CloudFormation order', () => {
  let moto: MotoServer | undefined;
  let ecrClient: ECRClient;
  let dynamodb: DynamoDBClient;
  let round = 0;

  beforeAll(async () => {
    moto = await startMoto();
    ecrClient = new ECRClient(motoClientConfig(moto.endpoint, REGION));
    dynamodb = new DynamoDBClient(motoClientConfig(moto.endpoint, REGION));
  }, 60_000);

  afterAll(async () => {
    ecrClient?.destroy();
    dynamodb?.destroy();
    await moto?.stop();
  }, 30_000);

  /** An ECR or DynamoDB client that answers AccessDenied unless the role's live policies allow the call. */
  function guarded(client: { send: (c: any, o?: any) => Promise<any> }, service: string, call: CustomResourceCall) {
    return {
      send: async (command: any, options?: any) => {
        const action = `${service}:${command.constructor.name.replace(/Command$/, '')}`;
        const resource =
          service === 'ecr'
            ? `arn:aws:ecr:${REGION}:${command.input.registryId ?? ACCOUNT}:repository/${command.input.repositoryName}`
            : `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${command.input.TableName}`;
        if (!identityAllows(call.permissions(), action, resource)) {
          const error = new Error(`User is not authorized to perform: ${action} on resource: ${resource}`);
          error.name = 'AccessDeniedException';
          throw error;
        }
        return client.send(command, options);
      },
    };
  }

  async function replay(templates: Template[]) {
    const failures: string[] = [];
    const calls: string[] = [];
    const cfn = new CloudFormationReplay({ account: ACCOUNT, region: REGION, stackId: STACK_ID }, async (call) => {
      calls.push(`${call.RequestType} ${(call.ResourceProperties as any).RepositoryArn}`);
      const event = {
        ...call,
        StackId: STACK_ID,
        RequestId: `r${calls.length}`,
        ResponseURL: 'https://example.invalid',
      };
      try {
        const result = await handlerModule.onEvent(event, {
          ecr: guarded(ecrClient, 'ecr', call),
          dynamodb: guarded(dynamodb, 'dynamodb', call),
          log: () => undefined,
        });
        return result.PhysicalResourceId;
      } catch (error: any) {
        // CloudFormation marks the resource failed; in the cleanup it carries on (DELETE_FAILED, kept)
        failures.push(`${call.RequestType} ${(call.ResourceProperties as any).RepositoryArn}: ${error.message}`);
        return call.PhysicalResourceId ?? 'failed';
      }
    });
    let previous: Template | undefined;
    for (const t of templates) {
      await cfn.deploy(previous, t);
      previous = t;
    }
    return { failures, calls, steps: cfn.steps };
  }

  async function repositories() {
    round++;
    const names = [`team${round}/old`, `team${round}/new`];
    for (const repositoryName of names) {
      await ecrClient.send(new CreateRepositoryCommand({ repositoryName }));
      await ecrClient.send(
        new SetRepositoryPolicyCommand({
          repositoryName,
          policyText: JSON.stringify({ Version: '2012-10-17', Statement: [FOREIGN] }),
        }),
      );
    }
    return names;
  }

  async function sidsOf(repositoryName: string): Promise<string[]> {
    const response = await ecrClient.send(new GetRepositoryPolicyCommand({ repositoryName }));
    return JSON.parse(response.policyText!).Statement.map((s: any) => s.Sid);
  }

  test('the statements leave the old repository when the grant moves, and the new one when it goes', async () => {
    const [oldName, newName] = await repositories();

    // deploy on the old repository, move to the new one, remove the construct
    const v1 = template(oldName);
    const { failures } = await replay([v1]);
    expect(failures).toEqual([]);
    expect(await sidsOf(oldName)).toEqual(['KeepMe', expect.stringMatching(/^CdkEcrCodebuildS[0-9A-F]{16}Accounts$/)]);

    const v2 = template(newName);
    const moved = await replay([v1, v2]);
    expect(moved.failures).toEqual([]);
    expect(await sidsOf(oldName)).toEqual(['KeepMe']);
    expect((await sidsOf(newName)).length).toBe(2);
    // the order the replay followed: the update of the custom resource, then the cleanup Delete on
    // the old repository before the old repository's permissions went
    const cleanup = moved.steps.filter((s) => s.phase === 'cleanup').map((s) => s.type);
    expect(cleanup).toEqual(['Custom::CdkEcrCodebuildRepositoryPolicy', 'AWS::IAM::Policy']);
    expect(moved.calls.slice(-2)).toEqual([
      `Update arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${newName}`,
      `Delete arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${oldName}`,
    ]);

    const removed = await replay([v2, template()]);
    expect(removed.failures).toEqual([]);
    expect(await sidsOf(newName)).toEqual(['KeepMe']);
    expect(removed.steps.filter((s) => s.phase === 'cleanup')[0].type).toBe('Custom::CdkEcrCodebuildRepositoryPolicy');
  }, 60_000);

  test('upgrading a stack deployed with the first Sid scheme replaces its statements in place', async () => {
    const [oldName] = await repositories();
    const current = template(oldName);
    // the first version: permissions in the default policy, SidPrefix and full Sids in the properties
    const first = withPermissionsInDefaultPolicy(current);
    const legacy = 'CdkEcrCodebuild0123ABCD';
    for (const resource of Object.values(first.Resources)) {
      if (resource.Type === 'Custom::CdkEcrCodebuildRepositoryPolicy') {
        resource.Properties.SidPrefix = legacy;
        resource.Properties.Statements = resource.Properties.Statements.map((st: any) => ({
          ...st,
          Sid: legacy + st.Sid,
        }));
      }
    }

    const { failures, steps } = await replay([first, current]);

    expect(failures).toEqual([]);
    expect(await sidsOf(oldName)).toEqual(['KeepMe', expect.stringMatching(/^CdkEcrCodebuildS[0-9A-F]{16}Accounts$/)]);
    // updated in place: no cleanup Delete of the custom resource
    expect(steps.filter((st) => st.phase === 'cleanup').map((st) => st.type)).toEqual([]);
  }, 60_000);

  test('negative control: with the permissions in the role default policy the old statements would stay', async () => {
    const [oldName, newName] = await repositories();
    const v1 = withPermissionsInDefaultPolicy(template(oldName));
    const v2 = withPermissionsInDefaultPolicy(template(newName));

    const { failures } = await replay([v1, v2]);

    expect(failures).toEqual([
      expect.stringMatching(
        new RegExp(`^Delete arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${oldName}: User is not authorized to perform`),
      ),
    ]);
    expect((await sidsOf(oldName)).length).toBe(2); // the revoked grant stays
  }, 60_000);
});
