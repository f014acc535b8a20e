/**
 * A model of an ECR repository and of how ECR evaluates its lifecycle policy, as the ECR user guide
 * documents it ("How lifecycle policies work" and "Lifecycle policy properties",
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html and
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html):
 * - rules are evaluated in priority order, lowest number first;
 * - an image is expired by exactly one or zero rules;
 * - an image that matches the tag selection of a higher-priority rule cannot be expired by a rule
 *   of lower priority, but lower rules still count it (they identify it as if it were not expired);
 * - `tagStatus`: `untagged` selects images without tags, `any` every image, `tagged` the images
 *   with a tag matching each entry of `tagPrefixList` (prefixes) or `tagPatternList` (`*` wildcards);
 * - `imageCountMoreThan`: the selected images sorted newest push first, those past the count
 *   expire; `sinceImagePushed`: the selected images pushed more than `countNumber` days ago expire.
 * Only what the library's rules use is modelled (expire actions, days).
 */

/** One rule as it appears in the LifecyclePolicyText. */
export interface LifecycleRuleJson {
  readonly rulePriority: number;
  readonly selection: {
    readonly tagStatus: 'tagged' | 'untagged' | 'any';
    readonly tagPrefixList?: string[];
    readonly tagPatternList?: string[];
    readonly countType: 'imageCountMoreThan' | 'sinceImagePushed';
    readonly countUnit?: 'days';
    readonly countNumber: number;
  };
  readonly action: { readonly type: 'expire' };
}

/** An image (a manifest or a manifest list) in the repository. */
export interface ModelImage {
  readonly digest: string;
  tags: string[];
  /** Push time, in days since the start of the simulation (fractions allowed). */
  readonly pushedAt: number;
  /** Digests of the images a manifest list points at. */
  readonly children: string[];
}

/** An ECR repository: pushes move tags (MUTABLE), the lifecycle policy expires images. */
export class ModelRepository {
  public readonly images: ModelImage[] = [];
  private counter = 0;

  constructor(public readonly rules: LifecycleRuleJson[]) {}

  /** Pushes a new image under `tags` (moving them off older images) and returns its digest. */
  public push(now: number, tags: string[], children: string[] = []): string {
    const digest = `sha256:${(++this.counter).toString(16).padStart(64, '0')}`;
    for (const image of this.images) {
      image.tags = image.tags.filter((t) => !tags.includes(t));
    }
    this.images.push({ digest, tags: [...tags], pushedAt: now, children });
    return digest;
  }

  /** One evaluation of the lifecycle policy at `now`: removes the images it expires, returns them. */
  public evaluate(now: number): ModelImage[] {
    const rules = [...this.rules].sort((a, b) => a.rulePriority - b.rulePriority);
    const expired = new Set<ModelImage>();
    // images claimed by the tag selection of a rule already evaluated (higher priority)
    const claimed = new Set<ModelImage>();
    for (const rule of rules) {
      const selected = this.images.filter((image) => selects(rule, image));
      const candidates =
        rule.selection.countType === 'imageCountMoreThan'
          ? [...selected].sort((a, b) => b.pushedAt - a.pushedAt).slice(rule.selection.countNumber)
          : selected.filter((image) => now - image.pushedAt > rule.selection.countNumber);
      for (const image of candidates) {
        if (!claimed.has(image) && !expired.has(image)) {
          expired.add(image);
        }
      }
      for (const image of selected) {
        claimed.add(image);
      }
    }
    const out = this.images.filter((image) => expired.has(image));
    this.images.splice(0, this.images.length, ...this.images.filter((image) => !expired.has(image)));
    return out;
  }

  public tagged(tag: string): ModelImage | undefined {
    return this.images.find((image) => image.tags.includes(tag));
  }
}

function selects(rule: LifecycleRuleJson, image: ModelImage): boolean {
  const { tagStatus, tagPrefixList, tagPatternList } = rule.selection;
  if (tagStatus === 'any') {
    return true;
  }
  if (tagStatus === 'untagged') {
    return image.tags.length === 0;
  }
  if (tagPrefixList !== undefined) {
    return tagPrefixList.every((prefix) => image.tags.some((tag) => tag.startsWith(prefix)));
  }
  return (tagPatternList ?? []).every((pattern) => image.tags.some((tag) => wildcard(pattern).test(tag)));
}

function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map(escape).join('.*')}$`);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
