/**
 * What a grantee of a repository policy may do with the images.
 */
export enum AccessLevel {
  /**
   * Pull images: `ecr:BatchGetImage`, `ecr:GetDownloadUrlForLayer`, `ecr:BatchCheckLayerAvailability`.
   */
  PULL = 'PULL',

  /**
   * Pull and push images: the pull actions plus `ecr:PutImage`, `ecr:InitiateLayerUpload`,
   * `ecr:UploadLayerPart` and `ecr:CompleteLayerUpload`.
   */
  PULL_PUSH = 'PULL_PUSH',
}
