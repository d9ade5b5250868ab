// The package's name and version, as the instrumentation scope of every span and metric (kept equal to package.json
// by version.test.ts).
export const PACKAGE_NAME = '@mcp-interceptors/presets';
export const PACKAGE_VERSION = '0.1.0';
