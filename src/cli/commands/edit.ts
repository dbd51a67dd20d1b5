import { notBuilt } from './not-built.ts';

export const editCommand = notBuilt('edit', 'Paint the person into the image on a ComfyUI or AUTOMATIC1111 server');
