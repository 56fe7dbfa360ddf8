/** The k8s generator's name; its own module so the light index and the heavy renderer share it. */
export const GENERATOR_NAME = 'k8s';
