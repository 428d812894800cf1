/** An image reference split the way registries read it: `[registry/]repository[:tag][@digest]`. */
export interface ImageReference {
  /** host[:port], lower case; docker.io when the reference names none. */
  registry: string;
  /** The reference without tag and digest: what a digest is appended to. */
  name: string;
}

/**
 * The first path component is a registry when it looks like a host (a dot, a port or
 * `localhost`), as Docker decides; otherwise the reference is on Docker Hub.
 */
export function parseImageReference(ref: string): ImageReference {
  const withoutDigest = ref.split('@')[0];
  const slash = withoutDigest.indexOf('/');
  const first = slash === -1 ? '' : withoutDigest.slice(0, slash);
  const registry = first && (first.includes('.') || first.includes(':') || first === 'localhost') ? first.toLowerCase() : 'docker.io';
  const lastSlash = withoutDigest.lastIndexOf('/');
  const tagColon = withoutDigest.indexOf(':', lastSlash + 1);
  const name = tagColon === -1 ? withoutDigest : withoutDigest.slice(0, tagColon);
  return { registry, name };
}

/** `name@digest`: exactly the manifest that was resolved, whatever the tag points to later. */
export function pinnedReference(ref: string, digest: string): string {
  return `${parseImageReference(ref).name}@${digest}`;
}
