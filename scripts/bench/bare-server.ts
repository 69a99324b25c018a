import { createServer } from "http";

/**
 * The baseline of the intake benchmark: a bare Node http server that reads the
 * body and answers 200, nothing else (run as its own process, like the relay).
 * With MODE=hang it reads and never answers: a Cognigy that keeps the relay's
 * deliveries waiting, so that only its intake is measured.
 */
const hang = process.env.MODE === "hang";
const server = createServer((request, response) => {
  request.on("data", () => undefined);
  request.on("end", () => {
    if (hang) return;
    response.writeHead(200, { "content-type": "application/json" });
    response.end('{"status":"accepted"}');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  if (address !== null && typeof address !== "string") process.stdout.write(`listening on http://127.0.0.1:${address.port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
