/** `pinplace serve [--port P] [--host H] [--out DIR]`: the JSON API and the three.js viewer until interrupted. */
import { DEFAULT_HOST, DEFAULT_PORT } from '../../server/constants.ts';
import type { CommandDef } from '../command.ts';
import { parseIntFlag } from '../options.ts';

export const serveCommand: CommandDef = {
  name: 'serve',
  summary: 'Serve the JSON API (/api, described at /api/openapi.json) and the three.js viewer (/)',
  options(cmd) {
    cmd.option('--port <p>', 'port to listen on (0 picks a free one)', String(DEFAULT_PORT))
      .option('--host <h>', 'address to listen on (0.0.0.0 for every interface)', DEFAULT_HOST)
      .option('--out <dir>', "the server's output area: uploads and results", 'out/serve');
  },
  async run(opts, io) {
    const port = parseIntFlag(opts.port ?? String(DEFAULT_PORT), '--port', 0, 65535);
    const host = typeof opts.host === 'string' && opts.host.trim() ? opts.host.trim() : DEFAULT_HOST;
    const { startServer } = await import('../../server/start-server.ts');
    const { pino } = await import('pino');
    const logger = pino({ level: io.verbose ? 'debug' : (process.env.PINPLACE_LOG ?? 'info'), name: 'pinplace' }, pino.destination(2));
    const srv = await startServer({ port, host, outDir: String(opts.out ?? 'out/serve'), logger });
    io.out(`person-in-place viewer: ${srv.url}  (API: ${srv.url}api/openapi.json, tfjs backend: ${srv.backend}; Ctrl-C to stop)`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await srv.close();
    return { url: srv.url, backend: srv.backend, stopped: true };
  },
};
