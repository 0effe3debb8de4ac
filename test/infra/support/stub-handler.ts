/** Stands in for a functions/<name>/handler.ts that is not written yet, so infra synthesizes alone. */
export const handler = async (): Promise<void> => {};
