import { readdir, readFile } from 'node:fs/promises';

/** Loop devices (e.g. `loop3`) whose backing file is `file`, from sysfs. */
export async function loopDevicesOf(file: string): Promise<string[]> {
  const devices = (await readdir('/sys/block')).filter((name) => name.startsWith('loop'));
  const backed = await Promise.all(
    devices.map(async (name) => ((await readFile(`/sys/block/${name}/loop/backing_file`, 'utf8').catch(() => '')).trim() === file ? name : null)),
  );
  return backed.filter((name): name is string => name !== null);
}
