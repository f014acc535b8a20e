import { resolveIntrinsics } from './policy-evaluator';

/**
 * A small replay of how CloudFormation updates a stack from one template to the next, enough to
 * check the order of operations a custom resource sees and the IAM permissions its function has at
 * each step. IAM is not enforced by the emulator: the replay keeps the identity policies that are
 * live at each moment and answers AccessDenied itself.
 *
 * Order (CloudFormation's documented behaviour for an update):
 * 1. Resources of the new template are created or updated in dependency order (a resource after
 *    everything it references or DependsOn). Among resources that are ready, IAM policies go
 *    first: the most adverse order for a function that must keep its permissions.
 * 2. Cleanup (UPDATE_COMPLETE_CLEANUP_IN_PROGRESS): resources missing from the new template and
 *    the old physical resources of replaced custom resources (a new physical id) are deleted in
 *    reverse dependency order of the OLD template (a resource before what it depended on). Among
 *    those that are ready, IAM policies go first again.
 */

export type Template = { Resources: Record<string, { Type: string; Properties?: any; DependsOn?: string | string[] }> };

export interface IdentityStatement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: string | string[];
}

/** One custom resource invocation, as CloudFormation would send it. */
export interface CustomResourceCall {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Record<string, unknown>;
  readonly OldResourceProperties?: Record<string, unknown>;
  /** The identity statements of the function's role at the moment of the call. */
  readonly permissions: () => IdentityStatement[];
}

export interface ReplayStep {
  readonly phase: 'deploy' | 'cleanup';
  readonly action: 'create' | 'update' | 'delete';
  readonly logicalId: string;
  readonly type: string;
}

interface Live {
  type: string;
  properties: Record<string, any>;
  physicalId: string;
}

const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
};

/** The logical ids a resource depends on: Ref, Fn::GetAtt and DependsOn. */
export function dependenciesOf(template: Template, logicalId: string): Set<string> {
  const resource = template.Resources[logicalId];
  const found = new Set<string>([resource.DependsOn ?? []].flat());
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, arg] of Object.entries(value as Record<string, unknown>)) {
        if (key === 'Ref' && typeof arg === 'string' && arg in template.Resources) {
          found.add(arg);
        } else if (key === 'Fn::GetAtt' && Array.isArray(arg) && arg[0] in template.Resources) {
          found.add(arg[0] as string);
        } else {
          visit(arg);
        }
      }
    }
  };
  visit(resource.Properties ?? {});
  return found;
}

/**
 * Replays the update from `previous` (undefined: stack creation) to `next`. `invoke` runs the
 * custom resources (type `Custom::…`) and returns their physical id.
 */
export class CloudFormationReplay {
  public readonly steps: ReplayStep[] = [];
  private readonly live = new Map<string, Live>();

  constructor(
    private readonly env: { account: string; region: string; stackId: string },
    private readonly invoke: (call: CustomResourceCall) => Promise<string>,
  ) {}

  /** Deploys `next` over whatever the previous deploy left. */
  public async deploy(previous: Template | undefined, nextTemplate: Template): Promise<void> {
    const old = { Resources: previous?.Resources ?? {} };
    const next = { Resources: nextTemplate.Resources ?? {} };
    const cleanup: Array<{ logicalId: string; physicalId: string; properties: Record<string, any>; type: string }> = [];

    // 1. create / update in dependency order of the new template
    const done = new Set<string>();
    const pending = new Set(Object.keys(next.Resources));
    while (pending.size > 0) {
      const ready = [...pending].filter((id) => [...dependenciesOf(next, id)].every((d) => done.has(d)));
      if (ready.length === 0) {
        throw new Error(`dependency cycle among ${[...pending].join(', ')}`);
      }
      const id = ready.sort(iamFirst(next))[0];
      const resource = next.Resources[id];
      const properties = this.resolve(resource.Properties ?? {});
      const before = this.live.get(id);
      if (!before) {
        const physicalId = resource.Type.startsWith('Custom::')
          ? await this.invoke({
              RequestType: 'Create',
              LogicalResourceId: id,
              ResourceProperties: properties,
              permissions: () => this.permissionsOf(properties.ServiceToken),
            })
          : id;
        this.live.set(id, { type: resource.Type, properties, physicalId });
        this.steps.push({ phase: 'deploy', action: 'create', logicalId: id, type: resource.Type });
      } else if (JSON.stringify(before.properties) !== JSON.stringify(properties)) {
        let physicalId = before.physicalId;
        if (resource.Type.startsWith('Custom::')) {
          physicalId = await this.invoke({
            RequestType: 'Update',
            LogicalResourceId: id,
            PhysicalResourceId: before.physicalId,
            ResourceProperties: properties,
            OldResourceProperties: before.properties,
            permissions: () => this.permissionsOf(properties.ServiceToken),
          });
          if (physicalId !== before.physicalId) {
            cleanup.push({
              logicalId: id,
              physicalId: before.physicalId,
              properties: before.properties,
              type: before.type,
            });
          }
        }
        this.live.set(id, { type: resource.Type, properties, physicalId });
        this.steps.push({ phase: 'deploy', action: 'update', logicalId: id, type: resource.Type });
      }
      done.add(id);
      pending.delete(id);
    }

    // 2. cleanup in reverse dependency order of the old template
    for (const id of Object.keys(old.Resources).filter((gone) => !(gone in next.Resources))) {
      const gone = this.live.get(id)!;
      cleanup.push({ logicalId: id, physicalId: gone.physicalId, properties: gone.properties, type: gone.type });
    }
    const remaining = new Set(cleanup.map((c) => c.logicalId));
    while (remaining.size > 0) {
      // ready: no other old resource still to delete depends on it
      const ready = [...remaining].filter(
        (id) => ![...remaining].some((other) => other !== id && dependenciesOf(old, other).has(id)),
      );
      if (ready.length === 0) {
        throw new Error(`dependency cycle in cleanup among ${[...remaining].join(', ')}`);
      }
      const id = ready.sort(iamFirst(old))[0];
      const item = cleanup.find((c) => c.logicalId === id)!;
      if (item.type.startsWith('Custom::')) {
        await this.invoke({
          RequestType: 'Delete',
          LogicalResourceId: id,
          PhysicalResourceId: item.physicalId,
          ResourceProperties: item.properties,
          permissions: () => this.permissionsOf(item.properties.ServiceToken),
        });
      }
      if (!(id in next.Resources)) {
        this.live.delete(id);
      }
      this.steps.push({ phase: 'cleanup', action: 'delete', logicalId: id, type: item.type });
      remaining.delete(id);
    }
  }

  /**
   * The identity statements of the role of the function behind `serviceToken`, from the IAM
   * policies live now. Fails when the function or its role is not live.
   */
  private permissionsOf(serviceToken: string): IdentityStatement[] {
    const functionId = /function:(.+)$/.exec(String(serviceToken))?.[1];
    const fn = functionId ? this.live.get(functionId) : undefined;
    if (!fn || fn.type !== 'AWS::Lambda::Function') {
      throw new Error(`the function ${serviceToken} of the custom resource is not there`);
    }
    const roleId = /role\/(.+)$/.exec(String(fn.properties.Role))?.[1];
    if (!roleId || !this.live.has(roleId)) {
      throw new Error(`the role of ${functionId} is not there`);
    }
    return [...this.live.values()]
      .filter((r) => r.type === 'AWS::IAM::Policy' && (r.properties.Roles ?? []).includes(roleId))
      .flatMap((r) => r.properties.PolicyDocument.Statement as IdentityStatement[]);
  }

  /** Template values with pseudo parameters and references replaced by plain strings. */
  private resolve(value: Record<string, any>): Record<string, any> {
    const values: Record<string, string> = {
      ...PSEUDO,
      'AWS::Region': this.env.region,
      'AWS::AccountId': this.env.account,
      'AWS::StackId': this.env.stackId,
    };
    const ids = new Set<string>();
    const collect = (v: unknown): void => {
      if (Array.isArray(v)) {
        v.forEach(collect);
      } else if (v !== null && typeof v === 'object') {
        for (const [key, arg] of Object.entries(v as Record<string, unknown>)) {
          if (key === 'Ref' && typeof arg === 'string' && !arg.startsWith('AWS::')) {
            ids.add(arg);
          } else if (key === 'Fn::GetAtt' && Array.isArray(arg)) {
            ids.add(arg[0] as string);
          } else {
            collect(arg);
          }
        }
      }
    };
    collect(value);
    for (const id of ids) {
      // references to roles and functions look like their ARNs (the replay reads them back)
      values[id] = id;
      values[`${id}.Arn`] = `arn:aws:iam::${this.env.account}:role/${id}`;
      const type = this.live.get(id)?.type;
      if (type === 'AWS::Lambda::Function' || /Function/.test(id)) {
        values[`${id}.Arn`] = `arn:aws:lambda:${this.env.region}:${this.env.account}:function:${id}`;
      }
    }
    return resolveIntrinsics(value, values) as Record<string, any>;
  }
}

/** Sort order among ready resources: IAM policies first, then by logical id. */
function iamFirst(template: Template): (a: string, b: string) => number {
  const rank = (id: string) => (template.Resources[id].Type === 'AWS::IAM::Policy' ? 0 : 1);
  return (a, b) => rank(a) - rank(b) || a.localeCompare(b);
}

/** Whether identity statements allow `action` on `resource` (exact names and `*` wildcards). */
export function identityAllows(statements: IdentityStatement[], action: string, resource: string): boolean {
  const matches = (pattern: string, value: string) =>
    new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`).test(value);
  return statements.some(
    (s) =>
      s.Effect === 'Allow' &&
      [s.Action].flat().some((a) => matches(a, action)) &&
      [s.Resource].flat().some((r) => matches(r, resource)),
  );
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
