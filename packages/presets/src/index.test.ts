import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('public surface', () => {
  it('exports exactly these names', () => {
    expect(Object.keys(api).sort()).toEqual([
      'CONFIG_SCHEMA',
      'ConfigError',
      'ENV_VARIABLES',
      'JsonLinesMetricExporter',
      'JsonLinesSpanExporter',
      'PRESET_NAMES',
      'SpanKey',
      'chainFromConfig',
      'configJsonSchema',
      'createRegistry',
      'development',
      'fromEnv',
      'http',
      'loadConfig',
      'metaGetter',
      'metaSetter',
      'preset',
      'production',
      'startTelemetry',
      'stdio',
      'tracing',
      'w3cMetaPropagator',
      'withPriority',
    ]);
  });
});
