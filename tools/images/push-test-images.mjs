#!/usr/bin/env node
// Pushes the busybox test images (tags alpha, beta and user; /marker says which) to a registry,
// by default the one of `npm start` (127.0.0.1:5100, or $REGISTRY_PORT), under a repository new
// on each call (or the one given), and prints their references as shell exports: the variables
// the snapshots examples read.
//
//   eval "$(node tools/images/push-test-images.mjs [host:port [repository]])"
//
// A new repository each time, because a snapshot of a reference that a runner already holds stays
// `pending` (an API bug, README "Snapshots"): fresh references let the examples run again and
// again against one stack. The blobs are the same, so each push after the first copies nothing.
import { randomBytes } from 'node:crypto';
import { pushImage } from '../stack/registry.mjs';
import { buildTestImages } from './images.mjs';

const host = process.argv[2] ?? `127.0.0.1:${process.env.REGISTRY_PORT ?? 5100}`;
const repository = process.argv[3] ?? `daytona/test-${randomBytes(4).toString('hex')}`;
try {
  const { layout, tags } = await buildTestImages({ output: process.stderr });
  for (const tag of tags) {
    const reference = `${host}/${repository}:${tag}`;
    await pushImage({ layout, tag, destination: reference });
    console.log(`export DAYTONA_TEST_IMAGE_${tag.toUpperCase()}=${reference}`);
  }
} catch (error) {
  console.error(`Could not push the test images to ${host} (is npm start running?): ${error.message}`);
  process.exit(1);
}
