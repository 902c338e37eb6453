// TCP forwarder for the compose `debug` profile: the services' gRPC ports stay private to the compose network by
// default, and this one opt-in container publishes them to the host for grpcurl / `buf curl` (plain TCP, so HTTP/2,
// reflection and streaming pass through untouched).
//   GRPC_DEBUG_ROUTES="50051=user:50051,50052=product:50052" node deploy/dist/grpc-debug-proxy.js
import net from 'node:net';

interface Route {
  listenPort: number;
  host: string;
  port: number;
}

function parseRoutes(spec: string): Route[] {
  return spec
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => {
      const match = /^(\d+)=([^:\s]+):(\d+)$/.exec(part);
      if (!match) throw new Error(`bad route "${part}": expected <listenPort>=<host>:<port>`);
      return { listenPort: Number(match[1]), host: match[2] ?? '', port: Number(match[3]) };
    });
}

function forward(route: Route, listenHost: string): net.Server {
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: route.host, port: route.port });
    client.pipe(upstream).pipe(client);
    // Either side failing ends both, so that grpcurl sees the connection drop instead of hanging.
    const close = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
  });
  server.listen(route.listenPort, listenHost, () => {
    process.stdout.write(`${JSON.stringify({ msg: 'forwarding', from: `${listenHost}:${route.listenPort}`, to: `${route.host}:${route.port}` })}\n`);
  });
  return server;
}

const routes = parseRoutes(process.env.GRPC_DEBUG_ROUTES ?? '');
if (routes.length === 0) {
  console.error('GRPC_DEBUG_ROUTES is empty: nothing to forward');
  process.exit(2);
}
const servers = routes.map((route) => forward(route, process.env.GRPC_DEBUG_LISTEN_HOST ?? '0.0.0.0'));
const stop = (): void => {
  servers.forEach((server) => server.close());
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
