/**
 * `pinplace serve [--port P] [--host H] [--out DIR] [--server URL]`: the JSON API and the three.js viewer until
 * interrupted. `--server` (default: PINPLACE_SERVER) is the image server edits go to, and the only one.
 */
import { DEFAULT_HOST, DEFAULT_PORT } from '../../server/constants.ts';
import type { CommandDef } from '../command.ts';
import { parseIntFlag } from '../options.ts';

export const serveCommand: CommandDef = {
  name: 'serve',
  summary: 'Serve the JSON API (/api, described at /api/openapi.json) and the three.js viewer (/)',
  options(cmd) {
    cmd.option('--port <p>', 'port to listen on (0 picks a free one)', String(DEFAULT_PORT))
      .option('--host <h>', 'address to listen on (0.0.0.0 for every interface)', DEFAULT_HOST)
      .option('--out <dir>', "the server's output area: uploads and results", 'out/serve')
      .option('--server <url>', 'the ComfyUI or AUTOMATIC1111 server edits go to, and the only one (default: PINPLACE_SERVER; with none, edits may name a loopback server when listening on loopback)');
  },
  async run(opts, io) {
    const port = parseIntFlag(opts.port ?? String(DEFAULT_PORT), '--port', 0, 65535);
    const host = typeof opts.host === 'string' && opts.host.trim() ? opts.host.trim() : DEFAULT_HOST;
    const { startServer } = await import('../../server/start-server.ts');
    const { pino } = await import('pino');
    const logger = pino({ level: io.verbose ? 'debug' : (process.env.PINPLACE_LOG ?? 'info'), name: 'pinplace' }, pino.destination(2));
    const editServer = typeof opts.server === 'string' ? opts.server : undefined;
    const srv = await startServer({ port, host, outDir: String(opts.out ?? 'out/serve'), logger, ...(editServer !== undefined ? { editServer } : {}) });
    io.out(`person-in-place viewer: ${srv.url}  (API: ${srv.url}api/openapi.json, tfjs backend: ${srv.backend}; Ctrl-C to stop)`);
    const policy = srv.app.locals.service.editServerPolicy;
    io.out(policy.configured ? `edits go to the image server ${policy.configured} (and nowhere else)`
      : policy.allowLoopback ? 'no image server configured (--server URL or PINPLACE_SERVER): edits may name a loopback server only'
        : 'no image server configured (--server URL or PINPLACE_SERVER): edits are refused while listening beyond loopback');
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
