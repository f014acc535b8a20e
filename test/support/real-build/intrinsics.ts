import { Template } from 'aws-cdk-lib/assertions';

/** What CloudFormation would know after deploying a template to one account and region. */
export interface DeployContext {
  readonly account: string;
  readonly region: string;
  /** @default 'aws' */
  readonly partition?: string;
  /** @default 'amazonaws.com' */
  readonly urlSuffix?: string;
}

/**
 * Resolves the CloudFormation intrinsics of `value` the way a deploy of `template` would: pseudo
 * parameters, `Ref` and `Fn::GetAtt .Arn` of ECR repositories with a literal `RepositoryName`,
 * `Fn::Join`, `Fn::Select`, `Fn::Split`. Anything else throws (better than a wrong guess).
 */
export function resolveIntrinsics(value: unknown, template: Template, context: DeployContext): string {
  const resources = template.toJSON().Resources ?? {};
  const partition = context.partition ?? 'aws';
  const pseudo: Record<string, string> = {
    'AWS::AccountId': context.account,
    'AWS::Region': context.region,
    'AWS::Partition': partition,
    'AWS::URLSuffix': context.urlSuffix ?? 'amazonaws.com',
  };
  const repositoryName = (logicalId: string): string => {
    const resource = resources[logicalId];
    const name = resource?.Properties?.RepositoryName;
    if (resource?.Type !== 'AWS::ECR::Repository' || typeof name !== 'string') {
      throw new Error(`cannot resolve ${logicalId}: only ECR repositories with a literal RepositoryName are known`);
    }
    return name;
  };

  const resolve = (v: unknown): unknown => {
    if (typeof v === 'string' || typeof v === 'number') {
      return String(v);
    }
    if (Array.isArray(v)) {
      return v.map(resolve);
    }
    if (v === null || typeof v !== 'object') {
      throw new Error(`cannot resolve ${JSON.stringify(v)}`);
    }
    const [fn, arg] = Object.entries(v as Record<string, unknown>)[0] ?? [];
    switch (fn) {
      case 'Ref':
        return pseudo[String(arg)] ?? repositoryName(String(arg));
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(arg) ? arg.map(String) : String(arg).split('.');
        if (attribute !== 'Arn') {
          throw new Error(`cannot resolve Fn::GetAtt ${logicalId}.${attribute}`);
        }
        return `arn:${partition}:ecr:${context.region}:${context.account}:repository/${repositoryName(logicalId)}`;
      }
      case 'Fn::Join': {
        const [separator, parts] = arg as [string, unknown[]];
        return (resolve(parts) as unknown[]).map(String).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [unknown, unknown];
        const items = resolve(list) as unknown[];
        return items[Number(resolve(index))];
      }
      case 'Fn::Split': {
        const [separator, source] = arg as [string, unknown];
        return String(resolve(source)).split(separator);
      }
      default:
        throw new Error(`cannot resolve ${JSON.stringify(v)}`);
    }
  };

  const resolved = resolve(value);
  if (typeof resolved !== 'string') {
    throw new Error(`${JSON.stringify(value)} does not resolve to a string`);
  }
  return resolved;
}
