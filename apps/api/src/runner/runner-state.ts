export enum RunnerState {
  INITIALIZING = 'initializing',
  READY = 'ready',
  UNRESPONSIVE = 'unresponsive',
  DECOMMISSIONED = 'decommissioned',
}
