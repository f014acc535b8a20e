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
 * - storage classes ("Lifecycle policy properties", "Archiving an image"): a rule selects images of
 *   its `storageClass` only (`standard` when omitted); a `transition` action moves the images it
 *   acts on to `archive` (they stay in the repository, and cannot be pulled); `sinceImagePulled`:
 *   the selected images last pulled (never pulled: pushed) more than `countNumber` days ago;
 *   `sinceImageTransitioned`: the selected (archived) images archived more than `countNumber` days ago.
 * Only what the library's rules use is modelled (expire and transition actions, days). A policy of
 * expire rules over standard images evaluates as before storage classes were modelled.
 */

/** One rule as it appears in the LifecyclePolicyText. */
export interface LifecycleRuleJson {
  readonly rulePriority: number;
  readonly selection: {
    readonly tagStatus: 'tagged' | 'untagged' | 'any';
    readonly tagPrefixList?: string[];
    readonly tagPatternList?: string[];
    readonly storageClass?: 'standard' | 'archive';
    readonly countType: 'imageCountMoreThan' | 'sinceImagePushed' | 'sinceImagePulled' | 'sinceImageTransitioned';
    readonly countUnit?: 'days';
    readonly countNumber: number;
  };
  readonly action:
    { readonly type: 'expire' } | { readonly type: 'transition'; readonly targetStorageClass: 'archive' };
}

/** An image (a manifest or a manifest list) in the repository. */
export interface ModelImage {
  readonly digest: string;
  tags: string[];
  /** Push time, in days since the start of the simulation (fractions allowed). */
  readonly pushedAt: number;
  /** Digests of the images a manifest list points at. */
  readonly children: string[];
  /** `standard` until a transition archives the image. */
  storageClass: 'standard' | 'archive';
  /** Last pull, in days since the start; undefined when never pulled. */
  lastPulledAt?: number;
  /** When a transition archived the image. */
  archivedAt?: number;
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
    this.images.push({ digest, tags: [...tags], pushedAt: now, children, storageClass: 'standard' });
    return digest;
  }

  /** Pulls the image under `tag` at `now`: fails (undefined) for an archived one, as ECR answers 404. */
  public pull(now: number, tag: string): ModelImage | undefined {
    const image = this.tagged(tag);
    if (image === undefined || image.storageClass === 'archive') {
      return undefined;
    }
    image.lastPulledAt = now;
    return image;
  }

  /** The images a transition archived in the last evaluations. */
  public archived(): ModelImage[] {
    return this.images.filter((image) => image.storageClass === 'archive');
  }

  /** One evaluation of the lifecycle policy at `now`: removes the images it expires, returns them. */
  public evaluate(now: number): ModelImage[] {
    const rules = [...this.rules].sort((a, b) => a.rulePriority - b.rulePriority);
    const expired = new Set<ModelImage>();
    const transitioned = new Set<ModelImage>();
    // images claimed by the tag selection of a rule already evaluated (higher priority)
    const claimed = new Set<ModelImage>();
    for (const rule of rules) {
      const selected = this.images.filter((image) => selects(rule, image));
      const candidates = candidatesOf(rule, selected, now);
      for (const image of candidates) {
        if (!claimed.has(image) && !expired.has(image) && !transitioned.has(image)) {
          (rule.action.type === 'transition' ? transitioned : expired).add(image);
        }
      }
      for (const image of selected) {
        claimed.add(image);
      }
    }
    for (const image of transitioned) {
      image.storageClass = 'archive';
      image.archivedAt = now;
    }
    const out = this.images.filter((image) => expired.has(image));
    this.images.splice(0, this.images.length, ...this.images.filter((image) => !expired.has(image)));
    return out;
  }

  public tagged(tag: string): ModelImage | undefined {
    return this.images.find((image) => image.tags.includes(tag));
  }
}

function candidatesOf(rule: LifecycleRuleJson, selected: ModelImage[], now: number): ModelImage[] {
  const { countType, countNumber } = rule.selection;
  switch (countType) {
    case 'imageCountMoreThan':
      return [...selected].sort((a, b) => b.pushedAt - a.pushedAt).slice(countNumber);
    case 'sinceImagePushed':
      return selected.filter((image) => now - image.pushedAt > countNumber);
    case 'sinceImagePulled':
      return selected.filter((image) => now - (image.lastPulledAt ?? image.pushedAt) > countNumber);
    case 'sinceImageTransitioned':
      return selected.filter((image) => image.archivedAt !== undefined && now - image.archivedAt > countNumber);
  }
}

function selects(rule: LifecycleRuleJson, image: ModelImage): boolean {
  if ((rule.selection.storageClass ?? 'standard') !== image.storageClass) {
    return false;
  }
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
