import { cleanUp } from './cleanup';
import { startDatabases } from './system/database';
import { startSystem } from './system/launch';
import { seedCatalog } from './system/seed';
import { signInUsers } from './system/users';
import { checkout, edgeIdentities } from './requests';

async function main(): Promise<void> {
  const db = await startDatabases(console.error);
  const catalog = await seedCatalog(db.urls.product, 1000, console.error);
  const system = await startSystem(db, console.error);
  const users = await signInUsers(system.edgeUrl, 1, 'diag');
  const next = checkout(catalog.productIds, edgeIdentities(users.map((u) => u.accessToken)));
  for (let i = 0; i < 4; i++) {
    const spec = next();
    const t = performance.now();
    const r = await fetch(system.edgeUrl + spec.path, { method: 'POST', headers: { ...spec.headers, 'content-type': 'application/json' }, body: spec.body });
    await r.text();
    console.error(`checkout ${i}: ${r.status} in ${(performance.now() - t).toFixed(0)} ms`);
  }
  for (const p of system.processes) console.log(`==== ${p.name}\n${p.tail()}`);
}
main().finally(() => cleanUp());
