/** Downloads from the viewer: a Blob saved under a file name through a temporary link. */

/** Save `data` as `name`. */
export function download(name: string, data: Blob): void {
  const url = URL.createObjectURL(data);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const MIME: Record<string, string> = {
  'skeleton.json': 'application/json', 'openpose.json': 'application/json', 'pose.png': 'image/png', 'body.glb': 'model/gltf-binary',
};
