/**
 * A small resolver for the CloudFormation intrinsics that CDK templates use: Ref, Fn::GetAtt,
 * Fn::Join, Fn::Sub, Fn::Select, Fn::Split, Fn::Base64 and the pseudo parameters. It turns a
 * template value into the value CloudFormation would send to the service, given the physical ids
 * and attributes of the deployed resources. Anything else throws, so that a template the resolver
 * does not understand fails the test instead of being compared half-resolved.
 */

/** What a template value resolves against: the deployed stack. */
export interface ResolveContext {
  /** AWS::AccountId, AWS::Region, AWS::Partition, AWS::URLSuffix, AWS::StackName, AWS::StackId. */
  readonly pseudo: Record<string, string>;
  /** Template parameters, by name (values as deployed). */
  readonly parameters: Record<string, unknown>;
  /** `Ref` of a resource: its physical id. */
  ref(logicalId: string): string | undefined;
  /** `Fn::GetAtt` of a resource. */
  getAtt(logicalId: string, attribute: string): string | undefined;
}

/** Thrown for an intrinsic or reference the resolver cannot resolve. */
export class UnresolvableError extends Error {}

const NO_VALUE = Symbol('AWS::NoValue');

/** Resolves every intrinsic in `value` (deeply); `AWS::NoValue` drops the key or list element. */
export function resolveIntrinsics(value: unknown, context: ResolveContext): unknown {
  const resolved = resolve(value, context);
  return resolved === NO_VALUE ? undefined : resolved;
}

function resolve(value: unknown, context: ResolveContext): unknown {
  if (Array.isArray(value)) {
    return value.map((v) => resolve(v, context)).filter((v) => v !== NO_VALUE);
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1 && (entries[0][0] === 'Ref' || entries[0][0].startsWith('Fn::'))) {
    return intrinsic(entries[0][0], entries[0][1], context);
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of entries) {
    const r = resolve(v, context);
    if (r !== NO_VALUE) {
      out[key] = r;
    }
  }
  return out;
}

function intrinsic(name: string, arg: unknown, context: ResolveContext): unknown {
  switch (name) {
    case 'Ref':
      return ref(String(arg), context);
    case 'Fn::GetAtt': {
      const [logicalId, attribute] = Array.isArray(arg) ? arg.map(String) : String(arg).split(/\.(.*)/s);
      const v = context.getAtt(logicalId, attribute);
      if (v === undefined) {
        throw new UnresolvableError(`Fn::GetAtt ${logicalId}.${attribute}: unknown resource or attribute`);
      }
      return v;
    }
    case 'Fn::Join': {
      const [separator, list] = expectArray(name, arg, 2);
      return asStringList(name, resolve(list, context)).join(String(separator));
    }
    case 'Fn::Select': {
      const [index, list] = expectArray(name, arg, 2);
      const items = asList(name, resolve(list, context));
      const i = Number(resolve(index, context));
      if (!Number.isInteger(i) || i < 0 || i >= items.length) {
        throw new UnresolvableError(`Fn::Select index ${i} out of range (${items.length} items)`);
      }
      return items[i];
    }
    case 'Fn::Split': {
      const [separator, source] = expectArray(name, arg, 2);
      return String(resolve(source, context)).split(String(separator));
    }
    case 'Fn::Sub':
      return sub(arg, context);
    case 'Fn::Base64':
      return Buffer.from(String(resolve(arg, context))).toString('base64');
    default:
      throw new UnresolvableError(`intrinsic ${name} is not supported by the test resolver`);
  }
}

function ref(name: string, context: ResolveContext): unknown {
  if (name === 'AWS::NoValue') {
    return NO_VALUE;
  }
  if (name.startsWith('AWS::')) {
    const v = context.pseudo[name];
    if (v === undefined) {
      throw new UnresolvableError(`pseudo parameter ${name} is not known`);
    }
    return v;
  }
  if (name in context.parameters) {
    return context.parameters[name];
  }
  const physical = context.ref(name);
  if (physical === undefined) {
    throw new UnresolvableError(`Ref ${name}: not a parameter or a deployed resource`);
  }
  return physical;
}

function sub(arg: unknown, context: ResolveContext): string {
  const [template, variables] = Array.isArray(arg) ? expectArray('Fn::Sub', arg, 2) : [arg, {}];
  const vars = resolve(variables, context) as Record<string, unknown>;
  return String(template).replace(/\$\{(!?)([^}]+)\}/g, (whole, bang: string, expr: string) => {
    if (bang) {
      return `\${${expr}}`;
    }
    if (expr in vars) {
      return String(vars[expr]);
    }
    if (expr.includes('.') && !expr.startsWith('AWS::')) {
      const [logicalId, attribute] = expr.split(/\.(.*)/s);
      return String(intrinsic('Fn::GetAtt', [logicalId, attribute], context));
    }
    const v = ref(expr, context);
    if (v === NO_VALUE) {
      throw new UnresolvableError(`Fn::Sub cannot use ${whole}`);
    }
    return String(v);
  });
}

function expectArray(name: string, arg: unknown, length: number): unknown[] {
  if (!Array.isArray(arg) || arg.length !== length) {
    throw new UnresolvableError(`${name} expects a list of ${length} items, got ${JSON.stringify(arg)}`);
  }
  return arg;
}

function asList(name: string, value: unknown): unknown[] {
  if (!Array.isArray(value)) {
    throw new UnresolvableError(`${name} expects a list, got ${JSON.stringify(value)}`);
  }
  return value;
}

function asStringList(name: string, value: unknown): string[] {
  return asList(name, value).map((v) => {
    if (typeof v === 'object' && v !== null) {
      throw new UnresolvableError(`${name} expects strings, got ${JSON.stringify(v)}`);
    }
    return String(v);
  });
}
