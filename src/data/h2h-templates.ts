/** Human-to-human interaction templates (filled in below). */
import type { InteractionTemplate } from './types.ts';

export const H2H_TEMPLATES: readonly InteractionTemplate[] = [];
