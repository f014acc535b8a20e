/**
 * CloudFormation values measured before deployment: intrinsics rendered as the longest strings they
 * can become, so that a size computed at synth (a repository policy, an inline buildspec) is never
 * smaller than the deployed one.
 */

/**
 * The longest value each pseudo parameter can take, so that a size measured before deployment is
 * never smaller than the deployed one.
 */
export const LONGEST_PSEUDO_VALUES: Record<string, string> = {
  // aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc
  'AWS::Partition': 'aws-us-gov',
  // e.g. us-isof-south-1; 16 leaves room for region names not yet announced
  'AWS::Region': 'xx-xxxxxxxxxxx-1',
  'AWS::AccountId': '000000000000',
  // amazonaws.com, amazonaws.com.cn, c2s.ic.gov, sc2s.sgov.gov, ...
  'AWS::URLSuffix': 'amazonaws.com.cn',
  'AWS::NoValue': '',
};

/**
 * How many characters an unknown reference (`Ref` of a resource, `Fn::GetAtt`, `Fn::ImportValue`…)
 * is counted as: a generous guess for an ARN or a name, since its real value is only known at deploy time.
 */
export const UNKNOWN_REFERENCE_CHARS = 256;

/**
 * Replaces CloudFormation intrinsics in a resolved template value with plain strings: pseudo
 * parameters with the given values, `Fn::Join` with the joined parts, and any other reference with
 * a placeholder of `unknownChars` characters.
 */
export function renderIntrinsics(
  value: unknown,
  pseudo: Record<string, string> = LONGEST_PSEUDO_VALUES,
  unknownChars: number = UNKNOWN_REFERENCE_CHARS,
): unknown {
  const render = (v: unknown): unknown => {
    if (Array.isArray(v)) {
      return v.map(render);
    }
    if (v === null || typeof v !== 'object') {
      return v;
    }
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length === 1) {
      const [key, arg] = entries[0];
      if (key === 'Ref' && typeof arg === 'string') {
        return arg in pseudo ? pseudo[arg] : 'x'.repeat(unknownChars);
      }
      if (key === 'Fn::Join' && Array.isArray(arg) && arg.length === 2 && Array.isArray(arg[1])) {
        const parts = (arg[1] as unknown[]).map(render);
        return parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(String(arg[0]));
      }
      if (key.startsWith('Fn::')) {
        return 'x'.repeat(unknownChars);
      }
    }
    return Object.fromEntries(entries.map(([k, e]) => [k, render(e)]));
  };
  return render(value);
}
