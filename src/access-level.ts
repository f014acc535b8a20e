import { PULL_ACTIONS, PUSH_ACTIONS } from './private/pull-policy';

/**
 * What a grantee of a repository policy may do with the images.
 */
export class AccessLevel {
  /**
   * Pull images: `ecr:BatchGetImage`, `ecr:GetDownloadUrlForLayer`, `ecr:BatchCheckLayerAvailability`.
   */
  public static readonly PULL = new AccessLevel('PULL', PULL_ACTIONS);

  /**
   * Pull and push images: the pull actions plus `ecr:PutImage`, `ecr:InitiateLayerUpload`,
   * `ecr:UploadLayerPart` and `ecr:CompleteLayerUpload`.
   */
  public static readonly PULL_PUSH = new AccessLevel('PULL_PUSH', [...PULL_ACTIONS, ...PUSH_ACTIONS]);

  /** The name of the level, `PULL` or `PULL_PUSH`. */
  public readonly name: string;

  /**
   * The ECR actions this level allows, in the order they appear in the policy.
   */
  public readonly actions: string[];

  private constructor(name: string, actions: string[]) {
    this.name = name;
    this.actions = [...actions];
  }

  /** True when this level lets the grantee push images. */
  public get allowsPush(): boolean {
    return PUSH_ACTIONS.every((action) => this.actions.includes(action));
  }

  /** The name of the level. */
  public toString(): string {
    return this.name;
  }
}
