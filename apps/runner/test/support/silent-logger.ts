import type { Logger } from '../../src/logging/logger.js';

export const silentLogger: Logger = { error() {}, warn() {}, log() {}, debug() {} };
