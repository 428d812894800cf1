import { Daytona, type DaytonaConfig } from '@daytonaio/sdk';
import type { Command } from 'commander';

/** The options every command accepts (declared on the root command). */
interface ConnectionOptions {
  apiUrl?: string;
  apiKey?: string;
}

/**
 * How to reach the API: `--api-url` / `--api-key`, then what the SDK reads (DAYTONA_API_URL /
 * DAYTONA_API_KEY, then `.env.local` in this directory or a parent), so the command is configured
 * exactly as programs using the SDK are.
 */
function connectionOf(command: Command): DaytonaConfig {
  const { apiUrl, apiKey } = command.optsWithGlobals<ConnectionOptions>();
  return { apiUrl, apiKey };
}

export function daytonaFor(command: Command): Daytona {
  return new Daytona(connectionOf(command));
}
