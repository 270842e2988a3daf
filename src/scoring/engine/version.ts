/** Version of the scoring engine's method. Bump on any change that can alter a result for the same input and policy. */
export const ENGINE_VERSION = '1.4.0';
