/**
 * Asks moto's ECR for an authorization token straight over HTTP (not through the AWS CLI that the
 * buildspec runs), and returns its password part: what `aws ecr get-login-password` must print.
 * moto ignores signatures; the Authorization header only routes the call to ECR.
 */
export async function fetchEcrPassword(endpoint: string, region: string): Promise<string> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken',
      Authorization: `AWS4-HMAC-SHA256 Credential=testing/20240101/${region}/ecr/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: '{}',
    signal: AbortSignal.timeout(5_000),
  });
  const text = await response.text();
  if (response.status !== 200) {
    throw new Error(`ECR GetAuthorizationToken on ${endpoint}: HTTP ${response.status} ${text}`);
  }
  const token = JSON.parse(text).authorizationData?.[0]?.authorizationToken;
  const decoded = Buffer.from(String(token ?? ''), 'base64').toString('utf-8');
  if (!decoded.startsWith('AWS:') || decoded.length <= 4) {
    throw new Error(`ECR GetAuthorizationToken on ${endpoint}: unexpected token ${JSON.stringify(token)}`);
  }
  return decoded.slice('AWS:'.length);
}
