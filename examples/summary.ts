import { Stack, Token } from 'aws-cdk-lib';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';

/** A value to print: a synthesized string, with CloudFormation intrinsics shown as `${...}`. */
export function describeToken(stack: Stack, value: string): string {
  return Token.isUnresolved(value) ? render(stack.resolve(value)) : value;
}

function render(value: any): string {
  if (typeof value === 'string') {
    return value;
  }
  if (value && typeof value === 'object') {
    if (value['Fn::Join']) {
      const [sep, parts] = value['Fn::Join'];
      return (parts as any[]).map(render).join(sep);
    }
    if (value.Ref) {
      return `\${${value.Ref}}`;
    }
    if (value['Fn::GetAtt']) {
      return `\${${value['Fn::GetAtt'].join('.')}}`;
    }
    if (value['Fn::Select']) {
      const [index, list] = value['Fn::Select'];
      return `\${Select(${index}, ${render(list)})}`;
    }
    if (value['Fn::Split']) {
      const [sep, source] = value['Fn::Split'];
      return `Split(${JSON.stringify(sep)}, ${render(source)})`;
    }
  }
  return JSON.stringify(value);
}

/** Prints stacks, resources per type, and the given labelled values. */
export function printSummary(assembly: CloudAssembly, values: Array<[string, string]>): string {
  const lines: string[] = [`Synthesized ${assembly.stacks.length} stack(s) into ${assembly.directory}`];
  for (const artifact of assembly.stacks) {
    const resources: Record<string, { Type: string }> = artifact.template.Resources ?? {};
    const byType = new Map<string, number>();
    for (const r of Object.values(resources)) {
      byType.set(r.Type, (byType.get(r.Type) ?? 0) + 1);
    }
    lines.push(
      '',
      `Stack ${artifact.stackName} (${artifact.templateFile}): ${Object.keys(resources).length} resources`,
    );
    for (const [type, count] of [...byType.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(`  ${String(count).padStart(3)}  ${type}`);
    }
  }
  if (values.length > 0) {
    lines.push('');
    for (const [label, value] of values) {
      lines.push(`${label}: ${value}`);
    }
  }
  const text = lines.join('\n');
  console.log(text);
  return text;
}
