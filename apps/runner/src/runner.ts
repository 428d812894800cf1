import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { MAX_IMAGES_PER_SYNC } from '@daytona/runner-contract';
import type { RunnerConfig } from './config/runner-config.js';
import { ControlPlaneClient } from './control-plane/control-plane-client.js';
import { loadEnrollment, saveEnrollment } from './control-plane/enrollment.js';
import { runPeriodically } from './control-plane/periodic.js';
import { retryUntilAnswered } from './control-plane/retry-until-answered.js';
import { StateReporter } from './control-plane/state-reporter.js';
import { createRunnerHttpServer } from './http/runner-http-server.js';
import { ImageStore, type RunnerImages } from './images/image-store.js';
import { UnavailableImages } from './images/unavailable-images.js';
import { runnerRoutes } from './http/runner-routes.js';
import { createLogger, type Logger } from './logging/logger.js';
import { selectSandboxProvider } from './provider/provider-selection.js';
import type { SandboxProvider } from './provider/sandbox-provider.js';
import { reconcileWithAssignments } from './reconcile/startup-reconcile.js';
import { SandboxManager } from './sandbox/sandbox-manager.js';
import { ToolboxSessions } from './toolbox/sessions/toolbox-sessions.js';
import { toolboxRoutes } from './toolbox/toolbox-routes.js';

// Time left to deliver queued state updates when shutting down.
const SHUTDOWN_REPORT_DEADLINE_MS = 3_000;
// Output a process session keeps of its finished commands (each keeps at most the exec output limit).
const SESSION_LOG_BYTES = 8 * 1024 * 1024;

/**
 * One runner process: provider, HTTP API, registration, heartbeats, state reports, the start-up
 * reconcile and the periodic sync, in that order; shutdown() undoes whatever has been started so far.
 */
export class Runner {
  private readonly aborted = new AbortController();
  private provider: SandboxProvider | undefined;
  private server: Server | undefined;
  private manager: SandboxManager | undefined;
  private images: ImageStore | null = null;
  private reporter: StateReporter | undefined;
  private heartbeats: { stop(): Promise<void> } | undefined;
  private syncs: ReturnType<typeof runPeriodically> | undefined;

  constructor(
    private readonly config: RunnerConfig,
    private readonly logger: Logger,
  ) {}

  /** Resolves once the runner is registered and has reconciled with the API. */
  async start(): Promise<{ url: string }> {
    const { config, logger } = this;
    // The watchdog kills the sandboxes if this process dies, however it dies (README: "When the runner dies").
    const provider = (this.provider = await selectSandboxProvider(config, logger, { watchdog: { logLevel: config.logLevel } }));
    await provider.removeLeftoversAtBoot();
    const store = (this.images =
      provider.kind === 'bwrap' && provider.imagesUnavailable === null
        ? await ImageStore.open({
            cacheDir: config.imageCacheDir,
            idMap: config.userNamespace,
            maxBytes: config.imageMaxBytes,
            insecureRegistries: config.insecureRegistries,
            pullTimeoutSeconds: config.imagePullTimeoutSeconds,
            logger: createLogger('images', config.logLevel),
            onPullEnded: () => this.syncs?.soon(),
          })
        : null);
    // park runs nothing, so any image is as good as pulled; process (or bwrap without root) runs none.
    const images: RunnerImages = store ?? new UnavailableImages(provider.kind === 'park' ? null : provider.imagesUnavailable);

    const client = new ControlPlaneClient(config.apiUrl, config.registrationToken);
    let apiToken: string | null = null;
    const reporter = (this.reporter = new StateReporter((request) => client.reportSandboxStates(request), config.reportIntervalMs, createLogger('state-reporter', config.logLevel)));
    const manager = (this.manager = new SandboxManager(
      provider,
      reporter,
      { startConcurrency: config.startConcurrency, execDefaultTimeoutSeconds: config.execDefaultTimeoutSeconds, images: store },
      createLogger('sandboxes', config.logLevel),
    ));
    const routes = [
      ...runnerRoutes({
        manager,
        images,
        health: () => ({ status: 'ok', name: config.name, provider: provider.kind, isolated: provider.isolated, cgroups: provider.cgroups, sandboxes: manager.count }),
      }),
      ...toolboxRoutes({
        manager,
        sessions: new ToolboxSessions({ outputLimitBytes: config.execOutputLimitBytes, sessionLogBytes: SESSION_LOG_BYTES }),
        codeRun: { defaultTimeoutSeconds: config.execDefaultTimeoutSeconds, outputLimitBytes: config.execOutputLimitBytes },
      }),
    ];
    const server = (this.server = createRunnerHttpServer(routes, () => apiToken, createLogger('http', config.logLevel)));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
    const url = config.url ?? `http://${urlHost(config.host)}:${(server.address() as AddressInfo).port}`;
    logger.log(`Listening on ${config.host}:${(server.address() as AddressInfo).port}; registering as "${config.name}" at ${url}`);

    const signal = this.aborted.signal;
    const enrolled = await loadEnrollment(config.dataDir, config.name);
    const registered = await retryUntilAnswered(
      'Registering with the API',
      () =>
        client.register({
          name: config.name,
          url,
          region: config.region,
          capacity: config.capacity,
          isolated: provider.isolated,
          ...(enrolled ? { credential: enrolled.credential } : {}),
        }),
      logger,
      signal,
    );
    const credential = registered.credential ?? enrolled?.credential;
    if (!credential) throw new Error('The API answered the registration without a credential');
    await saveEnrollment(config.dataDir, { runnerId: registered.id, name: config.name, credential, apiToken: registered.apiToken });
    client.useCredential(credential);
    apiToken = registered.apiToken;
    logger.log(`${registered.credential ? 'Enrolled' : 'Registered'} with ${config.apiUrl} as runner ${registered.id} (${registered.state})`);
    reporter.start();
    this.heartbeats = runPeriodically('Heartbeat', config.heartbeatIntervalMs, () => client.heartbeat(), logger);

    const assignments = await retryUntilAnswered('Listing the sandboxes assigned to this runner', () => client.listAssignedSandboxes(), logger, signal);
    await reconcileWithAssignments(assignments, manager, provider, logger);
    // From now on the API and this runner compare notes continuously, not only at a restart.
    this.syncs = runPeriodically(
      'Sync with the API',
      config.syncIntervalMs,
      async () => {
        const answer = await client.sync({ sandboxes: manager.holdings(), images: images.statuses().slice(0, MAX_IMAGES_PER_SYNC) });
        images.prePull(answer.pull);
        await manager.applySync(answer);
      },
      logger,
    );
    return { url };
  }

  /** Stops heartbeats and the API, kills every sandbox process, delivers queued reports. */
  async shutdown(): Promise<void> {
    this.aborted.abort();
    await this.syncs?.stop();
    await this.heartbeats?.stop();
    this.server?.close();
    this.server?.closeIdleConnections();
    this.images?.close();
    await this.manager?.shutdown();
    await this.reporter?.stop(SHUTDOWN_REPORT_DEADLINE_MS);
    await this.provider?.close();
    this.server?.closeAllConnections();
  }
}

function urlHost(host: string): string {
  // A wildcard address is not a place to connect to; RUNNER_URL says where the API should.
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
