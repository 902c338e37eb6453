export interface IssuedServiceToken {
  accessToken: string;
  expiresInSeconds: number;
}

/** Supplies an `authorization` value for calls a service makes on its own behalf. */
export interface ServiceTokenSource {
  authorization(): Promise<string>;
}

/**
 * Caches a client-credentials token and renews it shortly before it expires; concurrent callers share one
 * renewal. `issue` is typically UserService.IssueServiceToken through the platform client.
 */
export function createServiceTokenSource(issue: () => Promise<IssuedServiceToken>, renewBeforeSeconds = 60): ServiceTokenSource {
  let current: { value: string; renewAt: number } | undefined;
  let renewing: Promise<string> | undefined;
  return {
    authorization() {
      if (current && Date.now() < current.renewAt) return Promise.resolve(current.value);
      renewing ??= issue()
        .then((token) => {
          const lifetime = Math.max(0, token.expiresInSeconds - renewBeforeSeconds);
          current = { value: `Bearer ${token.accessToken}`, renewAt: Date.now() + lifetime * 1000 };
          return current.value;
        })
        .finally(() => {
          renewing = undefined;
        });
      return renewing;
    },
  };
}
