export interface SignedInUser {
  email: string;
  accessToken: string;
}

const PASSWORD = 'bench-password-2026!';

async function postJson(url: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(15_000) });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as unknown) : undefined };
}

/** Registers `count` customers through the edge (once) and signs each in; checkout runs as these users. */
export async function signInUsers(edgeUrl: string, count: number, runId: string): Promise<SignedInUser[]> {
  const users: SignedInUser[] = [];
  for (let i = 0; i < count; i++) {
    const email = `bench-${runId}-${i}@bench.example.com`;
    const registered = await postJson(`${edgeUrl}/v1/auth/register`, { email, password: PASSWORD, name: `Bench User ${i}` });
    if (registered.status !== 201 && registered.status !== 409) {
      throw new Error(`register ${email}: HTTP ${registered.status} ${JSON.stringify(registered.json)}`);
    }
    const login = await postJson(`${edgeUrl}/v1/auth/login`, { email, password: PASSWORD });
    const token = (login.json as { accessToken?: unknown } | undefined)?.accessToken;
    if (login.status !== 200 || typeof token !== 'string') throw new Error(`login ${email}: HTTP ${login.status} ${JSON.stringify(login.json)}`);
    users.push({ email, accessToken: token });
  }
  return users;
}
