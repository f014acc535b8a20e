/**
 * What a synthesized template needs before moto's CloudFormation can deploy it, and nothing more.
 *
 * - Resource types moto's CloudFormation does not implement (it skips them silently and resolves a
 *   `Ref` to them as the string "None"; e.g. AWS::CodeBuild::Project, AWS::S3::BucketPolicy) are
 *   taken out of the template and *emulated*: references to them are replaced by the physical id
 *   the test gives them, and the test creates them afterwards through the service API
 *   (see replay.ts). `Custom::*` resources are taken out too (moto would invoke their Lambda,
 *   which needs Docker); they are reported, not replayed.
 * - AWS::ECR::Repository: moto stores `ImageScanningConfiguration` and `EncryptionConfiguration`
 *   verbatim and serves them under the API's member names, so the CloudFormation member names
 *   (`ScanOnPush`, `EncryptionType`, `KmsKey`) are rewritten to the API's (`scanOnPush`, ...). The
 *   values are not touched.
 *
 * - An AWS::ECR::Repository without RepositoryName gets a lowercase generated name, as
 *   CloudFormation does (moto's generated name has capitals, which its own ECR rejects).
 *
 * Rules (CheckBootstrapVersion) are left in: moto ignores them (it does not evaluate Rules).
 */
import { execFile } from 'child_process';
import { promisify } from 'util';

export type Template = {
  Resources: Record<string, TemplateResource>;
  Parameters?: Record<string, { Type: string; Default?: unknown }>;
  [key: string]: unknown;
};
export type TemplateResource = {
  Type: string;
  Properties?: Record<string, any>;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  [key: string]: unknown;
};

/** A resource moto does not deploy, with the physical id the test gives it. */
export interface EmulatedResource {
  readonly logicalId: string;
  readonly type: string;
  /** Physical id (a template value: may hold intrinsics) for `Ref`; undefined when it cannot be referenced. */
  readonly physicalId?: unknown;
  /** `Fn::GetAtt` values (template values). */
  readonly attributes: Record<string, unknown>;
}

export interface MotoTemplate {
  /** The template to send to moto. */
  readonly template: Template;
  /** Resources taken out of the template, by logical id. */
  readonly emulated: Record<string, EmulatedResource>;
  /** What was changed, for the test output. */
  readonly adaptations: string[];
}

/** Resource types moto's CloudFormation implements (asked from the installed moto itself). */
export async function motoSupportedTypes(): Promise<Set<string>> {
  const script =
    'import json\n' +
    'from moto.cloudformation.parsing import get_model_map, NULL_MODELS\n' +
    'print(json.dumps(sorted(set(get_model_map()) - set(NULL_MODELS))))\n';
  try {
    const { stdout } = await promisify(execFile)('python3', ['-c', script], { timeout: 60_000 });
    return new Set(JSON.parse(stdout) as string[]);
  } catch (e: any) {
    throw new Error(`cannot list moto's CloudFormation resource types (is moto installed for python3?): ${e.message}`);
  }
}

/** Adapts `original` (not modified) for moto; `supported` from motoSupportedTypes(). */
export function adaptForMoto(stackName: string, original: Template, supported: Set<string>): MotoTemplate {
  const template: Template = JSON.parse(JSON.stringify(original));
  const emulated: Record<string, EmulatedResource> = {};
  const adaptations: string[] = [];

  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type.startsWith('Custom::') || resource.Type === 'AWS::CloudFormation::CustomResource') {
      emulated[logicalId] = { logicalId, type: resource.Type, attributes: {} };
    } else if (!supported.has(resource.Type)) {
      emulated[logicalId] = emulate(stackName, logicalId, resource);
    } else if (resource.Type === 'AWS::ECR::Repository') {
      const props = (resource.Properties ??= {});
      if (props.RepositoryName === undefined) {
        // moto names it "<stack>-<logical id>-<suffix>" with capitals, which its ECR then rejects;
        // CloudFormation generates a lowercase name.
        props.RepositoryName = `${stackName}-${logicalId}-${Math.random().toString(36).slice(2, 10)}`.toLowerCase();
        adaptations.push(`${logicalId}: lowercase RepositoryName generated (moto's has capitals, which ECR rejects)`);
      }
      for (const [prop, names] of Object.entries(ECR_MEMBER_NAMES)) {
        if (props[prop] !== undefined) {
          props[prop] = renameKeys(props[prop], names);
          adaptations.push(`${logicalId}: ${prop} member names in API casing`);
        }
      }
    }
  }
  for (const logicalId of Object.keys(emulated)) {
    delete template.Resources[logicalId];
    adaptations.push(`${logicalId} (${emulated[logicalId].type}) not sent: moto's CloudFormation does not deploy it`);
  }
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.DependsOn !== undefined) {
      const deps = [resource.DependsOn].flat().filter((d) => !(d in emulated));
      resource.DependsOn = deps.length > 0 ? deps : undefined;
      if (resource.DependsOn === undefined) {
        delete resource.DependsOn;
      }
    }
    template.Resources[logicalId] = replaceReferences(resource, emulated, logicalId) as TemplateResource;
  }
  template.Outputs = replaceReferences(template.Outputs, emulated, 'Outputs');
  return { template, emulated, adaptations };
}

const ECR_MEMBER_NAMES: Record<string, Record<string, string>> = {
  ImageScanningConfiguration: { ScanOnPush: 'scanOnPush' },
  EncryptionConfiguration: { EncryptionType: 'encryptionType', KmsKey: 'kmsKey' },
};

function renameKeys(value: Record<string, unknown>, names: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [names[k] ?? k, v]));
}

/** Physical id and attributes of an emulated resource, as template values. */
function emulate(stackName: string, logicalId: string, resource: TemplateResource): EmulatedResource {
  const props = resource.Properties ?? {};
  switch (resource.Type) {
    case 'AWS::CodeBuild::Project': {
      const name = props.Name ?? `${stackName}-${logicalId}`.slice(0, 150);
      return {
        logicalId,
        type: resource.Type,
        physicalId: name,
        attributes: {
          Arn: {
            'Fn::Sub': [
              'arn:${AWS::Partition}:codebuild:${AWS::Region}:${AWS::AccountId}:project/${Name}',
              { Name: name },
            ],
          },
        },
      };
    }
    default:
      // Ref of e.g. an AWS::S3::BucketPolicy is rarely used; replaceReferences fails loudly if it is.
      return { logicalId, type: resource.Type, attributes: {} };
  }
}

/** Replaces Ref / Fn::GetAtt / ${X} of emulated resources by their template values. */
export function replaceReferences(value: unknown, emulated: Record<string, EmulatedResource>, where: string): any {
  if (Array.isArray(value)) {
    return value.map((v) => replaceReferences(v, emulated, where));
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const obj = value as Record<string, any>;
  const keys = Object.keys(obj);
  if (keys.length === 1 && keys[0] === 'Ref' && obj.Ref in emulated) {
    const e = emulated[obj.Ref];
    if (e.physicalId === undefined) {
      throw new Error(
        `${where} references ${obj.Ref} (${e.type}), which moto does not deploy and the test cannot name`,
      );
    }
    return e.physicalId;
  }
  if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
    const [id, attribute] = Array.isArray(obj['Fn::GetAtt']) ? obj['Fn::GetAtt'] : String(obj['Fn::GetAtt']).split('.');
    if (id in emulated) {
      const v = emulated[id].attributes[attribute];
      if (v === undefined) {
        throw new Error(`${where} uses ${id}.${attribute} (${emulated[id].type}), which moto does not deploy`);
      }
      return v;
    }
  }
  if (keys.length === 1 && keys[0] === 'Fn::Sub') {
    const [text, vars] = Array.isArray(obj['Fn::Sub']) ? obj['Fn::Sub'] : [obj['Fn::Sub'], {}];
    const extra: Record<string, unknown> = {};
    const rewritten = String(text).replace(
      /\$\{([^!}][^}.]*)(?:\.([^}]+))?\}/g,
      (whole, id: string, attribute?: string) => {
        if (!(id in emulated) || id in vars) {
          return whole;
        }
        const variable = `Emulated${id}${attribute ?? ''}`.replace(/[^A-Za-z0-9]/g, '');
        extra[variable] = replaceReferences(
          attribute ? { 'Fn::GetAtt': [id, attribute] } : { Ref: id },
          emulated,
          where,
        );
        return `\${${variable}}`;
      },
    );
    if (Object.keys(extra).length > 0) {
      return { 'Fn::Sub': [rewritten, { ...replaceReferences(vars, emulated, where), ...extra }] };
    }
  }
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, replaceReferences(v, emulated, where)]));
}
